import BotonStore
import Foundation
import Testing

/// Several stateless nodes on one PostgreSQL database (`store.backend = postgresql`), each a real `boton serve`:
/// a retransmission that reaches the other node is answered `duplicada` with the incident first named, an alert
/// ingested at one node reaches a console streaming from the other, and with both nodes writing at once a console
/// sees every event once, in id order. Needs the throw-away server of `Scripts/test` (`BOTON_TEST_POSTGRES`).
private let postgresAdmin = ProcessInfo.processInfo.environment["BOTON_TEST_POSTGRES"] ?? ""

@Suite(.enabled(if: !postgresAdmin.isEmpty, "BOTON_TEST_POSTGRES is not set (Scripts/test starts a server)"))
struct PostgresNodesTests {
    static var admin: String { postgresAdmin }

    /// A database of its own, migrated with the territory, dropped at the end.
    final class Cluster {
        let name = "boton_it_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let settings: [String]
        let dir = TemporaryDirectory()

        init() throws {
            let db = try PostgresDatabase(connectionString: PostgresNodesTests.admin)
            try db.execute("CREATE DATABASE \(name)")
            settings = ["--set", "store.backend=postgresql",
                        "--set", "store.postgresql=\(PostgresNodesTests.admin) dbname=\(name)"]
            for command in [["db", "migrate"], ["territory", "import"]] {
                let r = try Boton.run(command + settings)
                guard r.status == 0 else { throw WebClientError("\(command) failed: \(r.stderr)") }
            }
        }

        deinit {
            if let db = try? PostgresDatabase(connectionString: PostgresNodesTests.admin) {
                try? db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }

        /// A node: `boton serve` on this database, its own ports.
        func node(_ extra: [String] = []) throws -> Server {
            try Server(database: dir.file("node.sqlite"), extra: settings + extra)
        }

        func provision(line: String) throws -> (device: String, secret: String) {
            try IntegrationTests.provision(line: line, settings: settings)
        }

        func addOperator(_ username: String, role: String, upc: String? = nil) throws {
            var args = ["operator", "add", "--usuario", username, "--nombre", "Oficial \(username)", "--rol", role,
                        "--password-stdin"] + settings
            if let upc { args += ["--upc", upc] }
            let r = try Boton.run(args, stdin: officerPassword + "\n")
            guard r.status == 0 else { throw WebClientError("operator add failed: \(r.stderr)") }
        }

        /// One value read by an independent client (psycopg would do; our own libpq connection is enough here).
        func count(_ query: String) throws -> Int {
            let db = try PostgresDatabase(connectionString: PostgresNodesTests.admin + " dbname=\(name)")
            return try db.prepared(query).first([]) { $0.int(0) } ?? -1
        }
    }

    @Test func aRetransmissionToTheOtherNodeIsDuplicadaAndAnAlertAtOneNodeReachesAConsoleAtTheOther() throws {
        let cluster = try Cluster()
        let (device, secret) = try cluster.provision(line: "0991110201")
        try cluster.addOperator("quito", role: "operador_upc", upc: "UPC-17D04C01S01")
        let a = try cluster.node()
        defer { a.stop() }
        let b = try cluster.node()
        defer { b.stop() }

        // Node B listens for the other nodes' commits (its feed wakes on them, not only once a second).
        try b.waitFor("event=feed_wakeup_listening")
        // The console streams from node B.
        let session = try apiSession(b, "quito")
        let stream = try EventStream(port: b.httpPort, cookies: session.client.cookies)
        #expect(stream.status == 200)
        #expect(try stream.next().event == "sincronizado")

        // The alert is ingested at node A…
        let now = String(Int(Date().timeIntervalSince1970 * 1000))
        let frame = ["--device", device, "--secret", secret, "--sequence", "7", "--timestamp", now]
        let first = try Boton.run(["alert", "send", "--port", String(a.udpPort)] + frame)
        #expect(first.stdout.hasPrefix("aceptada secuencia=7 incidente=1 upc=UPC-17D04C01S01"), "\(first.stdout)")
        // …and reaches the console at node B.
        let arrived = try stream.next()
        #expect(arrived.event == "alerta" && arrived.string("evento.tipo") == "nueva" && arrived.int("alerta.id") == 1)

        // The same bytes reach node B (the phone did not hear A): the first answer, nothing stored twice.
        let again = try Boton.run(["alert", "send", "--transport", "tcp", "--port", String(b.tcpPort)] + frame)
        #expect(again.stdout.hasPrefix("duplicada secuencia=7 incidente=1 upc=UPC-17D04C01S01"), "\(again.stdout)")
        #expect(try cluster.count("SELECT count(*) FROM incident") == 1)
        #expect(a.stop() == 0 && b.stop() == 0)
    }

