import BotonTestSupport
import Foundation
import Testing

/// A distrito supervisor at the console in a real browser (`Tests/Browser/supervisor.py`): a line suspended by
/// false alarms is lifted from the alert's dossier, not only through the API; the dossier's history names the
/// operator by rank and name, and its dates read like every other page's (issue 15, items 14, 15 and 20).
@Suite struct SupervisorBrowserTests {
    @Test func aSupervisorLiftsASuspensionFromTheDossier() throws {
        let chromium = try BrowserTests.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let quito = try Boton.run(["operator", "add", "--database", db, "--usuario", "quito", "--nombre", "Andrade",
                                   "--grado", "Sbte.", "--rol", "operador_upc", "--upc", Applicant.quitoUPC,
                                   "--password-stdin"], stdin: officerPassword + "\n")
        #expect(quito.status == 0, "\(quito.stderr)")
        try addOperator(db, "sup17", role: "supervisor_distrito", district: "17D04")
        let (device, secret) = try provision(db, line: "099 123 4567", lat: "-0.2202", lon: "-78.5123")
        let server = try Server(database: db, extra: ["--set", "console.false_alarm_limit=2"])
        defer { server.stop() }
        let operatorAPI = try apiSession(server, "quito")
        func press(_ sequence: Int) throws -> Int {
            let r = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--port",
                                   String(server.udpPort), "--sequence", String(sequence)])
            guard let range = r.stdout.range(of: #"incidente=\d+"#, options: .regularExpression) else { return 0 }
            return Int(r.stdout[range].dropFirst("incidente=".count)) ?? 0
        }
        for sequence in 1...2 {
            let id = try press(sequence)
            #expect(try operatorAPI.post("/api/v1/consola/alertas/\(id)/tomar", [:]).status == 200)
            #expect(try operatorAPI.post("/api/v1/consola/alertas/\(id)/cerrar", ["resultado": "falsa_alarma"])
                .status == 200)
        }
        let third = try press(3)
        #expect(try operatorAPI.post("/api/v1/consola/alertas/\(third)/tomar", [:]).status == 200)

        let run = try Boton.runProcess("python3", [
            Boton.root + "/Tests/Browser/supervisor.py", "--chromium", chromium,
            "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path, "--usuario", "sup17",
            "--incidente", String(third), "--motivo", "El ciudadano fue capacitado de nuevo", "--password-stdin",
        ], stdin: officerPassword + "\n")
        try #require(run.status == 0, "the browser run failed:\n\(run.stderr)\nchromium log:\n\(BrowserTests.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let history = try #require(result["historial"] as? [String])
        #expect(history.contains { $0.hasSuffix(" · Sbte. Andrade") }, "\(history)")
        #expect(!history.contains { $0.contains("operador n.º") || $0.contains("operador:") }, "\(history)")
        let received = try #require(result["recibida"] as? String)
        #expect(received.range(of: #"^\d\d:\d\d del \d\d/\d\d/\d{4}$"#, options: .regularExpression) != nil, "\(received)")
        #expect(result["formulario"] as? String == "Levantar la suspensión de la línea")
        #expect(result["mensaje"] as? String == "Suspensión de la línea 099 123 4567 levantada.")
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")
        #expect(try sqlite(db, "SELECT count(*) FROM audit_log WHERE action = 'levantar_suspension' AND actor = 'operador:2' "
                           + "AND detail LIKE '%capacitado%'") == "1")
        #expect(try sqlite(db, "SELECT suspended_at IS NULL FROM phone_line WHERE e164 = '+593991234567'") == "1")
    }
}
