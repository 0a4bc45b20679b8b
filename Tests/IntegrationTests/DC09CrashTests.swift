import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// Issue 16's SIGKILL test for alarm panels (the phones' is ``CrashTests``): the receiver is killed while
/// my-dc09-spt sends a stream of events from several sites (`Tests/IntegrationTests/Peers/dc09_stream.py`, one
/// dialler per site, each resending every 0.5 s until it hears an ACK), restarted on the same port, and every event
/// the diallers saw acknowledged must be stored: its receipt (account and sequence), and one incident per site for
/// its panic even when the panic was committed, killed before its ACK and sent again.
@Suite struct DC09CrashTests {
    static let script = Boton.root + "/Tests/IntegrationTests/Peers/dc09_stream.py"

    struct Acked: Decodable {
        let account: String?
        let seq: Int?
        let code: String?
        let done: Bool?
        let acked: Int?
        let error: String?
    }

    @Test func everyEventTheDiallerSawAcknowledgedSurvivesSIGKILLOfTheReceiver() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let accounts = (1...8).map { String(format: "C%03d", $0) }
        for account in accounts {
            let r = try Boton.run(["dc09", "account", "add", "--database", db, "--cuenta", account,
                                   "--nombre", "Local \(account)", "--direccion", "Av. 10 de Agosto",
                                   "--lat", "-0.2202", "--lon", "-78.5123", "--contacto", "099 765 4321"])
            try #require(r.status == 0, "\(r.stderr)")
        }
        // Without the merge window a panic sent again would open a second alert unless it is recognised as a
        // retransmission (its receipt): what is checked below.
        let settings = ["--set", "ingest.merge_window_s=0"]
        var server = try Server(database: db, extra: settings)
        let port = server.dc09Port
        let dialler = try LineProcess("python3", [Self.script, "--port", String(port),
                                                  "--accounts", accounts.joined(separator: ","), "--events", "6"])
        var acked: [Acked] = []
        func next() throws -> Acked? {
            guard let line = dialler.readLine(within: .seconds(120)) else { return nil }
            return try JSONDecoder().decode(Acked.self, from: Data(line.utf8))
        }
        // Kill once the first acknowledgements are out: the other sites' panics are in flight.
        while acked.count < 5, let a = try next() {
            if a.done == true { break }
            acked.append(a)
        }
        #expect(acked.count == 5, "the diallers saw \(acked.count) acknowledgements before the kill")
        server.stop(SIGKILL)
        server = try Self.restart(db, dc09Port: port, settings)
        var done: Acked?
        while let a = try next() {
            if a.done == true { done = a; break }
            acked.append(a)
        }
        let (status, stderr) = dialler.finish()
        #expect(status == 0 && done != nil, "the dialler: \(stderr)")
        #expect(acked.allSatisfy { $0.error == nil }, "\(acked.filter { $0.error != nil })")
        #expect(acked.count == accounts.count * 6, "every event is acknowledged in the end: \(acked.count)")

        // Every acknowledged event is stored under its account and sequence; every site has exactly one alert
        // (its panic), never two for a panic committed before the kill and sent again after it.
        let store = try TestDatabases.database(db).openStore()
        var missing: [String] = []
        for a in acked {
            guard let account = a.account, let seq = a.seq else { continue }
            let receipt = try store.receiptWithTime(sender: Array("dc09:\(account)".utf8), sequence: UInt64(seq))
            if receipt?.0.status != "aceptada" { missing.append("\(account)#\(seq) \(a.code ?? "")") }
        }
        #expect(missing.isEmpty, "acknowledged but not stored: \(missing)")
        for account in accounts {
            #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE site_account = '\(account)'") == "1",
                    "site \(account)")
        }
        #expect(server.stop() == 0)
    }

    /// The server again on the killed one's DC-09 port (another process may hold it for a moment: each try is a
    /// real start, at most 50).
    static func restart(_ db: String, dc09Port: Int, _ settings: [String]) throws -> Server {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try Server(database: db, extra: settings + ["--set", "dc09.port=\(dc09Port)"])
            } catch let error as Server.ServerError where error.log.contains("Address already in use") && attempt < 50 {
                continue
            }
        }
    }
}
