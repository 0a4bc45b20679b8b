import BotonStoreFixtures
import Foundation

/// Runs the `boton` executable that `swift build` put beside the test bundle.
struct Boton {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let executable: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner lives in <bin>/X.xctest or <bin>/X.xctest/…; boton lives in <bin>.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("boton").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("boton executable not found near \(exe): build it with 'swift build' first")
    }()

    /// The repository root (for Config/ and Tests/Fixtures/).
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static var territoryFile: String { root + "/Config/territorio-ec.geojson" }

    /// Runs to completion, collecting both streams. Every `--database PATH` names the test's database on the
    /// backend under test (``TestDatabases/rewrite(_:)``): the file under SQLite, a database of its own under
    /// PostgreSQL.
    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil, directory: String? = nil) throws -> Result {
        try runProcess(executable, arguments, stdin: stdin, directory: directory)
    }

    /// Runs any program to completion (`/usr/bin/env NAME` when `program` is not a path), both pipes drained.
    @discardableResult
    static func runProcess(_ program: String, _ arguments: [String], stdin: String? = nil, directory: String? = nil)
        throws -> Result
    {
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = try TestDatabases.rewrite(arguments)
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + (try TestDatabases.rewrite(arguments))
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        // Read both pipes to the end before waiting, so a full pipe can never block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A directory under the system's temporary directory, removed when released (with the PostgreSQL databases of
/// the paths under it).
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "boton-it-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit {
        TestDatabases.release(under: path)
        try? FileManager.default.removeItem(atPath: path)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
}
