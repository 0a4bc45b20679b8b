import Foundation
import Testing
import BotonTestSupport

/// SIA DC-09 against the real `boton serve`, driven by independent peers: the `my-dc09-spt` dialler and `siadc09`
/// (Tests/IntegrationTests/Peers/dc09_peer.py).
@Suite struct DC09Tests {
    struct Answer: Decodable {
        let token: String?
        let seq: Int?
        let account: String?
        let encrypted: Bool?
        let timestamp: Double?
        let error: String?
        let raw: String?
    }

    struct Result: Decodable {
        let sent: Bool?
        let error: String?
        let answers: [Answer]?
        let frame: String?
        let polls: Int?
    }

    struct Input: Encodable {
        let port: Int
        let steps: [[String: Value]]
    }

    /// A JSON value for the peer's steps.
    enum Value: Encodable {
        case text(String), number(Int), flag(Bool), list([String]), object([String: Value]), none
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            case .flag(let b): try c.encode(b)
            case .list(let l): try c.encode(l)
            case .object(let o): try c.encode(o)
            case .none: try c.encodeNil()
            }
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        let d = Array(hex.utf8)
        return stride(from: 0, to: d.count - 1, by: 2).map { UInt8(String(decoding: d[$0...($0 + 1)], as: UTF8.self), radix: 16)! }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static let script = Boton.root + "/Tests/IntegrationTests/Peers/dc09_peer.py"
    static let hint = "Scripts/test installs the DC-09 peers (pip: my-dc09-spt, siadc09)."

    func peer(_ port: Int, _ steps: [[String: Value]]) throws -> [Result] {
        try PythonScript.run(Self.script, input: Input(port: port, steps: steps), as: [Result].self,
                             setupHint: Self.hint)
    }

    func addSite(_ db: String, account: String, key: String?, name: String, lat: String, lon: String,
                 supervision: Int? = nil) throws {
        let r = try Boton.run(["dc09", "account", "add", "--database", db, "--cuenta", account, "--nombre", name,
                               "--direccion", "Av. Amazonas N34-120", "--lat", lat, "--lon", lon,
                               "--contacto", "099 765 4321"] + (key.map { ["--clave", $0] } ?? [])
                              + (supervision.map { ["--supervision-s", String($0)] } ?? []))
        #expect(r.status == 0, "\(r.stderr)")
    }

    func dialler(_ transport: String, account: String, key: String?, type: String = "SIA-DCS",
                 _ params: [String: Value]) -> [String: Value] {
        ["dialler": .text(transport), "account": .text(account), "key": key.map { .text($0) } ?? .none,
         "type": .text(type), "params": .object(params)]
    }

    func build(token: String = "SIA-DCS", account: String, data: String, seq: Int, key: String? = nil,
               offset: Int = 0, xdata: [String] = []) -> [String: Value] {
        ["siadc09": .object(["token": .text(token), "account": .text(account), "data": .text(data),
                             "seq": .number(seq), "key": key.map { .text($0) } ?? .none, "offset_s": .number(offset),
                             "xdata": .list(xdata)])]
    }

    func raw(_ transport: String, _ frames: [String], key: String? = nil, expect: Int? = nil) -> [String: Value] {
        var step: [String: Value] = ["raw": .text(transport), "frames": .list(frames), "key": key.map { .text($0) } ?? .none]
        if let expect { step["expect"] = .number(expect) }
        return step
    }

    @Test func panicsFromTheDiallerOpenAlertsOnTheSitesUPCDurablyAndEveryAnswerIsTheStandards() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let key128 = "000102030405060708090A0B0C0D0E0F"
        let key192 = "000102030405060708090A0B0C0D0E0F1011121314151617"
        let key256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
        // Quito (17), Guayaquil (09), Cuenca (01) and a clear-text site in Quito.
        try addSite(db, account: "1234", key: nil, name: "Farmacia La Y", lat: "-0.1807", lon: "-78.4678")
        try addSite(db, account: "A128", key: key128, name: "Banco Centro", lat: "-2.1894", lon: "-79.8862")
        try addSite(db, account: "A192", key: key192, name: "Escuela Sur", lat: "-0.2202", lon: "-78.5123")
        try addSite(db, account: "A256", key: key256, name: "Bus 42", lat: "-2.9001", lon: "-79.0059")
        let list = try Boton.run(["dc09", "account", "list", "--database", db])
        #expect(list.stdout.contains("A128\tactiva\tAES-128\tBanco Centro"))

        let server = try Server(database: db)
        let port = server.dc09Port

