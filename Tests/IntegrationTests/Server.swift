import BotonStoreFixtures
import BotonTestSupport
import Foundation

/// A `boton serve` child process on ephemeral ports, synchronised on its own log lines (never on sleeps), each
/// awaited with a deadline: a server that hangs fails its test with its log instead of hanging the suite.
final class Server {
    /// How long ``waitFor(_:within:)`` waits for a log line unless told otherwise: generous, only a guard.
    static let logLineDeadline: Duration = .seconds(30)

    let process = Process()
    private let stderr = Pipe()
    /// The server's log as read so far (bytes: a chunk may end inside a character).
    private var logBytes: [UInt8] = []
    var log: String { String(decoding: logBytes, as: UTF8.self) }
    private(set) var udpPort = 0
    private(set) var tcpPort = 0
    private(set) var tlsPort = 0
    private(set) var httpPort = 0
    private(set) var httpsPort = 0
    private(set) var metricsPort = 0
    /// The SIA DC-09 port (TCP and UDP share the number).
    private(set) var dc09Port = 0
    /// The self-signed certificate of the TLS port (a client trusts it through this file).
    let certificate: String

    /// Starts `boton serve` on `database`. Ports default to 0 (the kernel picks); a restart passes the ports of the
    /// previous run. The TLS pair lives beside the database and is created on first use.
    ///
    /// `redirectToHTTPS`: the production default sends officers and citizens' forms from plain HTTP to HTTPS
    /// (`http.redirect_to_https`); most tests drive the pages over plain HTTP and turn it off, the transport tests
    /// (`TransportTests`) keep it.
    init(database: String, udpPort: Int = 0, tcpPort: Int = 0, tlsPort: Int = 0, httpPort: Int = 0,
         httpsPort: Int = 0, redirectToHTTPS: Bool = false, extra: [String] = []) throws {
        let directory = URL(fileURLWithPath: database).deletingLastPathComponent().path
        certificate = directory + "/tls-cert.pem"
        let tls = ["--set", "ingest.tls_certificate=\(certificate)", "--set", "ingest.tls_key=\(directory)/tls-key.pem"]
        if !FileManager.default.fileExists(atPath: certificate) {
            _ = try Boton.run(["tls", "generate", "--host", "test"] + tls)
        }
        process.executableURL = URL(fileURLWithPath: Boton.executable)
        // A node given its own store settings (PostgresNodesTests) keeps them; otherwise `--database` names the
        // test's database on the backend under test.
        let ownStore = extra.contains { $0.hasPrefix("store.backend=") }
        process.arguments = (ownStore ? ["serve"] : try TestDatabases.rewrite(["serve", "--database", database])) + [ "--set", "ingest.host=127.0.0.1",
                             "--set", "ingest.udp_port=\(udpPort)", "--set", "ingest.tcp_port=\(tcpPort)",
                             "--set", "ingest.tls_port=\(tlsPort)", "--set", "http.host=127.0.0.1",
                             "--set", "http.port=\(httpPort)", "--set", "http.tls_port=\(httpsPort)",
                             "--set", "http.metrics_port=0", "--set", "http.redirect_to_https=\(redirectToHTTPS)",
                             "--set", "dc09.host=127.0.0.1", "--set", "dc09.port=0"]
            + tls + extra
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitFor("event=ready")
        self.udpPort = try port("udp")
        self.tcpPort = try port("tcp")
        self.tlsPort = try port("tls")
        self.httpPort = try port("http")
        self.httpsPort = try port("https")
        self.metricsPort = try port("metrics")
        self.dc09Port = try port("dc09-tcp")
        let dc09UDP = try port("dc09-udp")
        precondition(dc09UDP == dc09Port, "DC-09 TCP and UDP share one port")
    }

    private func port(_ transport: String) throws -> Int {
        let log = self.log
        guard let range = log.range(of: "transport=\(transport) address=\\S+ port=(\\d+)", options: .regularExpression),
              let port = Int(log[range].split(separator: "=").last ?? "") else {
            throw ServerError(reason: "the server did not say where it listens for \(transport)", log: log)
        }
        return port
    }