    /// Test (b): phones that know both nodes lose nothing when one dies under load.
    @Test func aNodeKilledUnderLoadLosesNothingAndThePhonesGoOnThroughTheOther() throws {
        let cluster = try Cluster()
        let a = try cluster.node()
        defer { a.stop() }
        let b = try cluster.node()
        defer { b.stop() }
        let acknowledged = cluster.dir.file("acknowledged.txt")
        let settings = cluster.settings
        let (portA, portB) = (a.udpPort, b.udpPort)
        let load = Thread.detachNewThreadWithResult {
            try? Boton.run(["alert", "load", "--devices", "40", "--rate", "50", "--duration", "6", "--grace", "60",
                            "--server", "127.0.0.1:\(portA)", "--server", "127.0.0.1:\(portB)",
                            "--acknowledged", acknowledged, "--json"] + settings)
        }
        // Some alerts acknowledged through node A, then A dies without a word.
        try poll("30 acknowledged alerts") { DatabaseFailoverTests.lines(acknowledged).count >= 30 }
        let before = DatabaseFailoverTests.lines(acknowledged).count
        kill(a.process.processIdentifier, SIGKILL)
        let report = load.wait()
        #expect(report?.stdout.contains("\"lost\":0") == true, "\(report?.stdout ?? "") \(report?.stderr ?? "")")
        #expect(report?.stdout.contains("\"failovers\":0") == false, "the load never moved to node B")
        let lines = DatabaseFailoverTests.lines(acknowledged)
        #expect(lines.count > before, "nothing acknowledged after node A died")
        // Every alert a phone was told is stored is stored, with the incident its answer named.
        let db = try PostgresDatabase(connectionString: PostgresNodesTests.admin + " dbname=\(cluster.name)")
        var missing: [String] = []
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 4, let sequence = Int64(fields[1]), let incident = Int64(fields[3]) else {
                Issue.record("unexpected line in the acknowledged file: \(line)")
                continue
            }
            let stored = try db.prepared("""
                SELECT r.incident_id FROM frame_receipt r JOIN incident i ON i.id = r.incident_id
                WHERE r.sender_id = decode(?1, 'hex') AND r.sequence = ?2
                """).first([.text(fields[0]), .integer(sequence)]) { $0.int64(0) }
            if stored != incident { missing.append("\(line) (stored: \(stored.map(String.init) ?? "nothing"))") }
        }
        #expect(missing.isEmpty, "acknowledged but not stored: \(missing.prefix(10))")
        #expect(b.stop() == 0)
    }

