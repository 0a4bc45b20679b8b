import BotonCore
import BotonHTTP
import BotonRepository
import BotonStatistics
import BotonWebKit

/// The citizen's complaint form: `GET /quejas` and `POST /quejas` (CSRF token, rate-limited per address like the
/// enrollment form). A refused form comes back with 422, every message beside its field, what was typed kept; an
/// accepted one shows its number.
extension StatisticsWeb {
    func installQuejaPages(into router: inout Router) {
        router.get("/quejas") { [self] request, _ in
            let (token, cookie) = try web.csrf.token(for: request)
            return quejaPage(token: token, cookies: cookie.map { [$0] } ?? [], values: [:], errors: HTML.Errors())
        }
        router.post("/quejas", quejaLimiter.limiting({ [self] request, _ in try submitQueja(request) },
                                                    refusal: EnrollmentWeb.rateLimitPage))
        router.get("/quejas/consulta") { [self] request, _ in
            let (token, cookie) = try web.csrf.token(for: request)
            return lookupPage(token: token, cookies: cookie.map { [$0] } ?? [], numero: request.query("numero") ?? "")
        }
        router.post("/quejas/consulta", quejaLimiter.limiting({ [self] request, _ in try lookUpQueja(request) },
                                                             refusal: EnrollmentWeb.rateLimitPage))
    }

    static func form(_ values: [String: String]) -> QuejaForm {
        QuejaForm(descripcion: values["descripcion"] ?? "", contacto: values["contacto"] ?? "",
                  tramite: values["tramite"] ?? "", incidente: values["incidente"] ?? "")
    }

    /// The fields both the citizen's and the officer's form have.
    static func quejaFields(_ values: [String: String], _ errors: HTML.Errors) -> String {
        HTML.textarea("descripcion", label: "Descripción de la queja", value: values["descripcion"] ?? "",
                      errors: errors, help: "Qué pasó, dónde y cuándo. Entre 10 y 2000 caracteres.", required: true,
                      rows: 6)
            + HTML.input("tramite", label: "Número de trámite", value: values["tramite"] ?? "", errors: errors,
                         help: "Si su queja es sobre una solicitud del botón: por ejemplo BS-2026-000123-4.",
                         autocomplete: "off")
            + HTML.input("incidente", label: "Número de la alerta", value: values["incidente"] ?? "", errors: errors,
                         help: "Si su queja es sobre una alerta que envió: el número de alerta que le mostró la "
                             + "aplicación o que le dio la UPC, por ejemplo 1234 (o «Alerta 1234»).", autocomplete: "off")
            + HTML.input("contacto", label: "Teléfono o correo para responderle", value: values["contacto"] ?? "",
                         errors: errors,
                         help: "Si lo deja vacío, su queja se registra igual, pero no podremos informarle el resultado.",
                         autocomplete: "tel")
    }

    func quejaPage(token: String, cookies: [String], values: [String: String], errors: HTML.Errors,
                   status: HTTPStatus = .ok, alert: String? = nil) -> HTTPResponse
    {
        var body = alert.map(HTML.alert) ?? ""
        if errors.isEmpty && alert == nil {
            body += "<p>Si no recibió la atención que esperaba del Botón de Seguridad o de su Unidad de Policía "
                + "Comunitaria (UPC), cuéntenos qué pasó.</p>\n"
                + "<p id=\"destino\">Si indica el número de una alerta o de un trámite, su queja llega a la UPC que la "
                + "atendió y a los supervisores de su distrito; si no indica ninguno, llega a la Dirección Nacional de "
                + "Policía Comunitaria. En ambos casos la Dirección Nacional puede verla, y se cuenta en las cifras de "
                + "transparencia del mes.</p>\n"
                + "<p>En una emergencia no use este formulario: presione su botón o llame al 911.</p>\n"
        }
        body += HTML.errorSummary(errors)
        body += "<form method=\"post\" action=\"/quejas\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token) + "\n"
        body += Self.quejaFields(values, errors)
        body += "<button type=\"submit\">Enviar queja</button>\n</form>\n"
        body += "<p><a href=\"/quejas/consulta\">Consultar una queja por su número</a> · "
            + "<a href=\"/transparencia\">Ver las cifras de transparencia</a></p>\n"
        return EnrollmentWeb.page(errors.isEmpty ? "Presentar una queja" : "Revise su queja", body, status: status,
                                  cookies: cookies)
    }

