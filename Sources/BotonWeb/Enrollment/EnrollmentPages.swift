import BotonCore
import BotonHTTP
import BotonEnrollment
import BotonWebKit

/// The citizens' pages: the online form (`/registro`), the status page (`/registro/estado`) and the baja. Server
/// rendered, usable without JavaScript (the only script fills a position from the browser's geolocation), every
/// form with a CSRF token, the POSTs rate-limited per client address.
extension EnrollmentWeb {
    static let notFoundMessage = "No encontramos una solicitud con esos datos. Revise el número de trámite y el "
        + "número de documento."

    func installCitizenPages(into router: inout Router) {
        // The empty forms only render (a CSRF token is an HMAC): answered on the connection threads.
        router.get("/", nonBlocking: true) { _, _ in Self.redirect("/registro") }
        router.get("/registro", nonBlocking: true) { [self] request, _ in
            let (token, cookie) = try csrf.token(for: request)
            return registrationPage(token: token, cookies: cookie.map { [$0] } ?? [], values: [:], errors: HTML.Errors())
        }
        router.post("/registro", formLimiter.limiting({ [self] request, _ in try submit(request) },
                                                     refusal: Self.rateLimitPage))
        router.get("/registro/estado", nonBlocking: true) { [self] request, _ in
            let (token, cookie) = try csrf.token(for: request)
            return Self.page("Consultar mi solicitud", statusForm(token: token, tramite: "", document: ""),
                             cookies: cookie.map { [$0] } ?? [])
        }
        router.post("/registro/estado", statusLimiter.limiting({ [self] request, _ in try status(request) },
                                                              refusal: Self.rateLimitPage))
        router.post("/registro/baja", statusLimiter.limiting({ [self] request, _ in try baja(request) },
                                                            refusal: Self.rateLimitPage))
    }

    // MARK: The online form

    func registrationPage(token: String, cookies: [String], values: [String: String], errors: HTML.Errors,
                          status: HTTPStatus = .ok) -> HTTPResponse
    {
        var body = ""
        if errors.isEmpty {
            body += "<p>Con el Botón de Seguridad, su teléfono fijo o celular alerta directamente a la Unidad de Policía "
                + "Comunitaria (UPC) de su sector en una emergencia. El trámite no tiene costo.</p>\n"
                + "<p>Después de enviar esta solicitud, el policía comunitario de su UPC le llamará para verificar sus "
                + "datos; luego registrará su botón y hará con usted una alerta de prueba.</p>\n"
        }
        body += EnrollmentFormPage.render(action: "/registro", csrfToken: token, values: values, errors: errors,
                                          officer: false, submitLabel: "Enviar solicitud")
        body += "<p><a href=\"/registro/estado\">¿Ya envió su solicitud? Consulte su estado</a></p>\n"
        return Self.page(errors.isEmpty ? "Solicitar el Botón de Seguridad" : "Revise su solicitud", body,
                         status: status, cookies: cookies, scripts: ["ubicacion.js"])
    }

