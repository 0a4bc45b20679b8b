import BotonCore
import BotonStore
import BotonStoreFixtures
import Foundation
import Testing
import BotonRuntime

/// /transparencia and /quejas in a real browser: headless Chromium driven over the DevTools protocol by
/// `Tests/Browser/transparencia.py` (it reuses registro.py's hand-written client). The published series is imported
/// and one month of the system's own alerts added; the page must show every month in the table and the chart must
/// load as an image under the site's Content-Security-Policy, without console errors; then a complaint is filed from
/// a phone-sized screen. With `BOTON_SCREENSHOTS=1` the page's screenshot is copied to
/// `Tests/Fixtures/screenshots/transparencia.png`.
@Suite struct TransparencyBrowserTests {
    @Test func aJournalistReadsTheSeriesAndTheChartAndACitizenFilesAComplaint() throws {
        let chromium = try BrowserTests.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try Boton.run(["stats", "import", dir.write("tabla.txt", StatisticsCommandTests.seedTable), "--database", db])
        // The system's own figures for last month, after the published series.
        let previous = YearMonth(ecuador: SystemClock.now()).adding(months: -1)
        try TestDatabases.database(db).openStore().insertIncidentFixtures((0..<12).map { i in
            IncidentFixture(outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
                            openedAt: previous.ecuadorStart.adding(seconds: 60),
                            closedAt: previous.ecuadorStart.adding(seconds: Int64(600 + i)))
        })
        let server = try Server(database: db)
        defer { server.stop() }
        // The service closes last month when it starts: the page then shows it as the system's frozen figure.
        try server.waitFor("event=stats_month_closed month=\(previous)")
        let run = try BrowserTests.python(Boton.root + "/Tests/Browser/transparencia.py", [
            "--chromium", chromium, "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path,
            "--queja", "Presioné el botón y nadie de la UPC me llamó.",
        ])
        try #require(run.status == 0, "the browser run failed:\n\(run.stderr)\nchromium log:\n\(BrowserTests.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((result["titulo"] as? String)?.hasPrefix("Transparencia") == true)
        // The 84 published months and the system's one, newest first (months with neither are absent).
        #expect(result["filas"] as? Int == 84 + 1)
        let first = try #require(result["primera_fila"] as? [String])
        #expect(first.first == String(previous.year) && first[3] == "12" && first[4] == "Sistema")
        #expect(result["ultima_fila"] as? [String] == ["2019", "01 · enero", "0", "16\u{00A0}650", "Publicado"])
        // The chart decoded at its natural size and is scaled to the page.
        let chart = try #require(result["grafico"] as? [String: Int])
        #expect(chart["ancho"] == 960 && chart["alto"] == 540 && (chart["mostrado"] ?? 0) > 300)
        #expect((result["grafico_alt"] as? String)?.contains("máximo 30\u{00A0}814 en mayo de 2019") == true)
        // Issue 15, item 19: on a 390 px phone the narrow drawing, its smallest text at least 11 px; neither the
        // page nor the table scrolls sideways; the numbers grouped like the chart's.
        let phone = try #require(result["telefono"] as? [String: Any])
        #expect((phone["fuente"] as? String)?.contains("ancho=movil") == true, "\(phone)")
        #expect((phone["natural"] as? Int) == 420)
        #expect((phone["texto_minimo_px"] as? Double ?? 0) >= 11, "\(phone)")
        #expect(phone["desborde_pagina"] as? Int == 0 && phone["desborde_tabla"] as? Int == 0, "\(phone)")
        #expect((phone["tabla_derecha"] as? Double ?? 999) <= (phone["ventana"] as? Double ?? 0), "\(phone)")
        #expect(phone["ultima_fila"] as? [String] == ["2019", "01 · enero", "0", "16\u{00A0}650", "Publicado"],
                "\(phone)")
        #expect((result["queja"] as? String)?.hasPrefix("Q-") == true)
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")
        let screenshots = try #require(result["screenshots"] as? [String])
        // By name: the run also takes a phone-sized screenshot of /transparencia, which is not kept.
        try BrowserTests.checkScreenshots(screenshots, keep: ["transparencia.png", "queja.png"])
    }
}
