import Foundation

/// A `boton serve` child process on ephemeral ports, synchronised on its own log lines (never on sleeps).
final class Server {
    let process = Process()
    private let stderr = Pipe()
    private(set) var log = ""
    private(set) var udpPort = 0
    private(set) var tcpPort = 0
    private(set) var tlsPort = 0
    private(set) var httpPort = 0
    private(set) var httpsPort = 0
    /// The self-signed certificate of the TLS port (a client trusts it through this file).
    let certificate: String

    /// Starts `boton serve` on `database`. Ports default to 0 (the kernel picks); a restart passes the ports of the
    /// previous run. The TLS pair lives beside the database and is created on first use.
    init(database: String, udpPort: Int = 0, tcpPort: Int = 0, tlsPort: Int = 0, httpPort: Int = 0,
         httpsPort: Int = 0, extra: [String] = []) throws {
        let directory = URL(fileURLWithPath: database).deletingLastPathComponent().path
        certificate = directory + "/tls-cert.pem"
        let tls = ["--set", "ingest.tls_certificate=\(certificate)", "--set", "ingest.tls_key=\(directory)/tls-key.pem"]
        if !FileManager.default.fileExists(atPath: certificate) {
            _ = try Boton.run(["tls", "generate", "--host", "test"] + tls)
        }
        process.executableURL = URL(fileURLWithPath: Boton.executable)
        process.arguments = ["serve", "--database", database, "--set", "ingest.host=127.0.0.1",
                             "--set", "ingest.udp_port=\(udpPort)", "--set", "ingest.tcp_port=\(tcpPort)",
                             "--set", "ingest.tls_port=\(tlsPort)", "--set", "http.host=127.0.0.1",
                             "--set", "http.port=\(httpPort)", "--set", "http.tls_port=\(httpsPort)"] + tls + extra
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitFor("event=ready")
        self.udpPort = try port("udp")
        self.tcpPort = try port("tcp")
        self.tlsPort = try port("tls")
        self.httpPort = try port("http")
        self.httpsPort = try port("https")
    }

    private func port(_ transport: String) throws -> Int {
        guard let range = log.range(of: "transport=\(transport) address=\\S+ port=(\\d+)", options: .regularExpression),
              let port = Int(log[range].split(separator: "=").last ?? "") else {
            throw ServerError(log: log)
        }
        return port
    }

    struct ServerError: Error, CustomStringConvertible {
        let log: String
        var description: String { "server did not start:\n\(log)" }
    }

    /// Reads the log until `marker` appears (or the process ends).
    func waitFor(_ marker: String) throws {
        while !log.contains(marker) {
            let chunk = stderr.fileHandleForReading.availableData
            if chunk.isEmpty { throw ServerError(log: log) }
            log += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// A test that ends early (a thrown error) must not leave a server behind.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends `signal` and waits for the exit; returns the exit status and the whole log.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        log += String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A migrated database with the national territory, shared setup of the ingestion tests.
func preparedDatabase(in dir: TemporaryDirectory) throws -> String {
    let db = dir.file("boton.sqlite")
    _ = try Boton.run(["db", "migrate", "--database", db])
    _ = try Boton.run(["territory", "import", "--database", db])
    return db
}

/// Provisions a line; returns (device id, secret).
func provision(_ db: String, line: String, lat: String, lon: String) throws -> (String, String) {
    let r = try Boton.run(["device", "provision", "--database", db, "--line", line, "--lat", lat, "--lon", lon])
    var id = "", secret = ""
    for row in r.stdout.split(separator: "\n") {
        let parts = row.split(separator: " ", omittingEmptySubsequences: true)
        if parts.first == "dispositivo:" { id = String(parts[1]) }
        if parts.first == "clave:" { secret = String(parts[1]) }
    }
    return (id, secret)
}
