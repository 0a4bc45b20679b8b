import BotonTestSupport
import Foundation
import Testing

/// The officers' pages in a real browser at a desk's size (1366×768), driven by `Tests/Browser/oficial.py`: a
/// link to a request followed before signing in returns to that request after the sign-in form, the pages use the
/// screen's width, and no número de trámite wraps (issue 15, item 15). Console errors and CSP violations fail it.
@Suite struct OfficerBrowserTests {
    @Test func aDeepLinkSurvivesTheSignInAndTheListUsesTheDesksWidth() throws {
        let chromium = try BrowserTests.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        var tramites: [String] = []
        for (i, line) in ["099 123 4567", "099 123 4568", "099 123 4569"].enumerated() {
            var applicant = Applicant()
            applicant.phone = line
            applicant.cedula = ["1710034065", "0926687856", "1713175071"][i]
            tramites.append(try #require(try citizen.postJSON("/api/v1/enrolamientos", applicant.json).string("tramite")))
        }
        let run = try Boton.runProcess("python3", [
            Boton.root + "/Tests/Browser/oficial.py", "--chromium", chromium,
            "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path, "--usuario", "andrade",
            "--tramite", tramites[1], "--password-stdin",
        ], stdin: officerPassword + "\n")
        try #require(run.status == 0, "the browser run failed:\n\(run.stderr)\nchromium log:\n\(BrowserTests.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(result["destino"] as? String == "/oficial/solicitudes/\(tramites[1])")
        #expect(Set(result["tramites"] as? [String] ?? []) == Set(tramites))
        #expect(result["partidos"] as? [String] == [], "números de trámite on two lines: \(result["partidos"] ?? "")")
        // A desk page: wider than the citizens' 46rem column (736 px), and nothing beyond the window.
        let main = try #require(result["ancho_main"] as? Double)
        #expect(main > 1000, "main is \(main) px wide in a 1366 px window")
        #expect(result["desborde"] as? Int == 0)
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")
    }
}
