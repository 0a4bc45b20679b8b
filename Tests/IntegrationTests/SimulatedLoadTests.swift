import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// Issue 15, bug 5: the README's load test against the live service. The load generator's phones are simulated
/// lines and their alerts *simulacros*: hidden from consoles unless asked for (`?simulacion=1`), never escalated
/// (so never sent to the central), never counted; a real citizen's number is never taken over; and
/// `boton alert load --cleanup` removes them while the service runs, leaving everything real.
@Suite struct SimulatedLoadTests {
    @Test func loadAlertsAreHiddenSimulacrosThatNeverEscalateAndTheCleanupRemovesThem() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOperator(db, "admin", role: "administrador")
        let (device, secret) = try provision(db, line: "099 123 4567", lat: "-0.2202", lon: "-78.5123")
        let server = try Server(database: db, extra: ["--set", "console.sla_s=1"])
        defer { server.stop() }
        let admin = try apiSession(server, "admin")
        let plain = try EventStream(port: server.httpPort, cookies: admin.client.cookies)
        let withSimulations = try EventStream(port: server.httpPort, cookies: admin.client.cookies,
                                              path: "/consola/eventos?simulacion=1")
        #expect(try plain.next().event == "sincronizado")
        #expect(try withSimulations.next().event == "sincronizado")

        let load = try Boton.run(["alert", "load", "--database", db, "--devices", "5", "--rate", "20",
                                  "--duration", "1", "--port", String(server.udpPort), "--json"])
        #expect(load.stdout.contains("\"lost\":0"), "\(load.stdout) \(load.stderr)")
        let simulated = try sqliteColumn(db, "SELECT id FROM incident WHERE is_test = 2 ORDER BY id")
        #expect(simulated.count == 5, "one simulacro per simulated phone: \(simulated)")
        #expect(try sqlite(db, "SELECT count(*) FROM phone_line WHERE simulated = 1") == "5")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE is_test <> 2") == "0")

        // Then a real alert: the first alert a plain console is ever sent; the asking console saw the simulacros.
        let sent = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--sequence", "1",
                                  "--port", String(server.udpPort)])
        #expect(sent.stdout.hasPrefix("aceptada "), "\(sent.stdout)")
        let realID = try #require(Int(try sqlite(db, "SELECT id FROM incident WHERE is_test = 0")))
        let first = try plain.next()
        #expect(first.int("alerta.id") == realID && first.value("alerta.simulacro") == nil, "\(first.raw)")
        var seen = Set<Int>()
        while true {
            let event = try withSimulations.next()
            guard let id = event.int("alerta.id"), id != realID else { break }
            #expect(event.value("alerta.simulacro") as? Bool == true)
            seen.insert(id)
        }
        #expect(seen == Set(simulated.compactMap(Int.init)))
        let listed = try admin.client.get("/api/v1/consola/alertas")
        #expect(listed.status == 200 && !listed.text.contains("simulacro"), "\(listed.text)")
        let asked = try admin.client.get("/api/v1/consola/alertas?simulacion=1")
        #expect(asked.text.components(separatedBy: "\"simulacro\":true").count - 1 == 5, "\(asked.text)")

        // With a one-second SLA the real alert climbs to level 3; the simulacros, older, never move.
        while true {
            let event = try plain.next()
            if event.int("alerta.id") == realID, event.int("alerta.nivel_escalada") == 3 { break }
        }
        #expect(try sqlite(db, "SELECT max(escalation_level) FROM incident WHERE is_test = 2") == "0")
        #expect(try sqlite(db, "SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id "
                               + "WHERE i.is_test = 2 AND e.kind = 'escalada'") == "0")

        // The cleanup, with the service running: every simulacro (but the one holding the feed's newest event, if
        // any), every simulated line and device; nothing real.
        let cleanup = try Boton.run(["alert", "load", "--cleanup", "--database", db])
        #expect(cleanup.status == 0, "\(cleanup.stderr)")
        #expect(cleanup.stdout.hasPrefix("eliminadas: 5 alertas simuladas, 5 líneas simuladas"), "\(cleanup.stdout)")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE is_test = 2") == "0")
        #expect(try sqlite(db, "SELECT count(*) FROM phone_line WHERE simulated = 1") == "0")
        #expect(try sqlite(db, "SELECT count(*) FROM device") == "1")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE id = \(realID)") == "1")
        // The service goes on: the real line's next alert is answered and joins its open alert.
        let again = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--sequence", "2",
                                   "--port", String(server.udpPort)])
        #expect(again.stdout.hasPrefix("aceptada ") && again.stdout.contains("incidente=\(realID)"), "\(again.stdout)")
        #expect(server.stop() == 0)
    }
}