    private func submit(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = Self.fields(request) else { return Self.notAForm() }
        guard csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/registro"])
            return Self.csrfRefusal(back: "/registro")
        }
        let (token, cookie) = try csrf.token(for: request)
        let cookies = cookie.map { [$0] } ?? []
        do {
            let submitted = try withService { (service) throws(EnrollmentError) in try service.submitOnline(EnrollmentFormPage.form(values), at: clock()) }
            logger.info("enrollment_submitted", ["tramite": submitted.tramite, "upc": submitted.upcCode,
                                                 "channel": "en_linea"])
            return Self.page("Solicitud ingresada", submittedBody(submitted, phone: values["telefono"] ?? ""),
                             cookies: cookies)
        } catch let error where error.form != nil {
            return registrationPage(token: token, cookies: cookies, values: values,
                                    errors: EnrollmentFormPage.errors(error.form!), status: .unprocessableContent)
        } catch {
            log(error, route: "/registro")
            return Self.page("No se pudo enviar la solicitud", HTML.alert(error.mensaje)
                + "<p><a class=\"boton\" href=\"/registro\">Volver al formulario</a></p>\n",
                             status: Self.status(for: error.kind), cookies: cookies)
        }
    }

    private func submittedBody(_ s: Submitted, phone: String) -> String {
        let line = (try? PhoneLine(phone))
        let credential = line?.kind == .fijo
            ? "le indicará cómo hacer una llamada de prueba al 135 desde su teléfono fijo"
            : "le entregará el código de activación de la aplicación Botón de Seguridad para su celular"
        return """
        <p>Su número de trámite es:</p>
        <p class="tramite" id="numero-tramite">\(HTML.escape(s.tramite))</p>
        <p>Guárdelo: con él y su número de documento puede consultar el estado de su solicitud.</p>
        <dl class="datos">
        <dt>Unidad de Policía Comunitaria</dt><dd id="upc">\(HTML.escape(s.upcName))</dd>
        <dt>Estado</dt><dd>\(HTML.escape(s.state.nombre))</dd>
        </dl>
        <h2>¿Qué sigue?</h2>
        <ol class="pasos">
        <li>El policía comunitario de la \(HTML.escape(s.upcName)) le llamará\(line.map { " al " + HTML.escape($0.nationalFormat) } ?? "") para verificar sus datos.</li>
        <li>Una vez verificados, la UPC registrará su botón y \(credential).</li>
        <li>Haga la alerta de prueba que le indiquen: cuando la UPC la confirme, su botón quedará activo.</li>
        </ol>
        <p><a href="/registro/estado">Consultar el estado de mi solicitud</a></p>

        """
    }

    // MARK: Status and baja

    func statusForm(token: String, tramite: String, document: String, errors: HTML.Errors = HTML.Errors()) -> String {
        var h = "<p>Escriba el número de trámite que recibió al enviar su solicitud y su número de documento.</p>\n"
        h += "<form method=\"post\" action=\"/registro/estado\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token) + "\n"
        h += HTML.input("tramite", label: "Número de trámite", value: tramite, errors: errors,
                        help: "Por ejemplo BS-2026-000123-4.", required: true, autocomplete: "off")
        h += HTML.input("documento", label: "Número de documento (cédula o pasaporte)", value: document, errors: errors,
                        required: true, autocomplete: "off")
        h += "<button type=\"submit\">Consultar</button>\n</form>\n"
        return h
    }

    private func status(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = Self.fields(request) else { return Self.notAForm() }
        guard csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/registro/estado"])
            return Self.csrfRefusal(back: "/registro/estado")
        }
        let (token, cookie) = try csrf.token(for: request)
        let cookies = cookie.map { [$0] } ?? []
        let tramite = values["tramite"] ?? "", document = values["documento"] ?? ""
        do {
            let notFound = Self.page("Consultar mi solicitud", HTML.alert(Self.notFoundMessage)
                + statusForm(token: token, tramite: tramite, document: document), status: .notFound, cookies: cookies)
            guard !tramite.trimmed.isEmpty, !document.trimmed.isEmpty else { return notFound }
            if let wait = attemptWait(tramite: tramite, document: document) {
                return Self.attemptsPage(wait: wait, cookies: cookies)
            }
            guard let view = try withService({ (service) throws(EnrollmentError) in
                      try service.status(tramite: tramite, document: document)
                  }) else {
                recordWrongPair(tramite: tramite, document: document)
                return notFound
            }
            return Self.page("Estado de su solicitud", statusBody(view, document: document, token: token),
                             cookies: cookies)
        } catch {
            log(error, route: "/registro/estado")
            return Self.page("Consultar mi solicitud", HTML.alert(error.mensaje)
                + statusForm(token: token, tramite: tramite, document: document),
                             status: Self.status(for: error.kind), cookies: cookies)
        }
    }

    func statusBody(_ v: EnrollmentStatusView, document: String, token: String, bajaError: String? = nil) -> String {
        var h = """
        <dl class="datos">
        <dt>Número de trámite</dt><dd class="tramite">\(HTML.escape(v.tramite))</dd>
        <dt>Estado</dt><dd id="estado">\(HTML.escape(v.estado))</dd>
        <dt>Unidad de Policía Comunitaria</dt><dd>\(HTML.escape(v.upcName))</dd>
        <dt>Ingresada</dt><dd>\(HTML.escape(PageTime.text(v.createdAt)))</dd>
        <dt>Última actualización</dt><dd>\(HTML.escape(PageTime.text(v.updatedAt)))</dd>

        """
        if let motivo = v.motivo { h += "<dt>Motivo</dt><dd>\(HTML.escape(motivo))</dd>\n" }
        h += "</dl>\n<div class=\"aviso\" id=\"estado-mensaje\"><p>\(HTML.escape(v.mensaje))</p></div>\n"
        // Only a button can be given de baja: a request without one has nothing to switch off (its officer
        // closes it), and a pending baja is confirmed from the button or by the UPC, not here.
        if v.state.holdsButton && v.state != .bajaSolicitada {
            var errors = HTML.Errors()
            if let bajaError { errors.entries.append(("confirmar_baja", bajaError)) }
            h += "<h2>Dar de baja el botón</h2>\n"
            h += "<p>Si ya no quiere el Botón de Seguridad, puede pedir su baja. Por su seguridad, el botón seguirá "
                + "funcionando hasta que usted confirme la baja desde la aplicación de su celular o el policía "
                + "comunitario de su UPC la confirme con usted llamando a su línea registrada. Para volver a tener el "
                + "botón deberá presentar una nueva solicitud.</p>\n"
            h += HTML.errorSummary(errors)
            h += "<form method=\"post\" action=\"/registro/baja\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token)
                + HTML.hidden("tramite", v.tramite) + HTML.hidden("documento", document) + "\n"
            h += HTML.checkbox("confirmar_baja", label: "Confirmo que quiero pedir la baja de mi botón de seguridad.",
                               checked: false, errors: errors)
            h += "<button type=\"submit\" class=\"peligro\">Dar de baja</button>\n</form>\n"
        }
        h += "<p><a href=\"/registro/estado\">Consultar otra solicitud</a></p>\n"
        return h
    }

    private func baja(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = Self.fields(request) else { return Self.notAForm() }
        guard csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/registro/baja"])
            return Self.csrfRefusal(back: "/registro/estado")
        }
        let (token, cookie) = try csrf.token(for: request)
        let cookies = cookie.map { [$0] } ?? []
        let tramite = values["tramite"] ?? "", document = values["documento"] ?? ""
        let notFound = {
            Self.page("Consultar mi solicitud", HTML.alert(Self.notFoundMessage)
                + self.statusForm(token: token, tramite: tramite, document: document), status: .notFound, cookies: cookies)
        }
        do throws(EnrollmentError) {
            guard !tramite.trimmed.isEmpty, !document.trimmed.isEmpty else { return notFound() }
            if let wait = attemptWait(tramite: tramite, document: document) {
                return Self.attemptsPage(wait: wait, cookies: cookies)
            }
            return try withService { (service) throws(EnrollmentError) -> HTTPResponse in
                if !EnrollmentFormPage.ticked(values["confirmar_baja"]) {
                    guard let view = try service.status(tramite: tramite, document: document) else {
                        recordWrongPair(tramite: tramite, document: document)
                        return notFound()
                    }
                    // No button to give de baja (or its baja already asked for): the status page again, which
                    // offers none; with one, the box was not ticked.
                    guard view.state.holdsButton && view.state != .bajaSolicitada else {
                        return Self.page("Estado de su solicitud", statusBody(view, document: document, token: token),
                                         cookies: cookies)
                    }
                    return Self.page("Estado de su solicitud", statusBody(
                        view, document: document, token: token,
                        bajaError: "Marque la casilla para confirmar que quiere dar de baja su botón."),
                                     status: .unprocessableContent, cookies: cookies)
                }
                let view = try service.requestBaja(tramite: tramite, document: document, at: clock())
                logger.info("enrollment_baja_requested", ["tramite": view.tramite, "channel": "web"])
                return Self.page("Baja solicitada", HTML.notice("Recibimos su pedido de baja. Su botón sigue "
                    + "funcionando hasta que la baja se confirme.")
                    + statusBody(view, document: document, token: token), cookies: cookies)
            }
        } catch where error.kind == .notFound {
            recordWrongPair(tramite: tramite, document: document)
            return notFound()
        } catch {
            log(error, route: "/registro/baja")
            return Self.page("No se pudo dar de baja", HTML.alert(error.mensaje)
                + statusForm(token: token, tramite: tramite, document: document),
                             status: Self.status(for: error.kind), cookies: cookies)
        }
    }
}