        // The dialler (my-dc09-spt): a panic in clear over TCP, AES-128 over UDP, AES-256 over TCP, Contact ID 120.
        let sent = try peer(port, [
            dialler("TCP", account: "1234", key: nil, ["code": .text("PA"), "zone": .number(1)]),
            dialler("UDP", account: "A128", key: key128, ["code": .text("HA"), "zone": .number(2)]),
            dialler("TCP", account: "A256", key: key256, type: "ADM-CID",
                    ["code": .number(120), "q": .number(1), "zone": .number(3)]),
            dialler("TCP", account: "1234", key: nil, ["code": .text("RP")]),
            dialler("TCP", account: "1234", key: nil, ["code": .text("BA"), "zone": .number(4)]),
            dialler("TCP", account: "1234", key: nil, ["code": .text("OR"), "user": .number(1)]),
        ])
        for (i, r) in sent.enumerated() { #expect(r.sent == true, "dialler step \(i): \(r.error ?? "-")") }
        // Every event the dialler saw acknowledged is stored: panic, hold-up, CID panic → alerts on the site's UPC.
        #expect(try sqlite(db, "SELECT upc_code FROM incident WHERE site_account = '1234' AND is_test = 0")
                    .hasPrefix("UPC-17D"))
        #expect(try sqlite(db, "SELECT upc_code FROM incident WHERE site_account = 'A128'").hasPrefix("UPC-09D"))
        #expect(try sqlite(db, "SELECT site_event_code || ' ' || site_event_meaning FROM incident "
                               + "WHERE site_account = 'A256'") == "CID 120 Pánico")
        #expect(try sqlite(db, "SELECT site_event_code FROM incident WHERE site_account = 'A128'") == "SIA HA")
        // The test report: a test alert; the burglary alarm opened nothing; the disarm after alarm cancelled.
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE site_account = '1234' AND is_test = 1") == "1")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE site_account = '1234'") == "2")
        #expect(try sqlite(db, "SELECT cancelled_at IS NOT NULL FROM incident WHERE site_account = '1234' "
                               + "AND is_test = 0") == "1")

        // siadc09: AES-192 with a position (it wins: Guayaquil, not the site's Quito), then the same message again
        // (a retransmission: ACK, no second alert), a timestamp outside the window (NAK with our time), and its
        // corrected resend (ACK).
        let frames = try peer(port, [
            build(account: "A192", data: "#A192|Nri1/PA501", seq: 7, key: key192, xdata: ["X-79.8862", "Y-2.1894"]),
            build(account: "A192", data: "#A192|Nri1/PA501", seq: 9, key: key192, offset: -600),
            build(account: "A192", data: "#A192|Nri1/PA501", seq: 9, key: key192),
            build(account: "BEEF", data: "#BEEF|Nri1/PA501", seq: 3),
            build(account: "1234", data: "#1234|NRP", seq: 11),
        ]).map { $0.frame ?? "" }
        let answers = try peer(port, [
            raw("TCP", [frames[0]], key: key192),
            raw("UDP", [frames[0]], key: key192),
            raw("TCP", [frames[1], frames[2]], key: key192),
            raw("UDP", [frames[3]]),
            // Two messages in one datagram: two answers.
            raw("UDP", [frames[4] + frames[3]], expect: 2),
        ]).map { $0.answers ?? [] }
        #expect(answers[0].first?.token == "ACK" && answers[0].first?.encrypted == true && answers[0].first?.seq == 7,
                "\(answers[0])")
        #expect(answers[0].first?.account == "A192")
        #expect(answers[1].first?.token == "ACK" && answers[1].first?.seq == 7, "\(answers[1])")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE site_account = 'A192'") == "1")
        #expect(try sqlite(db, "SELECT upc_code || ' ' || location_source FROM incident WHERE site_account = 'A192'")
                    .hasPrefix("UPC-09D"))
        #expect(try sqlite(db, "SELECT location_source FROM incident WHERE site_account = 'A192'") == "gps")
        #expect(answers[2].count == 2, "\(answers[2])")
        #expect(answers[2].first?.token == "NAK", "\(answers[2])")
        if let nakTime = answers[2].first?.timestamp {
            #expect(abs(nakTime - Date().timeIntervalSince1970) < 120)
        }
        #expect(answers[2].last?.token == "ACK" && answers[2].last?.seq == 9, "\(answers[2])")
        #expect(answers[3].first?.token == "DUH" && answers[3].first?.account == "BEEF", "\(answers[3])")
        // (The DUH is immediate, the ACK waits for the commit: their order is not fixed on UDP.)
        #expect(Set(answers[4].compactMap { $0.token }) == ["ACK", "DUH"], "\(answers[4])")

        // Bad input on TCP: garbage, a wrong CRC (NAK), then a good message on the same connection (ACK).
        var badCRC = Self.bytes(hex: frames[4])
        badCRC[1] = badCRC[1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let garbage = "6e6f6973650d"  // "noise\r"
        let bad = try peer(port, [raw("TCP", [garbage, Self.hex(badCRC), frames[4]], expect: 2)]).first?.answers ?? []
        #expect(bad.map { $0.token } == ["NAK", "ACK"], "\(bad)")

        // Counted in /metrics by code.
        let metrics = try HTTPTestClient(port: server.metricsPort).request("GET", "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains("boton_dc09_events_total{code=\"SIA BA\",class=\"otro\"} 1"), "\(text)")
        #expect(text.contains("boton_dc09_answers_total{answer=\"DUH\",reason=\"cuenta_desconocida\"}"))
        #expect(text.contains("boton_dc09_answers_total{answer=\"NAK\",reason=\"ventana\"} 1"))
        _ = server.stop()
    }

    func poll(_ transport: String, account: String, key: String?, interval: Int, count: Int) -> [String: Value] {
        ["poll": .text(transport), "account": .text(account), "key": key.map { .text($0) } ?? .none,
         "interval": .number(interval), "count": .number(count)]
    }

    /// Item 5 of issue 16 with the real dialler: a site registered with `--supervision-s 2` (grace 1 s, the pass
    /// every 100 ms) stays off the "Sin señal" list while my-dc09-spt polls it every second, for longer than its
    /// interval plus grace; once the polls stop it is listed (the pass logs it, `/metrics` counts it, its UPC's
    /// console lists it); one more poll clears it, committed before its ACK.
    @Test func nullPollsKeepASiteOffTheSinSenalListAndTheirAbsencePutsItThere() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let key = "000102030405060708090A0B0C0D0E0F"
        try addSite(db, account: "5A5A", key: key, name: "Joyería Quito", lat: "-0.2202", lon: "-78.5123",
                    supervision: 2)
        try addSite(db, account: "6B6B", key: nil, name: "Tienda sin supervisión", lat: "-0.2202", lon: "-78.5123")
        let list = try Boton.run(["dc09", "account", "list", "--database", db])
        #expect(list.stdout.contains("5A5A\tactiva\tAES-128\tJoyería Quito") && list.stdout.contains("supervisión 2 s"),
                "\(list.stdout)")
        try addOfficer(db, "vigilante", upc: Applicant.quitoUPC)
        let server = try Server(database: db, extra: ["--set", "supervision.grace_s=1",
                                                      "--set", "supervision.check_ms=100"])
        defer { server.stop() }

        // Polls every second for more than interval + grace (3 s): the site is heard throughout.
        let polled = try peer(server.dc09Port, [
            poll("TCP", account: "5A5A", key: key, interval: 1, count: 6),
            poll("UDP", account: "6B6B", key: nil, interval: 1, count: 1),
        ])
        #expect(polled.map { $0.polls } == [6, 1], "every poll acknowledged")
        #expect(try sqlite(db, "SELECT count(*) FROM sender_supervision WHERE silent_since IS NOT NULL") == "0")
        #expect(try sqlite(db, "SELECT kind || ' ' || sender || ' ' || upc_code FROM sender_supervision")
                    == "sitio 5A5A \(Applicant.quitoUPC)")

        // No more polls: the pass finds it silent (waited for on its log line, not on a clock).
        try server.waitFor("event=sender_silent kind=sitio sender=5A5A")
        #expect(try sqlite(db, "SELECT count(*) FROM sender_supervision WHERE silent_since IS NOT NULL") == "1")
        try waitForMetric(server, "boton_senders_silent{kind=\"sitio\"} 1")
        let console = try WebClient(port: server.httpPort)
        _ = try console.postJSON("/api/v1/sesiones", ["usuario": "vigilante", "contrasena": officerPassword])
        let silent = try console.get("/api/v1/consola/sin-senal")
        #expect(silent.status == 200)
        let rows = try #require(try silent.value("sin_senal") as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["tipo"] as? String == "sitio" && rows.first?["id"] as? String == "5A5A")
        #expect(rows.first?["nombre"] as? String == "Joyería Quito" && rows.first?["intervalo_s"] as? Int == 2)
        #expect(rows.first?["latitud"] as? Double == -0.2202 && rows.first?["sin_senal_desde"] is String)

        // One poll: cleared in the batch that was committed before its ACK.
        let again = try peer(server.dc09Port, [poll("TCP", account: "5A5A", key: key, interval: 1, count: 1)])
        #expect(again.first?.polls == 1)
        #expect(try sqlite(db, "SELECT count(*) FROM sender_supervision WHERE silent_since IS NOT NULL") == "0")
        let cleared = try console.get("/api/v1/consola/sin-senal")
        #expect((try cleared.value("sin_senal") as? [[String: Any]])?.isEmpty == true)
        try waitForMetric(server, "boton_senders_silent{kind=\"sitio\"} 0")
    }

    /// Reads `/metrics` until it shows `line` (the supervision pass refreshes its counts every check); a deadline
    /// only guards against a hang.
    func waitForMetric(_ server: Server, _ line: String) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var text = ""
        while ContinuousClock.now < deadline {
            text = String(decoding: try HTTPTestClient(port: server.metricsPort).request("GET", "/metrics").body,
                          as: UTF8.self)
            if text.contains(line) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("no \(line) in /metrics within 30 s:\n\(text)")
    }
}
