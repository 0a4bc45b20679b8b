import BotonNet
import BotonRepository
import BotonStore
import Foundation
import Testing

/// The database fails over (issue 14, item 7): a PostgreSQL primary with a synchronous streaming standby, both
/// started for the test by `Scripts/cluster up 0` in a temporary directory (stopped by `Scripts/cluster down` at the
/// end, also on failure), and a real `boton serve` whose `store.postgresql` names both hosts with
/// `target_session_attrs=read-write`. Under `alert load`, the primary's postmaster is SIGKILLed and the standby
/// promoted: the node reconnects by itself, the load goes on, and every alert the phones were told is stored is on
/// the new primary with the incident its answer named.
private let postgresBinaries: String? = {
    let base = "/usr/lib/postgresql"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
    guard let version = versions.sorted().last else { return nil }
    let bin = "\(base)/\(version)/bin"
    let tools = ["initdb", "pg_ctl", "pg_basebackup", "psql"]
    return tools.allSatisfy { FileManager.default.isExecutableFile(atPath: bin + "/" + $0) } ? bin : nil
}()

@Suite(.enabled(if: postgresBinaries != nil,
                "PostgreSQL's initdb, pg_ctl, pg_basebackup and psql are missing (Debian package postgresql)"))
struct DatabaseFailoverTests {
    /// A primary and a synchronous standby on free loopback ports, migrated, with the bundled territory.
    final class Pair {
        let dir = TemporaryDirectory()
        var state: String { dir.file("cluster") }
        let connectionString: String
        /// The ports of the first primary and the first standby (they swap roles at each promotion).
        let primaryPort: Int
        let standbyPort: Int

