import BotonCore
import BotonStore
import BotonStoreFixtures
import Foundation
import Testing
import BotonRuntime

/// The complaint pages, the transparency page and its API against the real server over real sockets.
@Suite struct QuejasAndTransparencyWebTests {
    @Test func aCitizenFilesAComplaintAndAnOfficerResolvesIt() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let store = try TestDatabases.database(db).openStore()
        let ids = try store.insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
            openedAt: SystemClock.now().adding(seconds: -3600), closedAt: SystemClock.now().adding(seconds: -600))])
        let server = try Server(database: db)
        defer { server.stop() }

        let citizen = try WebClient(port: server.httpPort)
        let form = try citizen.get("/quejas")
        #expect(form.status == 200 && form.text.contains("<textarea id=\"descripcion\""))
        let token = try #require(WebClient.csrf(in: form.text))
        // Without a token nothing is stored.
        let forged = try citizen.postForm("/quejas", [("descripcion", "La patrulla nunca llegó a mi casa.")])
        #expect(forged.status == 403)
        // Every wrong field comes back, linked, with what was typed.
        let wrong = try citizen.postForm("/quejas", [("csrf", token), ("descripcion", "mal"), ("tramite", "BS-1"),
                                                     ("incidente", ""), ("contacto", "099 123 4567")])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("href=\"#descripcion\"") && wrong.text.contains("href=\"#tramite\""))
        #expect(wrong.text.contains("value=\"099 123 4567\"") && wrong.text.contains("aria-invalid=\"true\""))
        let filed = try citizen.postForm("/quejas", [
            ("csrf", token), ("descripcion", "Presioné el botón y la patrulla llegó una hora después."),
            ("tramite", ""), ("incidente", "INC-\(ids[0])"), ("contacto", "099 123 4567")])
        #expect(filed.status == 200, "\(filed.text)")
        let number = try #require(filed.text.range(of: #"Q-\d{6}"#, options: .regularExpression).map { String(filed.text[$0]) })

        // The officer of the alert's UPC sees it, takes it and resolves it.
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let list = try officer.get("/oficial/quejas")
        #expect(list.status == 200 && list.text.contains(number))
        let detail = try officer.get("/oficial/quejas/\(number)")
        #expect(detail.text.contains("Recibida") && detail.text.contains("099 123 4567"))
        let csrf = try #require(WebClient.csrf(in: detail.text))
        let taken = try officer.postForm("/oficial/quejas/\(number)/gestionar", [("csrf", csrf), ("nota", "")])
        #expect(taken.status == 303)
        let unresolved = try officer.postForm("/oficial/quejas/\(number)/resolver", [("csrf", csrf), ("nota", "")])
        #expect(unresolved.status == 422 && unresolved.text.contains("href=\"#nota\""))
        let resolved = try officer.postForm("/oficial/quejas/\(number)/resolver",
                                            [("csrf", csrf), ("nota", "Se llamó al ciudadano y se revisó la demora.")])
        #expect(resolved.status == 303)
        let final = try officer.get("/oficial/quejas/\(number)")
        #expect(final.text.contains("<dd id=\"estado\">Resuelta</dd>") && final.text.contains("Se llamó al ciudadano"))
        // A complaint received by phone, entered by the officer.
        let phone = try officer.postForm("/oficial/quejas/nueva", [
            ("csrf", csrf), ("canal", "telefono"), ("upc", ""), ("descripcion", "Llamó para quejarse de la atención en la UPC."),
            ("tramite", ""), ("incidente", ""), ("contacto", "")])
        #expect(phone.status == 303 && phone.header("Location")?.hasSuffix("?aviso=registrada") == true)
        // Both count in this month's provisional figures.
        let month = YearMonth(ecuador: SystemClock.now()).description
        let api = try citizen.get("/api/v1/estadisticas?desde=\(month)&hasta=\(month)")
        #expect(api.status == 200)
        let figures = try #require(try api.json()["cifras"] as? [[String: Any]])
        #expect(figures.first?["volumen_quejas"] as? Int == 2)
        #expect(figures.first?["volumen_atenciones"] as? Int == 1)
        #expect(figures.first?["fuente"] as? String == "provisional")
        // Officers' actions are in the audit log.
        let actions = try store.auditEntries(subject: nil, limit: 50).map(\.action)
        for action in ["registrar_queja", "ver_queja", "gestionar_queja", "resolver_queja"] {
            #expect(actions.contains(action), "\(action)")
        }
    }

    @Test func theTransparencyPageAndTheAPIServeTheSeries() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try Boton.run(["stats", "import", dir.write("tabla.txt", StatisticsCommandTests.seedTable), "--database", db])
        let server = try Server(database: db)
        defer { server.stop() }
        let client = try WebClient(port: server.httpPort)
        let page = try client.get("/transparencia")
        #expect(page.status == 200)
        #expect(page.text.components(separatedBy: "<tr><td data-etiqueta=\"Año\">").count - 1 == 84)
        #expect(page.text.contains("<img src=\"/transparencia/grafico.svg?desde=2019-01&amp;hasta=2025-12\""))
        let svg = try client.get("/transparencia/grafico.svg?desde=2019-01&hasta=2025-12")
        #expect(svg.status == 200 && svg.header("Content-Type") == "image/svg+xml; charset=utf-8")
        let table = try client.get("/transparencia/tabla.txt")
        #expect(table.text == StatisticsCommandTests.seedTable + "\n")
        let api = try client.get("/api/v1/estadisticas?desde=2020-04&hasta=2020-05")
        let figures = try #require(try api.json()["cifras"] as? [[String: Any]])
        #expect(figures.map { $0["volumen_atenciones"] as? Int } == [11714, 14334])
        for (query, code) in [("desde=2020-13", "month_format"), ("desde=2020-05&hasta=2020-01", "range_reversed"),
                              ("por=barrio", "level")] {
            let refused = try client.get("/api/v1/estadisticas?\(query)")
            let error = try refused.json()["error"] as? String
            #expect(refused.status == 422 && error == code, "\(query)")
        }
        let badPage = try client.get("/transparencia?desde=2020-05&hasta=2020-01")
        #expect(badPage.status == 422 && badPage.text.contains("El rango está invertido"))
    }

    /// Issue 15, bug 7: the page named the range asked for ("enero de 2019 a noviembre de 2026") over a table
    /// ending December 2025; it names what the table holds and says which months have no figures yet.
    @Test func theTransparencyPageNamesThePeriodItsTableHolds() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try Boton.run(["stats", "import", dir.write("tabla.txt", StatisticsCommandTests.seedTable), "--database", db])
        // The system's own first figures, this month: the default range now reaches the last finished month.
        let now = SystemClock.now()
        let current = YearMonth(ecuador: now)
        try TestDatabases.database(db).openStore().insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
            openedAt: max(current.ecuadorStart, now.adding(seconds: -600)), closedAt: now)])
        let server = try Server(database: db)
        defer { server.stop() }
        let client = try WebClient(port: server.httpPort)

        let page = try client.get("/transparencia")
        #expect(page.status == 200)
        #expect(page.text.contains("en el formato publicado en gob.ec, de enero de 2019 a diciembre de 2025.</p>"),
                "\(page.text)")
        let lastFinished = current.adding(months: -1)
        let gap = YearMonth.range(try #require(YearMonth("2026-01")), lastFinished)
        if !gap.isEmpty {
            let named = gap.count == 1 ? gap[0].spanishText
                : "de \(gap[0].spanishText) a \(gap.last!.spanishText)"
            #expect(page.text.contains("Sin cifras todavía para \(gap.count == 1 ? "1 mes" : "\(gap.count) meses") del "
                                       + "período pedido (\(named))"), "\(page.text)")
        }

        // A range asked for that reaches past the table: the table's own period, and the months without figures.
        let asked = try client.get("/transparencia?desde=2025-06&hasta=2026-03")
        #expect(asked.status == 200)
        #expect(asked.text.contains("de junio de 2025 a diciembre de 2025.</p>"))
        #expect(asked.text.contains("Sin cifras todavía para 3 meses del período pedido (de enero de 2026 a marzo de "
                                    + "2026)"))
        #expect(asked.text.components(separatedBy: "<tr><td data-etiqueta=\"Año\">").count - 1 == 7)
        // A range with everything: no such notice.
        let whole = try client.get("/transparencia?desde=2020-01&hasta=2020-12")
        #expect(whole.text.contains("de enero de 2020 a diciembre de 2020.</p>") && !whole.text.contains("Sin cifras"))
    }

    @Test func theRunningServiceClosesTheFinishedMonth() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let previous = YearMonth(ecuador: SystemClock.now()).adding(months: -1)
        try TestDatabases.database(db).openStore().insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
            openedAt: previous.ecuadorStart.adding(seconds: 60), closedAt: previous.ecuadorStart.adding(seconds: 600))])
        let server = try Server(database: db)
        try server.waitFor("event=stats_month_closed month=\(previous) quejas=0 atenciones=1 actor=sistema")
        server.stop()
        let revisions = try Boton.run(["stats", "revisions", "--database", db]).stdout
        #expect(revisions.contains("\(previous)\trevisión 0") && revisions.contains("cierre mensual"))
    }
}
