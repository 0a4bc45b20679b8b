import Foundation
import Testing

/// Runs one of the Python oracle scripts in `Oracles/` over a list of inputs.
///
/// The scripts need python3 with python-stdnum and phonenumbers. When either is missing the oracle test
/// FAILS (it is not skipped) and says to run Scripts/test, which installs them with pip.
enum PythonOracle {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let setupHint = "Run Scripts/test (it installs python-stdnum and phonenumbers with pip)."

    static func scriptURL(_ name: String, filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Oracles").appendingPathComponent(name)
    }

    /// Writes `inputs` as JSON, runs `python3 script in out`, and decodes the JSON it writes.
    static func run<Output: Decodable>(_ script: String, inputs: [String], as: Output.Type) throws -> Output {
        let url = scriptURL(script)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Failure(description: "oracle script not found at \(url.path)")
        }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("botoncore-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.json")
        let output = dir.appendingPathComponent("out.json")
        let errors = dir.appendingPathComponent("stderr.txt")
        try JSONEncoder().encode(inputs).write(to: input)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", url.path, input.path, output.path]
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "could not start python3 (\(error)). \(setupHint)")
        }
        process.waitUntilExit()
        try? errorHandle.close()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 \(script) exited with \(process.terminationStatus): "
                + "\(stderr.trimmingCharacters(in: .whitespacesAndNewlines)). \(setupHint)")
        }
        return try JSONDecoder().decode(Output.self, from: Data(contentsOf: output))
    }
}