    @Test func withBothNodesWritingAConsoleSeesEveryEventOnceInIdOrder() throws {
        let cluster = try Cluster()
        try cluster.addOperator("admin", role: "administrador")
        let a = try cluster.node()
        defer { a.stop() }
        let b = try cluster.node()
        defer { b.stop() }
        let stream: EventStream
        do {
            let session = try apiSession(b, "admin")
            // The loads' alerts are simulacros: a console sees them when it asks (`?simulacion=1`).
            stream = try EventStream(port: b.httpPort, cookies: session.client.cookies,
                                     path: "/consola/eventos?simulacion=1")
            #expect(try stream.next().event == "sincronizado")
        } catch {
            b.stop()
            Issue.record("no stream: \(error)\n\(b.log.suffix(3000))")
            return
        }

        // Two writers at once, one per node (each `alert load` provisions its own devices).
        let settings = cluster.settings
        let loads = [a.udpPort, b.udpPort].map { port in
            Thread.detachNewThreadWithResult {
                try? Boton.run(["alert", "load", "--devices", "20", "--rate", "100", "--duration", "2",
                                "--seed", String(port), "--port", String(port), "--json"] + settings)
            }
        }
        let reports = loads.map { $0.wait() }
        for report in reports { #expect(report?.stdout.contains("\"lost\":0") == true, "\(report?.stdout ?? "")") }

        // Every event of the table, once, in id order: read from the stream until the last one.
        let expected = try cluster.count("SELECT count(*) FROM incident_event")
        let last = Int64(try cluster.count("SELECT max(id) FROM incident_event"))
        var seen: [Int64] = []
        do {
            while seen.last.map({ $0 < last }) ?? true {
                let event = try stream.next()
                if let id = event.id, event.event == "alerta" { seen.append(id) }
            }
        } catch {
            b.stop()
            Issue.record("the stream ended after \(seen.count) of \(expected) events: \(error)\n\(b.log.suffix(3000))")
        }
        #expect(seen.count == expected, "events seen \(seen.count), stored \(expected)")
        #expect(seen == seen.sorted() && Set(seen).count == seen.count)
        #expect(a.stop() == 0 && b.stop() == 0)
    }
}

extension PostgresNodesTests {
    /// Issue 14 (d): escalation runs on the node holding the advisory lock; SIGKILL that node and another takes the
    /// lock and escalates what comes next.
    @Test func whenTheLeaderIsKilledAnotherNodeTakesOverAndEscalationGoesOn() throws {
        let cluster = try Cluster()
        let first = try cluster.provision(line: "0991110301")
        let second = try cluster.provision(line: "0991110302")
        let fast = ["--set", "console.sla_s=1", "--set", "cluster.leader_check_ms=100"]
        let a = try cluster.node(fast)
        defer { a.stop() }
        // The first node takes the role before it says it is ready; the second finds it taken.
        try a.waitFor("event=leader role=lider")
        let b = try cluster.node(fast)
        defer { b.stop() }
        try b.waitFor("event=leader role=seguidor")
        #expect(try role(a) == "lider" && role(b) == "seguidor")

        // An alert received by the follower is escalated by the leader.
        func send(_ device: (device: String, secret: String), to node: Server) throws -> String {
            try Boton.run(["alert", "send", "--port", String(node.udpPort), "--device", device.device,
                           "--secret", device.secret, "--sequence", "1"]).stdout
        }
        let one = try send(first, to: b)
        #expect(one.hasPrefix("aceptada secuencia=1 incidente=1"), "\(one)")
        try a.waitFor("event=incident_escalated incident=1 level=1")

        // The leader dies without a word: its session ends with its socket, and the follower takes the lock.
        kill(a.process.processIdentifier, SIGKILL)
        a.process.waitUntilExit()
        try b.waitFor("event=leader role=lider")
        let two = try send(second, to: b)
        #expect(two.hasPrefix("aceptada secuencia=1 incidente=2"), "\(two)")
        try b.waitFor("event=incident_escalated incident=2 level=1")
        #expect(try role(b, becoming: "lider") == "lider")

        // B escalated nothing while it followed: every escalation it logged comes after it took the role.
        #expect(b.stop() == 0)
        let log = b.log
        let tookOver = try #require(log.range(of: "event=leader role=lider"))
        #expect(log.range(of: "event=incident_escalated")!.lowerBound > tookOver.lowerBound)
        #expect(log.contains("event=leader role=seguidor") && log.contains("reason=detenido"),
                "a node that stops hands the role back: \(log.suffix(2000))")
    }

    /// `/salud`'s `cluster.rol`. With `becoming`, asks again until it says so (the monitor reads every 250 ms),
    /// within the log deadline.
    private func role(_ node: Server, becoming expected: String? = nil) throws -> String? {
        let deadline = ContinuousClock.now + Server.logLineDeadline
        while true {
            let health = try WebClient(port: node.httpPort).get("/salud")
            let role = try health.value("cluster.rol") as? String
            if expected == nil || role == expected || ContinuousClock.now > deadline { return role }
        }
    }
}

extension Thread {
    /// Runs `body` on a new thread; `wait()` returns its result.
    static func detachNewThreadWithResult<T: Sendable>(_ body: @escaping @Sendable () -> T) -> ThreadResult<T> {
        let result = ThreadResult<T>()
        Thread.detachNewThread { result.set(body()) }
        return result
    }
}

final class ThreadResult<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: T?

    func set(_ v: T) {
        condition.lock()
        value = v
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> T {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
