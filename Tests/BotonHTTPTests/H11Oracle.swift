import Foundation
import XCTest

/// Runs Python's h11 (an independent HTTP/1.1 implementation) over raw request bytes.
///
/// Needs `python3` with `h11` (`pip install --break-system-packages h11`). When either is missing the oracle
/// test FAILS with that instruction; it is never skipped.
enum H11Oracle {
    struct Verdict: Decodable {
        /// `accept`, `reject` or `incomplete`.
        var verdict: String
        var method: String?
        var target: String?
        var body: String?
        var error: String?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let setupHint = "The oracle needs python3 with h11: pip install --break-system-packages h11"

    /// Reads a JSON list of hex strings, writes a JSON list of verdicts (byte fields in hex).
    static let script = #"""
    import json, sys
    try:
        import h11
    except ImportError:
        sys.stderr.write("h11 is not installed\n")
        sys.exit(3)

    def judge(data):
        conn = h11.Connection(our_role=h11.SERVER)
        conn.receive_data(data)
        request = None
        body = bytearray()
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    return {"verdict": "incomplete"}
                if isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    return {"verdict": "accept", "method": bytes(request.method).hex(),
                            "target": bytes(request.target).hex(), "body": bytes(body).hex()}
                else:
                    return {"verdict": "reject", "error": "unexpected event %r" % (event,)}
        except h11.RemoteProtocolError as error:
            return {"verdict": "reject", "error": str(error)}

    with open(sys.argv[1]) as source:
        inputs = json.load(source)
    with open(sys.argv[2], "w") as sink:
        json.dump([judge(bytes.fromhex(item)) for item in inputs], sink)
    """#

    static func judge(_ inputs: [[UInt8]]) throws -> [Verdict] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("botonhttp-h11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("h11_oracle.py")
        let inputURL = directory.appendingPathComponent("in.json")
        let outputURL = directory.appendingPathComponent("out.json")
        let errorURL = directory.appendingPathComponent("stderr.txt")
        try Data(script.utf8).write(to: scriptURL)
        try JSONEncoder().encode(inputs.map(hex)).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, inputURL.path, outputURL.path]
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
            throw Failure(description: "python3 exited with \(process.terminationStatus): "
                + "\(stderr.trimmingCharacters(in: .whitespacesAndNewlines)). \(setupHint)")
        }
        return try JSONDecoder().decode([Verdict].self, from: Data(contentsOf: outputURL))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