        init() throws {
            let up = try Self.script(["up", "0"], state: dir.file("cluster"))
            guard up.status == 0 else { throw WebClientError("Scripts/cluster up 0 failed: \(up.stderr)") }
            connectionString = try String(contentsOfFile: dir.file("cluster/conninfo"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let env = try String(contentsOfFile: dir.file("cluster/cluster.env"), encoding: .utf8)
            func port(_ key: String) -> Int {
                env.split(separator: "\n").compactMap { line -> Int? in
                    line.hasPrefix(key + "=") ? Int(line.dropFirst(key.count + 1)) : nil
                }.first ?? 0
            }
            primaryPort = port("PRIMARY_PORT")
            standbyPort = port("STANDBY_PORT")
        }

        deinit { _ = try? script(["down"]) }

        var settings: [String] { ["--set", "store.backend=postgresql", "--set", "store.postgresql=\(connectionString)"] }

        @discardableResult
        func script(_ arguments: [String]) throws -> Boton.Result { try Self.script(arguments, state: state) }

        static func script(_ arguments: [String], state: String) throws -> Boton.Result {
            try Boton.runProcess("/usr/bin/env", ["BOTON=\(Boton.executable)", "BOTON_CLUSTER_STATE=\(state)",
                                                  Boton.root + "/Scripts/cluster"] + arguments)
        }

        /// A connection to the standby alone (after `promote`, the new primary).
        func standby() throws -> PostgresDatabase { try connect(port: standbyPort) }

        /// A connection to the server on `port` alone, whatever its role.
        func connect(port: Int) throws -> PostgresDatabase {
            let single = connectionString
                .replacingOccurrences(of: #"host=\S+"#, with: "host=127.0.0.1", options: .regularExpression)
                .replacingOccurrences(of: #"port=\S+"#, with: "port=\(port)", options: .regularExpression)
                .replacingOccurrences(of: "target_session_attrs=read-write", with: "")
            return try PostgresDatabase(connectionString: single)
        }

        func provision(line: String) throws -> (device: String, secret: String) {
            try IntegrationTests.provision(line: line, settings: settings)
        }
    }

    @Test func afterThePrimaryIsKilledAndTheStandbyPromotedEveryAcknowledgedAlertIsOnTheNewPrimary() throws {
        let pair = try Pair()
        let node = try Server(database: pair.dir.file("node.sqlite"), extra: pair.settings)
        defer { node.stop() }
        let acknowledged = pair.dir.file("acknowledged.txt")

        // Load through the node: 40 phones, 50 alerts/s for 6 s, each retried until answered.
        let settings = pair.settings
        let port = node.udpPort
        let load = Thread.detachNewThreadWithResult {
            try? Boton.run(["alert", "load", "--devices", "40", "--rate", "50", "--duration", "6", "--grace", "60",
                            "--port", String(port), "--acknowledged", acknowledged, "--json"] + settings)
        }
        // Some alerts acknowledged by the first primary…
        try poll("30 acknowledged alerts") { Self.lines(acknowledged).count >= 30 }
        let before = Self.lines(acknowledged).count

        // …then the primary dies (SIGKILL of its postmaster) and the standby is promoted.
        let kill = try pair.script(["kill-primary"])
        #expect(kill.status == 0, "\(kill.stderr)")

        // While no writable primary is reachable, /salud answers 503 naming the setting.
        try poll("/salud 503 naming store.postgresql") {
            guard let health = try? WebClient(port: node.httpPort).get("/salud") else { return false }
            return health.status == 503 && health.text.contains("store.postgresql")
        }
        let promote = try pair.script(["promote"])
        #expect(promote.status == 0, "\(promote.stderr)")
        // The node finds the new primary by itself and the load goes on.
        try node.waitFor("event=storage_reconnected", within: .seconds(60))
        let report = load.wait()
        #expect(report?.stdout.contains("\"lost\":0") == true, "\(report?.stdout ?? "") \(report?.stderr ?? "")")
        let lines = Self.lines(acknowledged)
        #expect(lines.count > before, "nothing acknowledged after the failover")

        // Every alert the phones were told is stored is on the new primary, with the incident its answer named.
        let primary = try pair.standby()
        let readOnly = try primary.isReadOnly
        #expect(!readOnly, "the standby was not promoted")
        var missing: [String] = []
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 4, fields[2] == "aceptada" || fields[2] == "duplicada",
                  let sequence = Int64(fields[1]), let incident = Int64(fields[3]) else {
                Issue.record("unexpected line in the acknowledged file: \(line)")
                continue
            }
            let stored = try primary.prepared("""
                SELECT r.incident_id FROM frame_receipt r JOIN incident i ON i.id = r.incident_id
                WHERE r.sender_id = decode(?1, 'hex') AND r.sequence = ?2
                """).first([.text(fields[0]), .integer(sequence)]) { $0.int64(0) }
            if stored != incident { missing.append("\(line) (stored: \(stored.map(String.init) ?? "nothing"))") }
        }
        #expect(missing.isEmpty, "acknowledged but not on the new primary: \(missing.prefix(10))")
        #expect(node.stop() == 0)
    }

    /// A promotion while the old primary still runs (cut off rather than dead) fences it: stopped, and marked to
    /// start only as a standby, so no node can write beside the new primary. `rejoin` rebuilds it as the new
    /// primary's synchronous standby on its old port, and the cluster can fail over again with nothing lost.
    @Test func aPromotionFencesTheOldPrimaryAndRejoinLetsTheClusterFailOverAgain() throws {
        let pair = try Pair()
        let phone = try pair.provision(line: "0991110301")
        // Every alert its own incident: each answer names a new one.
        let node = try Server(database: pair.dir.file("node.sqlite"),
                              extra: pair.settings + ["--set", "ingest.merge_window_s=0"])
        defer { node.stop() }
        func send(_ sequence: Int) throws -> Int64? {
            let now = String(Int(Date().timeIntervalSince1970 * 1000))
            let r = try Boton.run(["alert", "send", "--port", String(node.udpPort), "--device", phone.device,
                                   "--secret", phone.secret, "--sequence", String(sequence), "--timestamp", now])
            guard r.stdout.hasPrefix("aceptada secuencia=\(sequence) ") else {
                Issue.record("alert \(sequence): \(r.stdout) \(r.stderr)")
                return nil
            }
            return r.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }
                .flatMap { Int64($0.dropFirst("incidente=".count)) }
        }
        func stored(_ db: PostgresDatabase) throws -> [Int64: Int64] {
            Dictionary(uniqueKeysWithValues: try db.prepared("""
                SELECT r.sequence, r.incident_id FROM frame_receipt r JOIN incident i ON i.id = r.incident_id
                """).rows([]) { ($0.int64(0), $0.int64(1)) })
        }
        /// `/salud`'s almacen.replicacion.sincrona, once it reads `expected` (the health monitor measures on its own).
        func synchronous(becomes expected: Bool) throws {
            try poll("/salud replicacion.sincrona = \(expected)") {
                guard let health = try? WebClient(port: node.httpPort).get("/salud"),
                      let json = try? JSONSerialization.jsonObject(with: Data(health.text.utf8)) as? [String: Any],
                      let store = json["almacen"] as? [String: Any],
                      let replication = store["replicacion"] as? [String: Any] else { return false }
                return replication["sincrona"] as? Bool == expected
                    && (expected ? replication["replicas_sincronas"] as? Int == 1
                                 : (replication["mensaje"] as? String)?.contains("un solo host") == true)
            }
        }
        try synchronous(becomes: true)
        var answered: [Int64: Int64] = [:]
        answered[1] = try send(1)

        // The standby is promoted while the primary still runs: the primary is stopped first.
        let promote = try pair.script(["promote"])
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(throws: StoreError.self) { try pair.connect(port: pair.primaryPort) }
        // The node finds the new primary by itself (its next commit fails on the fenced server, it reconnects).
        answered[2] = try send(2)
        let status = try pair.script(["status"])
        #expect(status.stdout.contains("127.0.0.1:\(pair.standbyPort)  primario"), "\(status.stdout)")
        // Until the rejoin, a commit is on one host: /salud says so (and still answers 200: alerts are taken).
        try synchronous(becomes: false)
        #expect(try WebClient(port: node.httpPort).get("/salud").status == 200)
        #expect(try Boton.run(["db", "status"] + pair.settings).stdout.contains("synchronous standby: none"))

        // Rejoin: the old primary's port serves again, as a standby that each COMMIT waits for.
        let rejoin = try pair.script(["rejoin"])
        #expect(rejoin.status == 0, "\(rejoin.stderr)")
        let rebuilt = try pair.connect(port: pair.primaryPort)
        #expect(try rebuilt.isReadOnly)
        let primary = try pair.standby()
        #expect(try primary.prepared("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
            .first([]) { $0.int(0) } == 1)
        try synchronous(becomes: true)
        #expect(try Boton.run(["db", "status"] + pair.settings).stdout.contains("synchronous standby: * (in sync now: 1)"))
        answered[3] = try send(3)
        try poll("alert 3 replayed on the rebuilt standby") { try stored(rebuilt)[3] != nil }

        // And the cluster fails over again, now towards the rebuilt server: every answered alert is there.
        #expect(try pair.script(["kill-primary"]).status == 0)
        let again = try pair.script(["promote"])
        #expect(again.status == 0, "\(again.stderr)")
        answered[4] = try send(4)
        let final = try pair.connect(port: pair.primaryPort)
        #expect(try !final.isReadOnly)
        #expect(answered.count == 4)
        #expect(try stored(final) == answered)
        #expect(node.stop() == 0)
    }

