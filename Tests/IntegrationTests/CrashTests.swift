import BotonStore
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// Kills the server with SIGKILL while `boton alert load` runs, restarts it on the same ports, and checks that
/// every alert the load generator saw acknowledged is in the database with the incident its answer named.
@Suite struct CrashTests {
    /// 20 in the test suite; `Scripts/bench crash` runs more (BOTON_CRASH_ROUNDS).
    static let rounds = ProcessInfo.processInfo.environment["BOTON_CRASH_ROUNDS"].flatMap { Int($0) } ?? 20

    @Test func everyAcknowledgedAlertSurvivesSIGKILL() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        var server = try Server(database: db)
        let ports = (udp: server.udpPort, tcp: server.tcpPort, tls: server.tlsPort)
        var acknowledgedTotal = 0
        for round in 1 ... Self.rounds {
            let transport = ["udp", "tcp", "tls"][round % 3]
            let port = [ports.udp, ports.tcp, ports.tls][round % 3]
            let load = try LoadProcess(arguments: [
                "alert", "load", "--database", db, "--transport", transport, "--port", String(port),
                "--rate", "400", "--duration", "0.6", "--devices", "25", "--seed", String(round), "--grace", "30",
                "--acknowledged", "-", "--json",
            ])
            // Kill once the first acknowledgements are out: commits are in flight from then on.
            let early = try load.readAcknowledged(atLeast: 10 + round)
            #expect(early.count >= 10 + round, "round \(round): the load saw no acknowledgement before the kill")
            server.stop(SIGKILL)
            server = try Self.restart(db, ports)
            let (acknowledged, report, status) = try load.finish()
            #expect(status == 0, "round \(round) over \(transport): \(report)")
            #expect(report.contains("\"lost\":0"), "round \(round): \(report)")
            acknowledgedTotal += acknowledged.count

            // Every acknowledged alert: its receipt is stored and points at the incident the phone was told.
            let store: (any SQLStore)? = TestBackend.isPostgreSQL ? try TestDatabases.database(db).openStore() : nil
            let database: any SQLDatabase = try store?.sql ?? Database(path: db, options: Database.Options(readOnly: true))
            let receipt = try database.prepared(
                "SELECT incident_id FROM frame_receipt WHERE sender_id = ?1 AND sequence = ?2 AND status = 'aceptada'")
            let incident = try database.prepared("SELECT count(*) FROM incident WHERE id = ?1")
            var missing: [String] = []
            for alert in acknowledged {
                let stored = try receipt.first([.blob(alert.device), .integer(alert.sequence)]) { $0.int64(0) }
                let incidents = try incident.first([.integer(alert.incident)]) { $0.int(0) } ?? 0
                if stored != alert.incident || incidents != 1 { missing.append(alert.line) }
            }
            #expect(missing.isEmpty, "round \(round) over \(transport): acknowledged but not stored: \(missing.prefix(5))")
        }
        #expect(acknowledgedTotal >= Self.rounds * 200)
        #expect(server.stop() == 0)
    }
}

extension CrashTests {
    /// The server again on the killed one's ports. Between the kill and the restart another test's process may
    /// take one of them for a moment (an ephemeral port of its own): each try is a real start, at most 50.
    static func restart(_ db: String, _ ports: (udp: Int, tcp: Int, tls: Int)) throws -> Server {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try Server(database: db, udpPort: ports.udp, tcpPort: ports.tcp, tlsPort: ports.tls)
            } catch let error as Server.ServerError where error.log.contains("Address already in use") && attempt < 50 {
                continue
            }
        }
    }
}

/// `boton alert load --acknowledged -`: acknowledged alerts on standard output, the report on standard error.
private final class LoadProcess {
    struct Acknowledged {
        let line: String
        let device: [UInt8]
        let sequence: Int64
        let incident: Int64
    }

    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    /// Standard output as read so far (bytes: a chunk may end inside a line).
    private var bytes: [UInt8] = []

    init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Boton.executable)
        process.arguments = try TestDatabases.rewrite(arguments)
        process.standardOutput = out
        process.standardError = err
        try? process.run()
    }

    /// Blocks on the pipe until `count` acknowledgement lines arrived, the process ended, or `limit` passed (a guard:
    /// the caller checks the count).
    func readAcknowledged(atLeast count: Int, within limit: Duration = .seconds(60)) throws -> [Acknowledged] {
        let deadline = ContinuousClock.now + limit
        let reader = PipeReader(fileDescriptor: out.fileHandleForReading.fileDescriptor)
        while parse().count < count {
            guard let chunk = try? reader.read(before: deadline) else { break }  // ended, or out of time
            bytes += chunk
        }
        return parse()
    }

    /// Reads the acknowledgements to the end and the report, and waits for the exit. The load stops by itself
    /// (`--duration` plus `--grace`); one still running after `limit` is killed and the test fails.
    func finish(within limit: Duration = .seconds(120)) throws -> ([Acknowledged], String, Int32) {
        let deadline = ContinuousClock.now + limit
        let reader = PipeReader(fileDescriptor: out.fileHandleForReading.fileDescriptor)
        do {
            while let chunk = try reader.read(before: deadline) { bytes += chunk }
        } catch is PipeReader.Timeout {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw LoadTimeout(limit: limit)
        }
        let report = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (parse(), report, process.terminationStatus)
    }

    struct LoadTimeout: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "boton alert load was still running after \(limit): killed" }
    }

    private func parse() -> [Acknowledged] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { row in
            let f = row.split(separator: " ")
            guard f.count == 5, let sequence = UInt64(f[1]), let incident = Int64(f[3]) else { return nil }
            let hex = Array(f[0].utf8)
            guard hex.count == 32 else { return nil }
            let device = stride(from: 0, to: 32, by: 2).map { UInt8(String(decoding: hex[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
            return Acknowledged(line: String(row), device: device, sequence: Int64(bitPattern: sequence),
                                incident: incident)
        }
    }
}
