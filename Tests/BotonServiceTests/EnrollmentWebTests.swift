import BotonCore
import BotonHTTP
import Foundation
import Testing
import BotonRuntime
@testable import BotonWeb
@testable import BotonEnrollment
@testable import BotonWebKit

/// The pure parts of the enrollment web layer: form fields ↔ the service's form, JSON bodies, errors in page
/// order, API times, and the session and CSRF rules over a real store (no sockets).
@Suite("Enrollment web layer")
struct EnrollmentWebTests {
    @Test func apiTimesAreISO8601UTCWithMilliseconds() {
        #expect(APITime.text(Timestamp(millisecondsSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(APITime.text(Timestamp(millisecondsSince1970: 1_780_000_000_123)) == "2026-05-28T20:26:40.123Z")
        #expect(APITime.text(Timestamp(millisecondsSince1970: -1)) == "1969-12-31T23:59:59.999Z")
    }

    @Test func pageFieldsBecomeTheServicesFormAndErrorsFollowThePage() {
        let form = EnrollmentFormPage.form([
            "tipo_documento": "cedula", "numero_documento": "1710034065", "domicilio_latitud": "-0.2",
            "domicilio_longitud": "-78.5", "contacto_2_nombre": "Ana", "contacto_4_telefono": "0991234567",
            "consentimiento_datos": "si", "politica_uso": "off",
        ])
        #expect(form.homeLatitude == "-0.2" && form.homeLongitude == "-78.5")
        // Three contacts at least, more when more were sent (the service then says "exactly three").
        #expect(form.contacts.count == 4)
        #expect(form.contacts[1].name == "Ana" && form.contacts[3].phone == "0991234567")
        #expect(form.consentsToDataProcessing && !form.acceptsUsagePolicy)

        let errors = EnrollmentFormPage.errors(EnrollmentFormError(problems: [
            "politica_uso": .init(reason: "required", mensaje: "P"),
            "ubicacion_domicilio": .init(reason: "required", mensaje: "U"),
            "numero_documento": .init(reason: "check", mensaje: "N"),
            "contacto_2_telefono": .init(reason: "prefix", mensaje: "C"),
        ]))
        #expect(errors.entries.map(\.field) == ["numero_documento", "ubicacion_domicilio", "contacto_2_telefono",
                                                "politica_uso"])
        let summary = HTML.errorSummary(errors)
        #expect(summary.contains("<a href=\"#domicilio_latitud\">U</a>"))
        #expect(summary.contains("<a href=\"#numero_documento\">N</a>"))
    }

    @Test func theFormPageKeepsWhatWasTypedEscapedAndLinksEveryError() {
        let errors = HTML.Errors(entries: [("ubicacion_domicilio", "Falta la ubicación.")],
                                 anchors: EnrollmentFormPage.anchors)
        let html = EnrollmentFormPage.render(action: "/registro", csrfToken: "t", values: [
            "nombres": "Ana \"<b>\"", "domicilio_longitud": "-78.5",
        ], errors: errors, officer: false, submitLabel: "Enviar")
        #expect(html.contains("value=\"Ana &quot;&lt;b&gt;&quot;\""))
        #expect(html.contains("<p class=\"error\" id=\"ubicacion_domicilio_error\">Falta la ubicación.</p>"))
        #expect(html.contains("id=\"domicilio_latitud\" name=\"domicilio_latitud\" type=\"text\" value=\"\" required "
                              + "autocomplete=\"off\" aria-invalid=\"true\" aria-describedby=\"ubicacion_domicilio_error\""))
        #expect(html.contains("value=\"-78.5\""))
        #expect(!html.contains("politica_explicada"))
        #expect(EnrollmentFormPage.render(action: "/x", csrfToken: "t", values: [:], errors: HTML.Errors(), officer: true,
                                          submitLabel: "R").contains("name=\"politica_explicada\""))
    }

    /// Issue 15, bug 9: the hint said "año-mes-día: 1985-04-23" over a date field that does not take typed text.
    @Test func theBirthDateIsATextFieldThatTakesWhatItsHintSaysAndItsErrorsRepeatIt() {
        let html = EnrollmentFormPage.render(action: "/registro", csrfToken: "t", values: [:], errors: HTML.Errors(),
                                             officer: false, submitLabel: "Enviar")
        #expect(html.contains("id=\"fecha_nacimiento\" name=\"fecha_nacimiento\" type=\"text\" value=\"\" required "
                              + "autocomplete=\"bday\""))
        #expect(html.contains("inputmode=\"numeric\" pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\" maxlength=\"10\""))
        #expect(!html.contains("type=\"date\""))
        #expect(html.contains(HTML.escape(BirthDateError.hint)) && BirthDateError.hint.contains("1985-04-23"))
        for reason in [BirthDateError.Reason.empty, .format, .nonexistent] {
            #expect(BirthDateError(reason).mensaje.hasSuffix(BirthDateError.hint))
        }
        // What a citizen may type is read as the hint says, and anything else answered with the hint.
        let today = CivilDate(year: 2026, month: 5, day: 10)!
        #expect((try? BirthDate("1985-04-23", today: today)) != nil)
        for typed in ["23/04/1985", "23-04-1985", "1985/04/23"] {
            #expect(throws: BirthDateError(.format)) { try BirthDate(typed, today: today) }
        }
    }

    @Test func jsonBodiesReadLikeTheForm() throws {
        let body = """
            {"numero_documento": "1710034065", "domicilio_latitud": -0.2202, "domicilio_longitud": -78,
             "contactos": [{"nombre": "Luis", "telefono": "0987654321"}], "consentimiento_datos": true,
             "politica_uso": false, "correo": null}
            """
        var request = try HTTPRequest(method: .post, target: "/api/v1/enrolamientos",
                                      headers: ["Content-Type": "application/json; charset=utf-8"], body: Array(body.utf8))
        let (form, values) = try EnrollmentWeb.jsonForm(try EnrollmentWeb.jsonObject(request))
        #expect(form.homeLatitude == "-0.2202" && form.homeLongitude == "-78")
        #expect(form.contacts == [.init(name: "Luis", phone: "0987654321")])
        #expect(form.consentsToDataProcessing && !form.acceptsUsagePolicy && form.email == "")
        #expect(values["numero_documento"] == "1710034065")
        // No contacts at all is "none", not three blank ones.
        #expect(try EnrollmentWeb.jsonForm([:]).form.contacts.isEmpty)

        request.headers = ["Content-Type": "text/plain"]
        #expect(throws: APIFailure.self) { try EnrollmentWeb.jsonObject(request) }
        request.headers = ["Content-Type": "application/json"]
        request.body = Array("[1, 2]".utf8)
        #expect(throws: APIFailure.self) { try EnrollmentWeb.jsonObject(request) }
        request.body = []
        #expect(try EnrollmentWeb.jsonObject(request, allowEmpty: true).isEmpty)
    }

    @Test func aSessionIsTheHashOfItsCookieAndCSRFTokensAreBoundToIt() throws {
        let fixture = try EnrollmentFixture()
        let officer = try fixture.officer("andrade", upc: EnrollmentFixture.places.a.upc)
        let sessions = Sessions(hours: 1)
        let csrf = try CSRFGuard.random()
        var login = try HTTPRequest(method: .post, target: "/oficial/ingreso")
        login.clientAddress = "198.51.100.4"
        let at = fixture.now()
        let (first, cookie) = try sessions.signIn(officer, request: login, store: fixture.store, at: at)
        #expect(cookie.hasPrefix("boton_sesion=") && cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600"))
        let token = String(cookie.dropFirst("boton_sesion=".count).prefix(64))

        var request = try HTTPRequest(method: .get, target: "/oficial/solicitudes",
                                      headers: ["Cookie": "boton_sesion=\(token)"])
        let found = try #require(try sessions.current(request, store: fixture.store, at: at.adding(seconds: 3599)))
        #expect(found.identity == officer && found.tokenHash == first.tokenHash)
        #expect(try sessions.current(request, store: fixture.store, at: at.adding(seconds: 3600)) == nil)

        // A CSRF token made for this session does not pass for another, nor without one.
        let (csrfToken, _) = try csrf.token(for: request, session: found.csrfBinding)
        request.headers.add(name: "Cookie", value: "\(CSRFGuard.cookieName)=\(csrfToken)")
        #expect(csrf.verify(request, submitted: csrfToken, session: found.csrfBinding))
        #expect(!csrf.verify(request, submitted: csrfToken))
        let other = try sessions.signIn(officer, request: login, store: fixture.store, at: at).session
        #expect(!csrf.verify(request, submitted: csrfToken, session: other.csrfBinding))

        // Signing in again from the same browser replaces its session; signing out ends it.
        let (second, _) = try sessions.signIn(officer, request: request, store: fixture.store, at: at)
        #expect(try sessions.current(request, store: fixture.store, at: at) == nil)
        try sessions.signOut(second, store: fixture.store, at: at)
        #expect(try fixture.text("SELECT count(*) FROM operator_session WHERE operator_id = ?1", [.integer(officer.id)])
            == "1")
        // A malformed cookie is no session.
        let junk = try HTTPRequest(method: .get, target: "/", headers: ["Cookie": "boton_sesion=zz"])
        #expect(try sessions.current(junk, store: fixture.store, at: at) == nil)
    }

    /// Through the router, on the web layer's injected clock: a shift-long session works until its last
    /// millisecond, then the API answers 401 `sesion_vencida` and the officers' pages send the browser to sign in
    /// again, saying why.
    @Test func anOfficersSessionExpiresOnTheClockAndTheAPIAndThePagesSaySo() throws {
        let fixture = try EnrollmentFixture()
        _ = try fixture.officer("andrade", upc: EnrollmentFixture.places.a.upc)
        let clock = ManualClock(fixture.now())
        let sessions = Sessions(hours: 8)
        let web = EnrollmentWeb(
            routing: EnrollmentFixture.routing, store: fixture.provider, csrf: try CSRFGuard.random(), sessions: sessions,
            formLimiter: RateLimiter(burst: 10, perMinute: 20), statusLimiter: RateLimiter(burst: 10, perMinute: 20),
            loginLimiter: RateLimiter(burst: 5, perMinute: 10), logger: Logger(level: .error), clock: clock.function)
        var router = Router()
        web.install(into: &router)

        var login = try HTTPRequest(method: .post, target: "/api/v1/sesiones",
                                    headers: ["Content-Type": "application/json"],
                                    body: Array(#"{"usuario": "andrade", "contrasena": "contraseña-segura-1"}"#.utf8))
        login.clientAddress = "198.51.100.4"
        let signedIn = router.respond(to: login)
        #expect(signedIn.status == .created)
        let cookie = try #require(signedIn.headers.values(for: "Set-Cookie").first { $0.hasPrefix("boton_sesion=") })
        #expect(cookie.contains("Max-Age=28800"))
        func get(_ target: String) throws -> HTTPResponse {
            var request = try HTTPRequest(method: .get, target: target,
                                          headers: ["Cookie": String(cookie.prefix { $0 != ";" })])
            request.clientAddress = "198.51.100.4"
            return router.respond(to: request)
        }
        #expect(try get("/api/v1/oficial/enrolamientos").status == .ok)
        clock.advance(milliseconds: sessions.lifetimeMilliseconds - 1)
        #expect(try get("/api/v1/oficial/enrolamientos").status == .ok)
        #expect(try get("/oficial/solicitudes").status == .ok)

        clock.advance(milliseconds: 1)
        let expired = try get("/api/v1/oficial/enrolamientos")
        #expect(expired.status == .unauthorized)
        let body = try JSONSerialization.jsonObject(with: Data(expired.body)) as? [String: Any]
        #expect(body?["error"] as? String == "sesion_vencida")
        let page = try get("/oficial/solicitudes")
        #expect(page.status == .seeOther)
        #expect(page.headers["Location"] == "/oficial/ingreso?sesion=vencida&volver=%2Foficial%2Fsolicitudes")
        // The browser is told to forget the cookie.
        #expect(page.headers.values(for: "Set-Cookie").contains { $0.hasPrefix("boton_sesion=;") && $0.contains("Max-Age=0") })
    }
}
