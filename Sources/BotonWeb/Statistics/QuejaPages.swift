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
                         help: "Si su queja es sobre una alerta que envió: el número que le indicó el sistema, por "
                             + "ejemplo INC-1234.", autocomplete: "off")
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
                + "Comunitaria (UPC), cuéntenos qué pasó. Su queja llega a la Dirección Nacional de Policía "
                + "Comunitaria y se cuenta en las cifras de transparencia del mes.</p>\n"
                + "<p>En una emergencia no use este formulario: presione su botón o llame al 911.</p>\n"
        }
        body += HTML.errorSummary(errors)
        body += "<form method=\"post\" action=\"/quejas\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token) + "\n"
        body += Self.quejaFields(values, errors)
        body += "<button type=\"submit\">Enviar queja</button>\n</form>\n"
        body += "<p><a href=\"/transparencia\">Ver las cifras de transparencia</a></p>\n"
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
            let body = """
            <p>Recibimos su queja. Su número es:</p>
            <p class="tramite" id="numero-queja">\(HTML.escape(number))</p>
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
}