    struct ServerError: Error, CustomStringConvertible {
        let reason: String
        let log: String
        var description: String { "\(reason); its log so far:\n\(log)" }
    }

    /// Reads the log until `marker` appears (`count` times). Throws, with the log so far, when the server closes
    /// its log first (it exited) or nothing shows the marker within `limit`.
    func waitFor(_ marker: String, count: Int = 1, within limit: Duration = Server.logLineDeadline) throws {
        let deadline = ContinuousClock.now + limit
        let reader = PipeReader(fileDescriptor: stderr.fileHandleForReading.fileDescriptor)
        while log.components(separatedBy: marker).count - 1 < count {
            let chunk: [UInt8]?
            do {
                chunk = try reader.read(before: deadline)
            } catch is PipeReader.Timeout {
                throw ServerError(reason: "no \"\(marker)\" in the server's log within \(limit)", log: log)
            }
            guard let chunk else {
                throw ServerError(reason: "the server closed its log before \"\(marker)\"", log: log)
            }
            logBytes += chunk
        }
    }

    /// A test that ends early (a thrown error) must not leave a server behind.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends `signal` and waits for the exit, reading the rest of the log; returns the exit status. A server still
    /// running `limit` after the signal is killed (SIGKILL, said in its log), so its test fails on the status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, within limit: Duration = Server.logLineDeadline) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let reader = PipeReader(fileDescriptor: stderr.fileHandleForReading.fileDescriptor)
        let deadline = ContinuousClock.now + limit
        do {
            while let chunk = try reader.read(before: deadline) { logBytes += chunk }
        } catch {
            logBytes += Array("\n[test] still running \(limit) after signal \(signal) (\(error)): SIGKILL\n".utf8)
            kill(process.processIdentifier, SIGKILL)
            logBytes += stderr.fileHandleForReading.readDataToEndOfFile()
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A migrated database with the national territory, shared setup of the ingestion tests. Under PostgreSQL, a
/// copy of one database the same two commands prepared once for the whole run.
func preparedDatabase(in dir: TemporaryDirectory) throws -> String {
    let db = dir.file("boton.sqlite")
    if TestBackend.isPostgreSQL {
        _ = try TestDatabases.database(db, postgresTemplate: try preparedTemplate.get())
        return db
    }
    _ = try Boton.run(["db", "migrate", "--database", db])
    _ = try Boton.run(["territory", "import", "--database", db])
    return db
}

/// The PostgreSQL database `preparedDatabase(in:)` copies: `boton db migrate` and `boton territory import`, once.
private let preparedTemplate: Result<String, any Error> = Result {
    let template = try TestDatabase(path: NSTemporaryDirectory() + "boton-template-" + UUID().uuidString)
    for command in [["db", "migrate"], ["territory", "import"]] {
        let r = try Boton.run(command + template.commandLineSettings)
        guard r.status == 0 else { throw Server.ServerError(reason: "\(command) failed", log: r.stderr) }
    }
    // Kept for the whole run (the throw-away server goes with it).
    return try template.keep()
}

/// Provisions a line; returns (device id, secret).
func provision(_ db: String, line: String, lat: String, lon: String) throws -> (String, String) {
    try provision(line: line, lat: lat, lon: lon, settings: ["--database", db])
}

/// Provisions a line in the store `settings` name (`--database F`, or `--set store.backend=postgresql …`); returns
/// (device id, secret), empty when `boton device provision` printed none.
func provision(line: String, lat: String = "-0.2202", lon: String = "-78.5123", settings: [String]) throws
    -> (device: String, secret: String)
{
    let r = try Boton.run(["device", "provision", "--line", line, "--lat", lat, "--lon", lon] + settings)
    var id = "", secret = ""
    for row in r.stdout.split(separator: "\n") {
        let parts = row.split(separator: " ", omittingEmptySubsequences: true)
        if parts.first == "dispositivo:" { id = String(parts[1]) }
        if parts.first == "clave:" { secret = String(parts[1]) }
    }
    guard !id.isEmpty else { throw WebClientError("device provision failed: \(r.stderr)") }
    return (id, secret)
}
