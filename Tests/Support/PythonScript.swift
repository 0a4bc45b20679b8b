import Foundation

/// Runs a Python oracle: writes `input` as JSON to a file, runs `python3 SCRIPT IN OUT`, decodes the JSON it
/// writes. A missing python3 or module makes the test FAIL with `setupHint` (never skip).
public enum PythonScript {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `script` is a path, or the script's text when `inline` is true.
    public static func run<Input: Encodable, Output: Decodable>(
        _ script: String, inline: Bool = false, input: Input, as: Output.Type, setupHint: String
    ) throws -> Output {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boton-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var scriptPath = script
        if inline {
            scriptPath = dir.appendingPathComponent("oracle.py").path
            try Data(script.utf8).write(to: URL(fileURLWithPath: scriptPath))
        } else if !FileManager.default.fileExists(atPath: script) {
            throw Failure(description: "oracle script not found at \(script)")
        }
        let inputURL = dir.appendingPathComponent("in.json")
        let outputURL = dir.appendingPathComponent("out.json")
        let errorURL = dir.appendingPathComponent("stderr.txt")
        try JSONEncoder().encode(input).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, inputURL.path, outputURL.path]
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "could not start python3 (\(error)). \(setupHint)")
        }
        process.waitUntilExit()
        try? errorHandle.close()
        let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 \(inline ? "oracle" : script) exited with \(process.terminationStatus): "
                + "\(stderr.trimmingCharacters(in: .whitespacesAndNewlines)). \(setupHint)")
        }
        return try JSONDecoder().decode(Output.self, from: Data(contentsOf: outputURL))
    }
}