    /// The synchronous standby goes away: the primary makes every COMMIT wait for it, so no alert can be
    /// acknowledged. The node says so (`/salud` 503 naming the likely cause, `event=commit_stalled`) rather than look
    /// healthy; when the standby is back the waiting alert is acknowledged and stored once, and `/salud` recovers.
    @Test func whileTheSynchronousStandbyIsGoneNothingIsAcknowledgedAndSaludSaysWhy() throws {
        let pair = try Pair()
        let phone = try pair.provision(line: "0991110401")
        let node = try Server(database: pair.dir.file("node.sqlite"),
                              extra: pair.settings + ["--set", "ingest.stalled_commit_ms=300"])
        defer { node.stop() }
        #expect(try WebClient(port: node.httpPort).get("/salud").status == 200)

        #expect(try pair.script(["stop-standby"]).status == 0)
        let port = node.udpPort
        let now = String(Int(Date().timeIntervalSince1970 * 1000))
        let sent = Thread.detachNewThreadWithResult {
            try? Boton.run(["alert", "send", "--port", String(port), "--device", phone.device, "--secret", phone.secret,
                            "--sequence", "1", "--timestamp", now])
        }
        try node.waitFor("event=commit_stalled", within: .seconds(60))
        try poll("/salud 503 naming synchronous_standby_names") {
            guard let health = try? WebClient(port: node.httpPort).get("/salud") else { return false }
            return health.status == 503 && health.text.contains("synchronous_standby_names")
                && health.text.contains("ninguna alerta se confirma")
        }

        #expect(try pair.script(["start-standby"]).status == 0)
        let answer = sent.wait()
        #expect(answer?.stdout.hasPrefix("aceptada secuencia=1 ") == true, "\(answer?.stdout ?? "") \(answer?.stderr ?? "")")
        try node.waitFor("event=commit_stall_ended", within: .seconds(60))
        try poll("/salud 200 again") { (try? WebClient(port: node.httpPort).get("/salud").status) == 200 }
        let primary = try pair.connect(port: pair.primaryPort)
        #expect(try primary.prepared("SELECT count(*) FROM incident").first([]) { $0.int(0) } == 1)
        #expect(node.stop() == 0)
    }