    private func submitQueja(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = EnrollmentWeb.fields(request) else { return EnrollmentWeb.notAForm() }
        guard web.csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/quejas"])
            return EnrollmentWeb.csrfRefusal(back: "/quejas")
        }
        let (token, cookie) = try web.csrf.token(for: request)
        let cookies = cookie.map { [$0] } ?? []
        do {
            let queja = try withQuejas { (quejas) throws(QuejaError) in try quejas.submitPublic(Self.form(values), at: clock()) }
            logger.info("queja_received", ["queja": String(queja.id!), "channel": "web", "upc": queja.upcCode ?? "-"])
            let number = QuejaService.number(queja.id!)
            // Where it was placed, by the UPC's name (its code is not for citizens).
            let upcName = queja.upcCode.flatMap { code in
                (try? web.store.withConnection { (connection) throws(StoreError) in try connection.upcName(code: code) })
                    ?? nil
            }
            let destination = queja.upcCode.map { code in "la \(upcName ?? code) y los supervisores de su distrito" }
                ?? "la Dirección Nacional de Policía Comunitaria"
            let body = """
            <p>Recibimos su queja. Su número es:</p>
            <p class="tramite" id="numero-queja">\(HTML.escape(number))</p>
            <p id="destino">La recibe \(HTML.escape(destination)). Consulte su estado con este número en \
            <a href="/quejas/consulta?numero=\(HTML.attribute(number))">Consultar una queja</a>.</p>
            <p>\(queja.contact == nil
                 ? "No dejó un teléfono ni un correo, así que no podremos informarle el resultado; guarde el número si "
                   + "quiere mencionarlo más adelante."
                 : "Un servidor policial revisará su queja y le responderá al contacto que dejó, mencionando este número.")</p>
            <p><a href="/transparencia">Ver las cifras de transparencia</a></p>

            """
            return EnrollmentWeb.page("Queja recibida", body, cookies: cookies)
        } catch where error.code == "form" {
            return quejaPage(token: token, cookies: cookies, values: values, errors: Self.errors(error.fields),
                             status: .unprocessableContent)
        } catch {
            log(error, route: "/quejas")
            return quejaPage(token: token, cookies: cookies, values: values, errors: HTML.Errors(),
                             status: Self.status(for: error.kind), alert: error.mensaje)
        }
    }

    // MARK: Looking a complaint up

    func lookupPage(token: String, cookies: [String], numero: String, result: String = "",
                    status: HTTPStatus = .ok) -> HTTPResponse
    {
        var body = "<p>Escriba el número que recibió al presentar su queja (por ejemplo Q-000123) para ver en qué "
            + "estado está.</p>\n" + result
        body += "<form method=\"post\" action=\"/quejas/consulta\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token)
            + "\n" + HTML.input("numero", label: "Número de queja", value: numero, errors: HTML.Errors(),
                               help: "Empieza con Q, por ejemplo Q-000123.", required: true, autocomplete: "off",
                               extra: "autocapitalize=\"characters\" spellcheck=\"false\"")
            + "<button type=\"submit\">Consultar</button>\n</form>\n"
            + "<p><a href=\"/quejas\">Presentar una queja</a></p>\n"
        return EnrollmentWeb.page("Consultar una queja", body, status: status, cookies: cookies)
    }

    private func lookUpQueja(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = EnrollmentWeb.fields(request) else { return EnrollmentWeb.notAForm() }
        guard web.csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/quejas/consulta"])
            return EnrollmentWeb.csrfRefusal(back: "/quejas/consulta")
        }
        let (token, cookie) = try web.csrf.token(for: request)
        let cookies = cookie.map { [$0] } ?? []
        let numero = values["numero"] ?? ""
        let notFound = HTML.alert("No encontramos una queja con el número «\(numero)». Revíselo: tiene la forma Q-000123.")
        guard let id = QuejaService.id(fromNumber: numero) else {
            return lookupPage(token: token, cookies: cookies, numero: numero, result: notFound, status: .notFound)
        }
        do {
            guard let found = try withQuejas({ (quejas) throws(QuejaError) in try quejas.publicStatus(id) }) else {
                return lookupPage(token: token, cookies: cookies, numero: numero, result: notFound, status: .notFound)
            }
            let meaning: String
            switch found.state {
            case .recibida: meaning = "Su queja fue recibida y espera que un servidor policial la tome."
            case .enGestion: meaning = "Un servidor policial está gestionando su queja."
            case .resuelta: meaning = "Su queja fue resuelta. Si dejó un contacto, le informaron el resultado."
            }
            let result = "<dl class=\"datos\" id=\"resultado-queja\">\n<dt>Número</dt><dd>\(QuejaService.number(id))</dd>\n"
                + "<dt>Estado</dt><dd id=\"estado\">\(HTML.escape(found.state.nombre))</dd>\n"
                + "<dt>Recibida</dt><dd>\(HTML.escape(PageTime.text(found.receivedAt)))</dd>\n"
                + "<dt>Último cambio</dt><dd>\(HTML.escape(PageTime.text(found.updatedAt)))</dd>\n</dl>\n"
                + "<p>\(HTML.escape(meaning))</p>\n"
            return lookupPage(token: token, cookies: cookies, numero: QuejaService.number(id), result: result)
        } catch {
            log(error, route: "/quejas/consulta")
            return lookupPage(token: token, cookies: cookies, numero: numero, result: HTML.alert(error.mensaje),
                              status: Self.status(for: error.kind))
        }
    }
}
