import BotonCore
import BotonRepository
import BotonStore
import BotonStoreFixtures
import Foundation
import Testing

/// Issue 13, finding 8, in miniature against the real binary: one operator opens many event streams with
/// `Last-Event-ID: 0` over a window of a few thousand events of three UPCs, while a console of another UPC
/// receives a new alert live. Each replay reads only its scope's events, by pages, off the live feed's thread.
@Suite struct ConsoleReplayIntegrationTests {
    @Test func manyReplayingStreamsOfOneOperatorGetExactlyTheirScopeWhileAnotherConsoleGetsItsAlertLive() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOperator(db, "quito", role: "operador_upc", upc: ConsoleTests.quitoUPC)
        try addOperator(db, "guayas", role: "operador_upc", upc: Applicant.guayaquil.upc)
        let (device, secret) = try provision(db, line: "098 765 4321", lat: Applicant.guayaquil.latitude,
                                             lon: Applicant.guayaquil.longitude)

        // The window: 3,000 events, interleaved, of an alert of Quito's UPC, one of its neighbour (not escalated:
        // not Quito's to see) and one of Guayaquil's. Taken already: a recibida alert shown on its UPC's console
        // would become notificada, one more event in the window.
        let store = try TestDatabases.database(db).openStore()
        let now = Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
        let upcs = [ConsoleTests.quitoUPC, ConsoleTests.neighbourUPC, Applicant.guayaquil.upc]
        let alerts = try store.insertIncidentFixtures(upcs.enumerated().map { index, upc in
            IncidentFixture(lineE164: "+59399000000\(index)", outcome: nil, upcCode: upc, subcircuitCode: nil,
                            openedAt: now.adding(milliseconds: -60_000), takenAt: now.adding(milliseconds: -50_000),
                            closedAt: nil)
        })
        var quitoEvents: [Int64] = []
        try store.sql.inTransaction { () throws(StoreError) in
            for n in 0..<1_000 {
                for (alert, upc) in zip(alerts, upcs) {
                    let id = try store.appendIncidentEvent(IncidentEventRecord(
                        incidentID: alert, kind: "nota", actor: "operador:1", at: now.adding(milliseconds: -30_000),
                        detail: "nota \(n)"))
                    if upc == ConsoleTests.quitoUPC { quitoEvents.append(id) }
                }
            }
        }

        let server = try Server(database: db, extra: ["--set", "console.streams_per_session=12"])
        defer { server.stop() }
        let guayas = try apiSession(server, "guayas")
        let live = try EventStream(port: server.httpPort, cookies: guayas.client.cookies)
        #expect(live.status == 200)
        // Its snapshot (its UPC's current alert), then sincronizado.
        #expect(try live.next().int("alerta.id") == Int(alerts[2]))
        #expect(try live.next().event == "sincronizado")

        // One operator, twelve streams, every one asking for the whole window.
        let quito = try apiSession(server, "quito")
        var replaying: [EventStream] = []
        for _ in 0..<12 {
            let stream = try EventStream(port: server.httpPort, cookies: quito.client.cookies, lastEventID: 0)
            #expect(stream.status == 200)
            replaying.append(stream)
        }

        // Meanwhile Guayaquil's console gets a new alert of its UPC, complete, and the service answers.
        let sent = try Boton.run(["alert", "send", "--device", device, "--secret", secret,
                                  "--port", String(server.udpPort)])
        #expect(sent.stdout.hasPrefix("aceptada ") && sent.stdout.contains("upc=\(Applicant.guayaquil.upc)"),
                "\(sent.stdout)")
        let arrived = try live.next()
        #expect(arrived.event == "alerta" && arrived.string("evento.tipo") == "nueva")
        #expect(arrived.string("alerta.upc") == Applicant.guayaquil.upc && arrived.value("alerta.propia") as? Bool == true)
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)

        // Every replaying stream got exactly Quito's events, in order, then sincronizado.
        for stream in replaying {
            var ids: [Int64] = []
            var event = try stream.next()
            while event.event == "alerta" {
                #expect(event.string("alerta.upc") == ConsoleTests.quitoUPC)
                if let id = event.id { ids.append(id) }
                event = try stream.next()
            }
            #expect(event.event == "sincronizado" && event.raw == "{\"reenviados\":1000}")
            #expect(ids == quitoEvents)
        }
        try server.waitFor("event=console_connected", count: 13)
    }
}