    @Test func aStoreThatCannotServeStopsTheStartNamingTheSetting() throws {
        let pair = try Pair()
        let closed = try UDPListener(host: "127.0.0.1", port: 0).address.port  // nothing listens on TCP there
        let standbyOnly = pair.connectionString
            .replacingOccurrences(of: #"host=\S+"#, with: "host=127.0.0.1", options: .regularExpression)
            .replacingOccurrences(of: #"port=\S+"#, with: "port=\(pair.standbyPort)", options: .regularExpression)
            .replacingOccurrences(of: "target_session_attrs=read-write", with: "")
        let cases: [(String, String, String)] = [
            ("malformed", "host=127.0.0.1 dbname", "malformed"),
            ("unreachable", "host=127.0.0.1 port=\(closed) user=postgres dbname=boton connect_timeout=5",
             "cannot connect"),
            ("wrong password", pair.connectionString.replacingOccurrences(
                of: #"password=\S+"#, with: "password=equivocada", options: .regularExpression),
             "password authentication failed"),
            ("standby", standbyOnly, "accepts only reads"),
            ("schema", pair.connectionString.replacingOccurrences(of: "dbname=boton", with: "dbname=postgres"),
             "schema version 0"),
        ]
        for (name, connection, expected) in cases {
            do {
                let node = try Server(database: pair.dir.file("\(name).sqlite"),
                                      extra: ["--set", "store.backend=postgresql",
                                              "--set", "store.postgresql=\(connection)"])
                node.stop()
                Issue.record("\(name): the node started")
            } catch let error as Server.ServerError {
                #expect(error.log.contains("store.postgresql:") && error.log.contains(expected),
                        "\(name): \(error.log.suffix(800))")
                #expect(!error.log.contains("equivocada") && !error.log.contains("Fatal error"),
                        "\(name): \(error.log.suffix(800))")
            }
        }
    }

    /// The acknowledged file's complete lines.
    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            .filter { $0.split(separator: " ").count >= 5 }
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `limit` (a guard, not a timing assertion).
func poll(_ what: String, within limit: Duration = .seconds(60), _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + limit
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw WebClientError("timed out waiting for \(what)") }
        Thread.sleep(forTimeInterval: 0.05)
    }
}
