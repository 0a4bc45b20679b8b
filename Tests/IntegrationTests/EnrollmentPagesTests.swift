import BotonCore
import BotonCrypto
import BotonNet
import BotonStore
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// The citizens' and officers' HTML pages of `boton serve`, through real sockets: forms with their CSRF cookie and
/// field, field errors kept next to their fields, the status page, rate limits, sessions.
@Suite struct EnrollmentPagesTests {
    static let notFound = "No encontramos una solicitud con esos datos. Revise el número de trámite y el número de documento."

    @Test func aCitizenFillsTheFormFixesItsErrorsAndFollowsTheRequest() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let server = try Server(database: db)
        defer { server.stop() }
        let browser = try WebClient(port: server.httpPort)

        let form = try browser.get("/registro")
        #expect(form.status == 200)
        #expect(form.header("Cache-Control") == "no-store")
        let cookie = try #require(browser.lastSetCookies.first { $0.hasPrefix("boton_csrf=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
        let token = try #require(WebClient.csrf(in: form.text))
        #expect(browser.cookies["boton_csrf"] == token)
        // Served by us, nothing inline (the CSP forbids it), usable on a phone.
        #expect(form.text.range(of: #"<script src="/static/ubicacion.js\?v=[0-9a-z]+" defer></script>"#,
                                options: .regularExpression) != nil)
        #expect(!form.text.contains("<script>") && !form.text.contains("style=") && !form.text.contains("http"))
        #expect(form.text.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(form.text.contains("<button type=\"button\" class=\"secundario\" data-ubicar=\"domicilio\" hidden>"))
        #expect(form.text.contains("id=\"domicilio_latitud\" name=\"domicilio_latitud\""))

        // Without the token (or with a token but without its cookie) nothing is stored: 403.
        let noToken = try browser.postForm("/registro", Applicant().fields)
        #expect(noToken.status == 403)
        #expect(noToken.text.contains("no fue enviado desde este sitio"))
        let stranger = try WebClient(port: server.httpPort)
        #expect(try stranger.postForm("/registro", [("csrf", token)] + Applicant().fields).status == 403)

        // Errors: status 422, every message beside its field and in the linked summary, what was typed kept.
        var bad = Applicant()
        bad.cedula = "1710034066"
        var fields = [("csrf", token)] + bad.fields.filter { $0.0 != "consentimiento_datos" }
        fields = fields.map { $0.0 == "domicilio_latitud" ? ($0.0, "") : $0 }
        fields = fields.map { $0.0 == "nombres" ? ($0.0, "María <José>") : $0 }
        let rejected = try browser.postForm("/registro", fields)
        #expect(rejected.status == 422)
        let page = rejected.text
        #expect(page.contains("<div class=\"resumen-errores\" role=\"alert\" tabindex=\"-1\" id=\"errores\">"))
        #expect(page.contains("<li><a href=\"#numero_documento\">"))
        #expect(page.contains("<li><a href=\"#domicilio_latitud\">"))
        #expect(page.contains("<li><a href=\"#consentimiento_datos\">"))
        #expect(page.contains("<p class=\"error\" id=\"numero_documento_error\">"))
        #expect(page.contains("aria-describedby=\"numero_documento_ayuda numero_documento_error\""))
        #expect(page.contains("<p class=\"error\" id=\"ubicacion_domicilio_error\">"))
        #expect(page.contains("id=\"domicilio_longitud\" name=\"domicilio_longitud\" type=\"text\" value=\"-78.5123\""))
        #expect(page.contains("value=\"1710034066\""))
        #expect(page.contains("value=\"María &lt;José&gt;\""))  // kept, and escaped
        #expect(page.contains("name=\"politica_uso\" value=\"si\" checked"))
        #expect(!page.contains("name=\"consentimiento_datos\" value=\"si\" checked"))
        #expect(WebClient.csrf(in: page) == token)

        let accepted = try browser.postForm("/registro", [("csrf", token)] + Applicant().fields)
        #expect(accepted.status == 200)
        let tramite = try #require(Self.element("numero-tramite", in: accepted.text))
        #expect(try TramiteNumber(tramite).text == tramite)
        // The UPC by its name: its code is the service's, not something a citizen needs to read.
        #expect(accepted.text.contains("<dd id=\"upc\">UPC Monjas Collacoto 1</dd>"))
        #expect(!accepted.text.contains("UPC-17D04C01S01"))
        #expect(accepted.text.contains("le llamará al 099 123 4567"))

        // The status page: both keys, or the same sentence whatever was wrong.
        let statusToken = try browser.csrfToken(from: "/registro/estado")
        let status = try browser.postForm("/registro/estado", [("csrf", statusToken), ("tramite", tramite.lowercased()),
                                                                ("documento", "1710034065")])
        #expect(status.status == 200)
        #expect(Self.element("estado", in: status.text) == "Ingresada")
        #expect(status.text.contains("se comunicará con usted para verificar sus datos"))
        #expect(!status.text.contains("María"))
        for (t, d) in [(tramite, ""), ("", "1710034065"), (tramite, "0926687856"), ("BS-2026-1", "1710034065")] {
            let refused = try browser.postForm("/registro/estado", [("csrf", statusToken), ("tramite", t), ("documento", d)])
            #expect(refused.status == 404)
            #expect(refused.text.contains(Self.notFound))
            #expect(Self.element("estado", in: refused.text) == nil)
        }
        #expect(try browser.postForm("/registro/estado", [("tramite", tramite), ("documento", "1710034065")]).status == 403)

        // A request without a button offers no baja, and one posted anyway is refused saying why.
        #expect(!status.text.contains("action=\"/registro/baja\""))
        let wrong = try browser.postForm("/registro/baja", [("csrf", statusToken), ("tramite", tramite),
                                                            ("documento", "0926687856"), ("confirmar_baja", "si")])
        #expect(wrong.status == 404 && wrong.text.contains(Self.notFound))
        let baja = try browser.postForm("/registro/baja", [("csrf", statusToken), ("tramite", tramite),
                                                           ("documento", "1710034065"), ("confirmar_baja", "si")])
        #expect(baja.status == 409)
        #expect(baja.text.contains("todavía no tiene un botón de seguridad registrado"))
    }

    @Test func theFormAndTheStatusPageAreRateLimitedPerAddress() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        // The default burst (10); one token a minute back, so that a slow machine cannot refill the bucket mid-test.
        let server = try Server(database: db, extra: ["--set", "http.form_rate_per_minute=1"])
        defer { server.stop() }
        let client = try WebClient(port: server.httpPort)
        // The 11th POST within the minute is refused before anything else is looked at.
        for _ in 1 ... 10 { #expect(try client.postForm("/registro", Applicant().fields).status == 403) }
        let refused = try client.postForm("/registro", Applicant().fields)
        #expect(refused.status == 429)
        let wait = try #require(Int(refused.header("Retry-After") ?? ""))
        #expect((1 ... 60).contains(wait))
        #expect(refused.text.contains("Espere \(wait) segundo\(wait == 1 ? "" : "s") e intente"))
        // The API's form shares the bucket, and answers in JSON.
        let api = try client.postJSON("/api/v1/enrolamientos", Applicant().json)
        #expect(api.status == 429 && api.header("Retry-After") != nil)
        #expect(try api.string("error") == "demasiadas_solicitudes")
        // The status page has its own bucket.
        // (Each guess another trámite and document: the per-trámite and per-document limit is another test's.)
        for i in 1 ... 10 {
            #expect(try client.get("/api/v1/enrolamientos/estado?tramite=BS-2026-00000\(i)-5&documento=\(i)").status
                        == 404)
        }
        let status = try client.get("/api/v1/enrolamientos/estado?tramite=BS-2026-000001-5&documento=1")
        #expect(status.status == 429 && status.header("Retry-After") != nil)
        #expect(try client.postForm("/registro/estado", []).status == 429)
        // Reading the form is never limited.
        #expect(try client.get("/registro").status == 200)
    }

    @Test func officersSignInAndOutAndTheSessionIsServerSide() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let officer = try WebClient(port: server.httpPort)

        let redirected = try officer.get("/oficial/solicitudes")
        // The page asked for comes back after the sign-in (issue 15, item 15).
        #expect(redirected.status == 303
                && redirected.header("Location") == "/oficial/ingreso?volver=%2Foficial%2Fsolicitudes")
        let token = try officer.csrfToken(from: "/oficial/ingreso")
        #expect(try officer.postForm("/oficial/ingreso", [("usuario", "andrade"), ("contrasena", officerPassword)])
            .status == 403)
        let wrong = try officer.postForm("/oficial/ingreso", [("csrf", token), ("usuario", "andrade"),
                                                              ("contrasena", "otra-clave-larga")])
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("Usuario o contraseña incorrectos.") && wrong.text.contains("value=\"andrade\""))
        let ok = try officer.postForm("/oficial/ingreso", [("csrf", token), ("usuario", "andrade"),
                                                           ("contrasena", officerPassword)])
        #expect(ok.status == 303 && ok.header("Location") == "/consola")
        let sessionCookie = try #require(officer.lastSetCookies.first { $0.hasPrefix("boton_sesion=") })
        #expect(sessionCookie.hasSuffix("; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800"))
        let sessionToken = try #require(officer.cookies["boton_sesion"])
        #expect(sessionToken.count == 64)
        // Only the token's SHA-256 is stored, with an 8-hour expiry.
        let hash = TestBackend.isPostgreSQL ? "encode(token_hash, 'hex')" : "lower(hex(token_hash))"
        let stored = try sqliteColumn(db, "SELECT \(hash) || ' ' || operator_id || ' ' || (expires_at - created_at) "
                                      + "|| ' ' || client_address FROM operator_session")
        #expect(stored == ["\(Hex.encode(Digest.sha256(Hex.decode(sessionToken)!))) 1 28800000 127.0.0.1"])

        let list = try officer.get("/oficial/solicitudes")
        #expect(list.status == 200)
        #expect(list.text.contains("Sbte. Andrade · Operador de UPC · UPC-17D04C01S01"))
        #expect(list.text.contains("No hay solicitudes pendientes."))
        // The page's forms carry a token bound to this session: the sign-in page's token no longer works.
        let sessionCSRF = try #require(WebClient.csrf(in: list.text))
        #expect(sessionCSRF != token)
        #expect(try officer.postForm("/oficial/salir", [("csrf", token)]).status == 403)
        // Signed in, the sign-in page sends the officer on.
        #expect(try officer.get("/oficial/ingreso").header("Location") == "/consola")

        let out = try officer.postForm("/oficial/salir", [("csrf", sessionCSRF)])
        #expect(out.status == 303 && out.header("Location") == "/oficial/ingreso?sesion=cerrada")
        #expect(officer.lastSetCookies.contains { $0.hasPrefix("boton_sesion=;") && $0.contains("Max-Age=0") })
        // The old cookie is worthless: the row is gone.
        let replay = try WebClient(port: server.httpPort)
        replay.cookies["boton_sesion"] = sessionToken
        let afterOut = try replay.get("/oficial/solicitudes")
        #expect(afterOut.status == 303
                && afterOut.header("Location") == "/oficial/ingreso?sesion=vencida&volver=%2Foficial%2Fsolicitudes")
        #expect(try replay.get("/oficial/ingreso?sesion=vencida").text.contains("Su sesión terminó"))
        let apiAfterOut = try WebClient(port: server.httpPort)
        apiAfterOut.cookies["boton_sesion"] = sessionToken
        #expect(try apiAfterOut.get("/api/v1/oficial/enrolamientos").string("error") == "sesion_vencida")

        // Over HTTPS the cookies are Secure.
        let secure = try WebClient(port: server.httpsPort, tls: try TLSContext(clientVerifying: server.certificate))
        try signIn(secure, "andrade")
        #expect(secure.lastSetCookies.allSatisfy { $0.hasSuffix("; Secure") })
    }

    /// Finding 6 against the real binary: five wrong passwords from one address make that address wait (even
    /// with the right password), never the account: its owner signs in from another address (127.0.0.2 on
    /// loopback). (Session expiry is tested in process on an injected clock: `BotonServiceTests`, "Enrollment web
    /// layer".)
    @Test func failuresFromOneAddressNeverLockTheOwnerOut() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db, extra: ["--set", "http.login_rate_burst=20"])
        defer { server.stop() }
        let attacker = try WebClient(port: server.httpPort, source: "127.0.0.1")
        for attempt in 1 ... 6 {
            let wrong = try attacker.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": "no-es-la-clave"])
            #expect(wrong.status == (attempt < 5 ? 401 : 429))
        }
        let token = try attacker.csrfToken(from: "/oficial/ingreso")
        let waiting = try attacker.postForm("/oficial/ingreso", [("csrf", token), ("usuario", "andrade"),
                                                                 ("contrasena", officerPassword)])
        #expect(waiting.status == 429)
        #expect(waiting.text.contains("Demasiados intentos fallidos con este usuario desde su conexión"))
        #expect(Int(waiting.header("Retry-After") ?? "").map { $0 >= 1 && $0 <= 30 } == true)

        let owner = try WebClient(port: server.httpPort, source: "127.0.0.2")
        let login = try owner.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
        #expect(login.status == 201)
        #expect(try owner.get("/api/v1/oficial/enrolamientos").status == 200)
        try server.waitFor("event=sign_in_throttled")
    }

    /// Finding 6: an unknown username gets the very answer of a wrong password for a known one (apart from `Date`
    /// and `X-Request-Id`), and costs the same password check (the service's counter in `/metrics`).
    @Test func anUnknownUsernameIsAnsweredByteForByteLikeAWrongPassword() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db, extra: ["--set", "http.login_rate_burst=20"])
        defer { server.stop() }
        let client = try WebClient(port: server.httpPort)
        func checks() throws -> Int {
            let text = try metricsText(server)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("boton_sign_in_password_checks_total ") }),
                  let value = Int(line.split(separator: " ").last ?? "") else { throw WebClientError("no counter:\n\(text)") }
            return value
        }
        // The wait left counts down in whole seconds (Retry-After, and the seconds the message names): the two
        // answers may straddle a second, so numbers are compared as numbers, not their values.
        func comparable(_ r: TestResponse) -> [String] {
            let body = r.status == 429 ? r.text.replacingOccurrences(of: "[0-9]+", with: "#", options: .regularExpression)
                : r.text
            return ["\(r.status)"] + r.headers.filter { !["date", "x-request-id"].contains($0.0.lowercased()) }
                .map { $0.0.lowercased() == "retry-after" ? "\($0.0): (seconds)" : "\($0.0): \($0.1)" } + [body]
        }
        for attempt in 1 ... 6 {
            let before = try checks()
            let known = try client.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": "no-es-la-clave"])
            let unknown = try client.postJSON("/api/v1/sesiones", ["usuario": "ninguno", "contrasena": "no-es-la-clave"])
            #expect(comparable(known) == comparable(unknown), "attempt \(attempt)")
            #expect(known.status == (attempt < 5 ? 401 : 429))
            // One password check each until the address must wait; none while it waits.
            #expect(try checks() == before + (attempt <= 5 ? 2 : 0))
        }
        // The page too (its CSRF field and cookie differ per request, so those are left out).
        let browser = try WebClient(port: server.httpPort, source: "127.0.0.3")
        let token = try browser.csrfToken(from: "/oficial/ingreso")
        // Names of the same length: the page shows the typed name again.
        let pages = try ["andrade", "ninguno"].map { user in
            try browser.postForm("/oficial/ingreso", [("csrf", token), ("usuario", user), ("contrasena", "no")])
        }
        func page(_ r: TestResponse) -> [String] {
            comparable(r).filter { !$0.hasPrefix("Set-Cookie") }.map {
                $0.replacingOccurrences(of: #"value="[0-9a-f]{32}\.[0-9a-f]{32}""#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: "andrade", with: "U").replacingOccurrences(of: "ninguno", with: "U")
            }
        }
        #expect(pages[0].status == 401 && page(pages[0]) == page(pages[1]))
    }

    @Test func anAdministratorUnlocksALockedAccountAndItIsAudited() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        try addOperator(db, "admin", role: "administrador")
        let server = try Server(database: db, extra: ["--set", "http.login_rate_burst=20"])
        defer { server.stop() }
        let browser = try WebClient(port: server.httpPort)
        for _ in 1 ... 5 {
            _ = try browser.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": "no-es-la-clave"])
        }
        #expect(try browser.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
            .status == 429)

        // Only an administrator may lift it.
        let refused = try Boton.run(["operator", "unlock", "--database", db, "--usuario", "andrade", "--por", "andrade"])
        #expect(refused.status != 0 && refused.stderr.contains("administrador"))
        let lifted = try Boton.run(["operator", "unlock", "--database", db, "--usuario", "andrade", "--por", "admin"])
        #expect(lifted.status == 0 && lifted.stdout.hasPrefix("desbloqueada: andrade"))
        #expect(try browser.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
            .status == 201)
        let audit = try TestDatabases.database(db).openStore().auditEntries(subject: nil, limit: 100)
        #expect(audit.contains { $0.action == "desbloquear_cuenta" && $0.detail == nil })
        let again = try Boton.run(["operator", "unlock", "--database", db, "--usuario", "andrade", "--por", "admin"])
        #expect(again.stdout.hasPrefix("sin cambios"))
        let unknown = try Boton.run(["operator", "unlock", "--database", db, "--usuario", "nadie", "--por", "admin"])
        #expect(unknown.status != 0 && unknown.stderr.contains("No existe la cuenta"))
    }

    @Test func anOfficerEnrolsACitizenInPersonRegistersTheAppAndConfirmsItsTest() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")

        // In person: the same form, plus the usage policy explained (required).
        let form = try officer.get("/oficial/solicitudes/nueva")
        #expect(form.status == 200 && form.text.contains("name=\"politica_explicada\""))
        let token = try #require(WebClient.csrf(in: form.text))
        let unexplained = try officer.postForm("/oficial/solicitudes/nueva", [("csrf", token)] + Applicant().fields)
        #expect(unexplained.status == 422)
        #expect(unexplained.text.contains("<li><a href=\"#politica_explicada\">"))
        let created = try officer.postForm("/oficial/solicitudes/nueva",
                                           [("csrf", token)] + Applicant().fields + [("politica_explicada", "si")])
        #expect(created.status == 303)
        let location = try #require(created.header("Location"))
        #expect(location.hasPrefix("/oficial/solicitudes/BS-") && location.hasSuffix("?aviso=creada"))
        let tramite = String(location.dropFirst("/oficial/solicitudes/".count).prefix { $0 != "?" })

        let detail = try officer.get(location)
        #expect(detail.status == 200)
        #expect(Self.element("estado", in: detail.text) == "Verificada")
        #expect(detail.text.contains("Solicitud presencial registrada y verificada."))
        let detailToken = try #require(WebClient.csrf(in: detail.text))
        #expect(detail.text.contains("action=\"/oficial/solicitudes/\(tramite)/registrar\""))

        // Registering shows the activation code once, in groups of five, four groups a line.
        let registered = try officer.postForm("/oficial/solicitudes/\(tramite)/registrar", [("csrf", detailToken)])
        #expect(registered.status == 200)
        #expect(registered.header("Cache-Control") == "no-store")
        let groups = try #require(Self.activationGroups(registered.text))
        #expect(groups.count == 16)
        let code = try ActivationCode(groups.joined(separator: "-"))
        #expect(registered.text.contains("Se muestra una sola vez."))
        // Never again: the detail shows the device, not the code.
        let after = try officer.get("/oficial/solicitudes/\(tramite)")
        #expect(Self.element("estado", in: after.text) == "Prueba pendiente")
        #expect(Self.activationGroups(after.text) == nil)
        #expect(after.text.contains(Hex.encode(code.deviceID)))

        // The citizen's app sends its prueba; before it, confirming is refused with what to do.
        let early = try officer.postForm("/oficial/solicitudes/\(tramite)/confirmar-prueba", [("csrf", detailToken)])
        #expect(early.status == 409)
        #expect(early.text.contains("Todavía no ha llegado la alerta de prueba"))
        let alert = try Boton.run(["alert", "test", "--device", Hex.encode(code.deviceID), "--secret",
                                   Hex.encode(code.secret), "--port", String(server.udpPort)])
        #expect(alert.stdout.hasPrefix("aceptada "), "\(alert.stdout)\(alert.stderr)")
        let confirmed = try officer.postForm("/oficial/solicitudes/\(tramite)/confirmar-prueba", [("csrf", detailToken)])
        #expect(confirmed.status == 303)
        #expect(confirmed.header("Location") == "/oficial/solicitudes/\(tramite)?aviso=activa")
        let active = try officer.get(confirmed.header("Location")!)
        #expect(Self.element("estado", in: active.text) == "Activa")
        #expect(active.text.contains("Alerta de prueba confirmada: el botón está activo."))
        #expect(!(try officer.get("/oficial/solicitudes").text.contains(tramite)))
        // Issue 15, bug 1: the test alert was closed with it (outcome prueba, by this officer), not left open on
        // the console as "Recibida · PRUEBA".
        let incident = try #require(alert.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count))
        let dossier = try officer.get("/api/v1/consola/alertas/\(incident)")
        #expect(dossier.status == 200)
        #expect(try dossier.string("alerta.estado") == "cerrada" && dossier.string("alerta.resultado") == "prueba")
        #expect(try dossier.value("alerta.prueba") as? Bool == true)
        #expect(try dossier.string("alerta.tomada_por") != nil)
        // Nothing is left for the console's own "Confirmar prueba": it says so instead of changing anything.
        let header = ["X-CSRF-Token": try #require(officer.cookies["boton_csrf"])]
        let again = try officer.request("POST", "/api/v1/consola/alertas/\(incident)/confirmar-prueba", headers: header)
        #expect(again.status == 409)
    }

    @Test func anOfficerContactsAndRejectsWithAReasonTheCitizenThenReads() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", Applicant().json).string("tramite"))
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        let detail = try officer.get("/oficial/solicitudes/\(tramite)")
        #expect(Self.element("estado", in: detail.text) == "Ingresada")
        let token = try #require(WebClient.csrf(in: detail.text))
        let base = "/oficial/solicitudes/\(tramite)"

        let noResult = try officer.postForm(base + "/contacto", [("csrf", token), ("resultado", "")])
        #expect(noResult.status == 422 && noResult.text.contains("<a href=\"#resultado\">Elija el resultado"))
        let contacted = try officer.postForm(base + "/contacto", [("csrf", token), ("resultado", "no_contesta"),
                                                                  ("nota", "Sin respuesta a las 10:00")])
        #expect(contacted.status == 303 && contacted.header("Location") == base + "?aviso=contacto")
        let page = try officer.get(base + "?aviso=contacto")
        #expect(Self.element("estado", in: page.text) == "En verificación")
        #expect(page.text.contains("Sin respuesta a las 10:00"))

        let noReason = try officer.postForm(base + "/rechazar", [("csrf", token), ("motivo", "  ")])
        #expect(noReason.status == 422)
        #expect(noReason.text.contains("<a href=\"#motivo\">Para rechazar la solicitud escriba el motivo"))
        #expect(noReason.text.contains("id=\"motivo_error\""))
        let rejected = try officer.postForm(base + "/rechazar", [("csrf", token),
                                                                 ("motivo", "La dirección no existe en el sector")])
        #expect(rejected.status == 303)
        // Another action now is a 409 on the same page, with the reason the state gives.
        let late = try officer.postForm(base + "/verificar", [("csrf", token)])
        #expect(late.status == 409)

        let statusToken = try citizen.csrfToken(from: "/registro/estado")
        let status = try citizen.postForm("/registro/estado", [("csrf", statusToken), ("tramite", tramite),
                                                               ("documento", "1710034065")])
        #expect(Self.element("estado", in: status.text) == "Rechazada")
        #expect(status.text.contains("La dirección no existe en el sector"))
    }

    /// The groups of the activation code shown on a page, or nil when there is none.
    static func activationGroups(_ html: String) -> [String]? {
        guard let start = html.range(of: "id=\"codigo-activacion\">"),
              let end = html.range(of: "</ol>", range: start.upperBound..<html.endIndex) else { return nil }
        let block = String(html[start.upperBound..<end.lowerBound])
        return block.components(separatedBy: "<span class=\"grupo\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    /// The text of the element with `id` (no nested tags), or nil.
    static func element(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\">([^<]*)<", options: .regularExpression) else { return nil }
        let match = html[range]
        return String(match[match.index(after: match.firstIndex(of: ">")!)..<match.index(before: match.endIndex)])
    }
}
