import BotonCore
import BotonCrypto
import BotonRepository
import BotonStore
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// Issue 15, items 14–20: the officer's tools and the words people read, through the real binary, real sockets
/// and the pages as a browser gets them.
@Suite struct OfficerDayTests {
    // MARK: Item 15: the administrator's command line

    @Test func administratorsListDisableEnableAndResetAccountsInSpanish() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOperator(db, "admin", role: "administrador")
        let added = try Boton.run(["operator", "add", "--database", db, "--usuario", "andrade", "--nombre", "Andrade",
                                   "--grado", "Sbte.", "--rol", "operador_upc", "--upc", Applicant.quitoUPC,
                                   "--password-stdin"], stdin: officerPassword + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let list = try Boton.run(["operator", "list", "--database", db])
        #expect(list.stdout == "1\tadmin\tOficial admin\tadministrador\tnacional\tactiva\n"
                + "2\tandrade\tSbte. Andrade\toperador_upc\tUPC-17D04C01S01\tactiva\n")

        let server = try Server(database: db)
        defer { server.stop() }
        let browser = try WebClient(port: server.httpPort)
        try signIn(browser, "andrade")
        #expect(try browser.get("/oficial/solicitudes").status == 200)

        func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
            let r = try Boton.run(["operator"] + args + ["--database", db], stdin: stdin)
            return (r.status, r.stdout, r.stderr)
        }
        // Only an enabled administrador acts, and says so in Spanish.
        let notAdmin = try run(["disable", "--usuario", "andrade", "--por", "andrade"])
        #expect(notAdmin.status == 1)
        #expect(notAdmin.stderr == "boton: --por: «andrade» no es una cuenta de administrador habilitada\n")
        let own = try run(["disable", "--usuario", "admin", "--por", "admin"])
        #expect(own.stderr == "boton: --usuario: un administrador no puede deshabilitar su propia cuenta\n")

        // Disabled: the live session ends at once and sign-in is refused.
        let disabled = try run(["disable", "--usuario", "andrade", "--por", "admin"])
        #expect(disabled.status == 0 && disabled.stdout == "deshabilitada: andrade\n")
        #expect(try browser.get("/oficial/solicitudes").status == 303)
        #expect(throws: WebClientError.self) { try signIn(WebClient(port: server.httpPort), "andrade") }
        #expect(try run(["disable", "--usuario", "andrade", "--por", "admin"]).stdout
                == "sin cambios: andrade ya estaba deshabilitada\n")
        #expect(try run(["list"]).stdout.contains("2\tandrade\tSbte. Andrade\toperador_upc\tUPC-17D04C01S01\tdeshabilitada\n"))
        #expect(try run(["enable", "--usuario", "andrade", "--por", "admin"]).stdout == "habilitada: andrade\n")
        try signIn(WebClient(port: server.httpPort), "andrade")

        // A forgotten password: a new one, the old one and its sessions no longer work.
        let short = try run(["reset-password", "--usuario", "andrade", "--por", "admin", "--password-stdin"],
                            stdin: "corta\n")
        #expect(short.stderr == "boton: contraseña: La contraseña debe tener al menos 12 caracteres.\n")
        let unknown = try run(["reset-password", "--usuario", "nadie", "--por", "admin"], stdin: "otra-clave-muy-larga\n")
        #expect(unknown.stderr == "boton: --usuario: No existe la cuenta «nadie».\n")
        #expect(try run(["disable", "--usuario", "nadie", "--por", "admin"]).stderr
            == "boton: --usuario: No existe la cuenta «nadie».\n")
        let reset = try run(["reset-password", "--usuario", "andrade", "--por", "admin"], stdin: "otra-clave-muy-larga\n")
        #expect(reset.status == 0 && reset.stdout == "contraseña restablecida: andrade; sus sesiones se cerraron\n")
        #expect(throws: WebClientError.self) { try signIn(WebClient(port: server.httpPort), "andrade") }
        try signIn(WebClient(port: server.httpPort), "andrade", password: "otra-clave-muy-larga")

        let audit = try TestDatabases.database(db).openStore().auditEntries(subject: "operador:2", limit: 100)
        let byAdmin = audit.filter { $0.actor == "operador:1" }.map(\.action)
        #expect(byAdmin == ["restablecer_contrasena", "habilitar_operador", "deshabilitar_operador"])
    }

    // MARK: Item 14: people, not numbers

    @Test func historiesAndTheDossierNameTheOfficerAndTheDocument() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let added = try Boton.run(["operator", "add", "--database", db, "--usuario", "andrade", "--nombre", "Andrade",
                                   "--grado", "Sbte.", "--rol", "operador_upc", "--upc", Applicant.quitoUPC,
                                   "--password-stdin"], stdin: officerPassword + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let server = try Server(database: db)
        defer { server.stop() }
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let (tramite, code) = try Self.enrolInPersonAndRegister(officer)
        let alert = try Boton.run(["alert", "test", "--device", Hex.encode(code.deviceID), "--secret",
                                   Hex.encode(code.secret), "--port", String(server.udpPort)])
        #expect(alert.stdout.hasPrefix("aceptada "), "\(alert.stdout)\(alert.stderr)")
        let incident = try #require(alert.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count))
        let token = try #require(WebClient.csrf(in: try officer.get("/oficial/solicitudes/\(tramite)").text))
        #expect(try officer.postForm("/oficial/solicitudes/\(tramite)/confirmar-prueba", [("csrf", token)]).status == 303)

        // The request's history and its contacts: the rank and name, never the account number.
        let detail = try officer.get("/oficial/solicitudes/\(tramite)")
        #expect(detail.text.contains("<td>Sbte. Andrade</td>"))
        #expect(detail.text.contains("<dd>Cédula 1710034065</dd>"))
        #expect(!detail.text.contains("Operador 1") && !detail.text.contains("operador:1"))

        // The console's dossier: the names of the people in the history, and the document as a person reads it.
        let dossier = try officer.get("/api/v1/consola/alertas/\(incident)")
        #expect(try dossier.string("ciudadano.documento_texto") == "Cédula 1710034065")
        let actors = try #require(try dossier.value("actores") as? [String: Any])
        #expect(actors["operador:1"] as? String == "Sbte. Andrade")
        let historial = try #require(try dossier.value("historial") as? [[String: Any]])
        #expect(historial.contains { $0["actor"] as? String == "operador:1" })

        // A complaint's history too.
        let form = try officer.get("/oficial/quejas/nueva")
        let qtoken = try #require(WebClient.csrf(in: form.text))
        let queja = try officer.postForm("/oficial/quejas/nueva", [
            ("csrf", qtoken), ("canal", "telefono"), ("upc", ""),
            ("descripcion", "Llamó para decir que nadie contestó su alerta de anoche."), ("tramite", ""),
            ("incidente", ""), ("contacto", "")])
        #expect(queja.status == 303)
        let page = try officer.get(try #require(queja.header("Location")))
        #expect(page.text.contains("Recibida · Sbte. Andrade"))
        #expect(!page.text.contains("operador:1"))
    }

    // MARK: Item 15: deep links, the audit log page, the requests' search

    @Test func signingInFromADeepLinkReturnsToItAndNowhereElse() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        // Nine sign-ins from one address: above the default burst of the sign-in rate limit.
        let server = try Server(database: db, extra: ["--set", "http.login_rate_burst=50"])
        defer { server.stop() }
        let browser = try WebClient(port: server.httpPort)
        let deep = try browser.get("/oficial/solicitudes?tramite=BS-2026-000001-5")
        #expect(deep.status == 303)
        #expect(deep.header("Location") == "/oficial/ingreso?volver=%2Foficial%2Fsolicitudes%3Ftramite%3DBS-2026-000001-5")
        let page = try browser.get(try #require(deep.header("Location")))
        #expect(page.text.contains("name=\"volver\" value=\"/oficial/solicitudes?tramite=BS-2026-000001-5\""))
        let token = try #require(WebClient.csrf(in: page.text))
        let signedIn = try browser.postForm("/oficial/ingreso", [("csrf", token), ("usuario", "andrade"),
                                                                 ("contrasena", officerPassword),
                                                                 ("volver", "/oficial/solicitudes?tramite=BS-2026-000001-5")])
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/oficial/solicitudes?tramite=BS-2026-000001-5")

        // Anything but a path of the officers' pages goes to the console: no open redirect.
        for hostile in ["//evil.example/oficial", "https://evil.example/consola", "/\\evil.example", "/oficial/ingreso",
                        "javascript:alert(1)", "/registro", " /consola", "/oficial/\u{0}x"] {
            let other = try WebClient(port: server.httpPort)
            let t = try other.csrfToken(from: "/oficial/ingreso?volver=" + hostile.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics)!)
            let answer = try other.postForm("/oficial/ingreso", [("csrf", t), ("usuario", "andrade"),
                                                                 ("contrasena", officerPassword), ("volver", hostile)])
            #expect(answer.header("Location") == "/consola", "\(hostile)")
        }
    }

    @Test func administratorsReadTheAuditLogPageByPageAndOthersCannot() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        try addOperator(db, "admin", role: "administrador")
        let store = try TestDatabases.database(db).openStore()
        for i in 1 ... 60 {
            try store.appendAudit(AuditEntry(at: Timestamp(millisecondsSince1970: 1_790_000_000_000 + Int64(i) * 60_000),
                                             actor: "operador:1", action: "ver_solicitud",
                                             subject: i % 2 == 0 ? "solicitud:BS-2026-000002-3" : "solicitud:BS-2026-000001-5",
                                             detail: "lectura \(i)"))
        }
        let server = try Server(database: db)
        defer { server.stop() }
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let refused = try officer.get("/oficial/auditoria")
        #expect(refused.status == 403 && refused.text.contains("Solo un administrador"))
        #expect(!(try officer.get("/oficial/solicitudes").text.contains("href=\"/oficial/auditoria\"")))

        let admin = try WebClient(port: server.httpPort)
        try signIn(admin, "admin")
        let first = try admin.get("/oficial/auditoria")
        #expect(first.status == 200)
        #expect(first.text.contains("<li><a href=\"/oficial/auditoria\">Auditoría</a></li>"))
        #expect(first.text.components(separatedBy: "<td class=\"fecha\">").count - 1 == 50)
        #expect(first.text.contains("Vio la solicitud"))
        #expect(first.text.contains(">Oficial admin</a>"))  // the admin's own sign-in, by name
        #expect(first.text.contains(">Sbte. Andrade</a>"))
        let more = try #require(first.text.range(of: #"id="mas-antiguos" href="([^"]+)""#, options: .regularExpression))
        let next = String(first.text[more].split(separator: "\"")[3]).replacingOccurrences(of: "&amp;", with: "&")
        let second = try admin.get(next)
        let rows = second.text.components(separatedBy: "<td class=\"fecha\">").count - 1
        #expect(rows > 0 && rows < 50)
        #expect(!second.text.contains("id=\"mas-antiguos\""))
        #expect(second.text.contains("lectura 1<"))
        // Narrowed to one subject.
        let one = try admin.get("/oficial/auditoria?sujeto=solicitud%3ABS-2026-000002-3")
        #expect(one.text.components(separatedBy: "<td class=\"fecha\">").count - 1 == 30)
        #expect(!one.text.contains("BS-2026-000001-5</a>"))
    }

    @Test func theRequestsListSearchesByTramiteShowsTheCitizenAndDoesNotWrapNumbers() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", Applicant().json).string("tramite"))
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let list = try officer.get("/oficial/solicitudes")
        #expect(list.text.contains("<td>María José Pérez Andrade</td>"))
        #expect(list.text.contains("<a class=\"tramite-n\" href=\"/oficial/solicitudes/\(tramite)\">"))
        #expect(list.text.contains("<label for=\"tramite\">Buscar por número de trámite"))
        let found = try officer.get("/oficial/solicitudes?tramite=" + tramite.lowercased())
        #expect(found.status == 303 && found.header("Location") == "/oficial/solicitudes/\(tramite)")
        let bad = try officer.get("/oficial/solicitudes?tramite=BS-2026-1")
        #expect(bad.status == 200 && bad.text.contains("«BS-2026-1» no es un número de trámite"))
    }

    // MARK: Item 16: enrollment rules

    @Test func verifiedOnlyAfterReachingTheCitizenTestArrivalShownCodeSpelledAsQRAndReissued() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", Applicant().json).string("tramite"))
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let base = "/oficial/solicitudes/\(tramite)"
        let token = try #require(WebClient.csrf(in: try officer.get(base).text))

        // A call nobody answered is a contact, but not one that reached the citizen: no verification yet.
        _ = try officer.postForm(base + "/contacto", [("csrf", token), ("resultado", "no_contesta")])
        let unreached = try officer.get(base)
        #expect(!unreached.text.contains("action=\"\(base)/verificar\""))
        #expect(unreached.text.contains("id=\"verificar-pendiente\""))
        let early = try officer.postForm(base + "/verificar", [("csrf", token)])
        #expect(early.status == 409)
        #expect(early.text.contains("registre una llamada en la que habló con el ciudadano (resultado «Contactado»)"))
        _ = try officer.postForm(base + "/contacto", [("csrf", token), ("resultado", "contactado")])
        #expect(try officer.get(base).text.contains("action=\"\(base)/verificar\""))
        #expect(try officer.postForm(base + "/verificar", [("csrf", token)]).status == 303)

        // The code: a QR to scan, and groups with the spelling alphabet to read aloud.
        let registered = try officer.postForm(base + "/registrar", [("csrf", token)])
        #expect(registered.text.contains("<figure class=\"qr\" id=\"codigo-qr\"><svg "))
        let groups = try #require(EnrollmentPagesTests.activationGroups(registered.text))
        #expect(groups.count == 16)
        let first = try ActivationCode(groups.joined(separator: "-"))
        let spelled = groups[0].map { c -> String in
            ["0": "cero", "1": "uno", "2": "dos", "3": "tres", "4": "cuatro", "5": "cinco", "6": "seis", "7": "siete",
             "8": "ocho", "9": "nueve", "A": "Alfa", "B": "Bravo", "K": "Kilo", "Z": "Zulu"][String(c)] ?? ""
        }
        if !spelled.contains("") {
            #expect(registered.text.contains("<span class=\"deletreo\">\(spelled.joined(separator: " "))</span>"))
        }
        #expect(registered.text.contains("<span class=\"deletreo\">"))

        // Lost before the test: a new code; the old one no longer opens alerts.
        let pending = try officer.get(base)
        #expect(pending.text.contains("id=\"prueba-pendiente\""))
        let reissued = try officer.postForm(base + "/reemitir-codigo", [("csrf", token)])
        #expect(reissued.status == 200 && reissued.text.contains("El código anterior ya no sirve."))
        let second = try ActivationCode(try #require(EnrollmentPagesTests.activationGroups(reissued.text))
            .joined(separator: "-"))
        #expect(second.deviceID != first.deviceID)
        let stale = try Boton.run(["alert", "test", "--device", Hex.encode(first.deviceID), "--secret",
                                   Hex.encode(first.secret), "--port", String(server.udpPort)])
        #expect(!stale.stdout.hasPrefix("aceptada "))
        let alert = try Boton.run(["alert", "test", "--device", Hex.encode(second.deviceID), "--secret",
                                   Hex.encode(second.secret), "--port", String(server.udpPort)])
        #expect(alert.stdout.hasPrefix("aceptada "), "\(alert.stdout)\(alert.stderr)")
        let incident = try #require(alert.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count))
        let arrived = try officer.get(base)
        #expect(arrived.text.contains("id=\"prueba-recibida\">La alerta de prueba llegó (alerta \(incident))."))
        let audit = try TestDatabases.database(db).openStore().auditEntries(subject: "solicitud:\(tramite)", limit: 50)
        #expect(audit.contains { $0.action == "reemitir_codigo" })
    }

    // MARK: Item 17: the in-person form speaks to the officer

    @Test func theInPersonFormSpeaksToTheOfficerAboutTheCitizenAndItsPosition() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let form = try officer.get("/oficial/solicitudes/nueva").text
        #expect(form.contains("El ciudadano autoriza a la Policía Nacional del Ecuador a tratar sus datos"))
        #expect(form.contains("El ciudadano acepta la política de uso"))
        #expect(!form.contains("Autorizo a la Policía") && !form.contains("Acepto la política"))
        #expect(form.contains(">Usar la posición de este equipo</button>"))
        #expect(form.contains("toma la posición actual de este equipo, es decir la de la UPC, no la del lugar"))
        #expect(!form.contains("Usar mi ubicación"))
        // The citizen's own form still speaks to the citizen.
        let own = try WebClient(port: server.httpPort).get("/registro").text
        #expect(own.contains("Autorizo a la Policía") && own.contains(">Usar mi ubicación</button>"))
    }

    // MARK: Helpers

    /// Enrols the standard applicant in person and registers the app; returns the trámite and the code shown.
    static func enrolInPersonAndRegister(_ officer: WebClient) throws -> (String, ActivationCode) {
        let form = try officer.get("/oficial/solicitudes/nueva")
        let token = try #require(WebClient.csrf(in: form.text))
        let created = try officer.postForm("/oficial/solicitudes/nueva",
                                           [("csrf", token)] + Applicant().fields + [("politica_explicada", "si")])
        let location = try #require(created.header("Location"))
        let tramite = String(location.dropFirst("/oficial/solicitudes/".count).prefix { $0 != "?" })
        let registered = try officer.postForm("/oficial/solicitudes/\(tramite)/registrar", [("csrf", token)])
        let groups = try #require(EnrollmentPagesTests.activationGroups(registered.text))
        return (tramite, try ActivationCode(groups.joined(separator: "-")))
    }
}
