import BotonCore
import BotonHTTP
import BotonRepository
import BotonRuntime
import BotonEnrollment
import BotonWebKit

/// What an officer's page handler gets: the live session, the CSRF token of the session for its forms, and the
/// cookies to set (a new CSRF cookie when the browser had none for this session).
struct OfficerContext {
    let session: OfficerSession
    let csrfToken: String
    let cookies: [String]
    var identity: OperatorIdentity { session.identity }
}

/// The officers' pages: sign-in and sign-out, the pending requests of their scope, a request's detail with its
/// actions, and the in-person intake. Every page but the sign-in needs a live session (``Sessions``): without one
/// the answer is 303 to `/oficial/ingreso`. Every POST needs the CSRF token bound to the session: 403 otherwise.
extension EnrollmentWeb {
    typealias OfficerHandler = @Sendable (HTTPRequest, RouteParameters, OfficerContext, [String: String]) throws -> HTTPResponse

    func installOfficerPages(into router: inout Router) {
        router.get("/oficial") { _, _ in Self.redirect("/consola") }
        router.get("/oficial/ingreso") { [self] request, _ in try signInPage(request) }
        router.post("/oficial/ingreso", loginLimiter.limiting({ [self] request, _ in try signIn(request) },
                                                             refusal: Self.rateLimitPage))
        router.post("/oficial/salir", officerPage { [self] request, _, context, _ in
            do throws(StoreError) {
                try store.withConnection { (connection) throws(StoreError) in try sessions.signOut(context.session, store: connection, at: clock()) }
            } catch {
                logger.error("sign_out_failed", ["error": error.description])
                return Self.page("No se pudo cerrar la sesión", HTML.alert(EnrollmentError.storage(error).mensaje),
                                 status: .serviceUnavailable)
            }
            logger.info("officer_signed_out", ["operator": String(context.identity.id)])
            return Self.redirect("/oficial/ingreso?sesion=cerrada",
                                 cookies: [sessions.expiredCookie(secure: request.isSecure)])
        })
        router.get("/oficial/solicitudes", officerPage { [self] request, _, context, _ in
            try pendingPage(context, search: request.query("tramite"))
        })
        installAuditPage(into: &router)
        router.get("/oficial/solicitudes/nueva", officerPage { [self] _, _, context, _ in
            inPersonPage(context, values: [:], errors: HTML.Errors())
        })
        router.post("/oficial/solicitudes/nueva", officerPage { [self] _, _, context, fields in
            try createInPerson(context, fields)
        })
        router.get("/oficial/solicitudes/:tramite", officerPage { [self] request, parameters, context, _ in
            try detailPage(parameters["tramite"] ?? "", context, notice: Self.notices[request.query("aviso") ?? ""])
        })
        for action in ["contacto", "verificar", "rechazar", "registrar", "confirmar-prueba", "confirmar-baja",
                       "rechazar-baja", "reemitir-codigo"] {
            router.post("/oficial/solicitudes/:tramite/\(action)", officerPage { [self] _, parameters, context, fields in
                try officerAction(action, tramite: parameters["tramite"] ?? "", context, fields)
            })
        }
    }

    /// Wraps an officer's page: finds the session (else 303 to the sign-in page, saying when it had expired),
    /// checks a POST's CSRF token against it (else 403), and hands over the session's CSRF token.
    func officerPage(_ handler: @escaping OfficerHandler) -> RouteHandler {
        { [self] request, parameters in
            let session: OfficerSession?
            do throws(StoreError) {
                session = try store.withConnection { (connection) throws(StoreError) in try sessions.current(request, store: connection, at: clock()) }
            } catch {
                log(.storage(error), route: request.path)
                return Self.page("Servicio no disponible", HTML.alert(EnrollmentError.storage(error).mensaje),
                                 status: .serviceUnavailable)
            }
            guard let session else {
                let had = sessions.hasCookie(request)
                // A page asked for by link comes back after the sign-in (a form's POST does not: it was a step).
                let back = request.method == .get ? Self.safeReturnPath(request.target) : nil
                let query = [had ? "sesion=vencida" : nil, back.map { "volver=" + Self.percentEncoded($0) }]
                    .compactMap { $0 }.joined(separator: "&")
                return Self.redirect("/oficial/ingreso" + (query.isEmpty ? "" : "?" + query),
                                     cookies: had ? [sessions.expiredCookie(secure: request.isSecure)] : [])
            }
            var fields: [String: String] = [:]
            if request.method == .post {
                guard let submitted = Self.fields(request) else { return Self.notAForm() }
                guard csrf.verify(request, submitted: submitted[CSRFGuard.fieldName], session: session.csrfBinding) else {
                    logger.info("csrf_refused", ["route": request.path, "operator": String(session.identity.id)])
                    return Self.csrfRefusal(back: "/oficial/solicitudes")
                }
                fields = submitted
            }
            let (token, cookie) = try csrf.token(for: request, session: session.csrfBinding)
            return try handler(request, parameters,
                               OfficerContext(session: session, csrfToken: token, cookies: cookie.map { [$0] } ?? []),
                               fields)
        }
    }

    /// The menu of the officers' pages, with the sign-out form.
    static func officerNav(_ context: OfficerContext) -> String {
        let who = context.identity
        let scope = who.upcCode ?? who.districtCode.map { "Distrito \($0)" } ?? "Nacional"
        return """
        <nav class="oficial" aria-label="Consola">
        <ul>
        <li><a href="/consola">Consola</a></li>
        <li><a href="/oficial/solicitudes">Solicitudes pendientes</a></li>
        <li><a href="/oficial/solicitudes/nueva">Registro presencial</a></li>
        <li><a href="/oficial/quejas">Quejas</a></li>
        \(who.role == .administrador ? "<li><a href=\"/oficial/auditoria\">Auditoría</a></li>" : "")
        </ul>
        <p class="quien">\(HTML.escape(who.displayName)) · \(HTML.escape(who.role.nombre)) · \(HTML.escape(scope))</p>
        <form method="post" action="/oficial/salir">\(HTML.hidden(CSRFGuard.fieldName, context.csrfToken))<button type="submit" class="secundario">Salir</button></form>
        </nav>
        """
    }

    static func officerPage(_ title: String, _ body: String, _ context: OfficerContext, status: HTTPStatus = .ok,
                            scripts: [String] = []) -> HTTPResponse
    {
        page(title, body, status: status, cookies: context.cookies, scripts: scripts, nav: officerNav(context))
    }

    // MARK: Sign-in

    private func signInPage(_ request: HTTPRequest, username: String = "", message: String? = nil,
                            status: HTTPStatus = .ok, returnTo: String? = nil) throws -> HTTPResponse
    {
        if message == nil,
           ((try? store.withConnection({ (connection) throws(StoreError) in
               try sessions.current(request, store: connection, at: clock())
           })) ?? nil) != nil
        {
            return Self.redirect(Self.safeReturnPath(request.query("volver")) ?? "/consola")
        }
        let (token, cookie) = try csrf.token(for: request)
        var body = ""
        switch request.query("sesion") {
        case "vencida": body += HTML.notice("Su sesión terminó. Ingrese de nuevo.")
        case "cerrada": body += HTML.notice("Cerró su sesión.")
        default: break
        }
        if let message { body += HTML.alert(message) }
        body += "<form method=\"post\" action=\"/oficial/ingreso\" novalidate>\n" + HTML.hidden(CSRFGuard.fieldName, token) + "\n"
        if let back = Self.safeReturnPath(returnTo ?? request.query("volver")) { body += HTML.hidden("volver", back) + "\n" }
        body += HTML.input("usuario", label: "Usuario", value: username, errors: HTML.Errors(), required: true,
                           autocomplete: "username", extra: "autocapitalize=\"none\" spellcheck=\"false\"")
        body += HTML.input("contrasena", label: "Contraseña", errors: HTML.Errors(), type: "password", required: true,
                           autocomplete: "current-password")
        body += "<button type=\"submit\">Ingresar</button>\n</form>\n"
        return Self.page("Ingreso de servidores policiales", body, status: status, cookies: cookie.map { [$0] } ?? [])
    }

    private func signIn(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let values = Self.fields(request) else { return Self.notAForm() }
        guard csrf.verify(request, submitted: values[CSRFGuard.fieldName]) else {
            logger.info("csrf_refused", ["route": "/oficial/ingreso"])
            return Self.csrfRefusal(back: "/oficial/ingreso")
        }
        let username = values["usuario"] ?? ""
        switch authenticate(username: username, password: values["contrasena"] ?? "", request: request) {
        case .success(let (_, cookie)):
            return Self.redirect(Self.safeReturnPath(values["volver"]) ?? "/consola", cookies: [cookie])
        case .failure(let error):
            var response = try signInPage(request, username: username, message: error.mensaje,
                                          status: Self.status(for: error), returnTo: values["volver"])
            if let wait = retryAfter(error) { response.headers.replace(name: "Retry-After", value: String(wait)) }
            return response
        }
    }

    /// Checks the password (PBKDF2, about half a second, outside any transaction) and starts a session. Shared by
    /// the page and the API.
    func authenticate(username: String, password: String, request: HTTPRequest)
        -> Result<(OfficerSession, String), OperatorAccountError>
    {
        // The hash takes about half a second of a worker: at most `http.login_concurrency` at once, so that alert
        // intake and the consoles always find a free worker. The rest are told to retry in a second.
        guard signInSlots.tryAcquire() else {
            logger.warning("sign_in_busy", ["peer": request.clientAddress, "in_progress": String(signInSlots.current)])
            return .failure(OperatorAccountError(.unavailable, "Hay muchos ingresos en curso. Intente de nuevo en un "
                                                 + "momento.", detail: Self.signInBusy))
        }
        defer { signInSlots.release() }
        do {
            let (identity, started) = try store.withConnection({ (store) throws -> (OperatorIdentity, (session: OfficerSession, setCookie: String)) in
                let identity = try OperatorAccounts(store: store, throttle: signInThrottle).authenticate(
                    username: username, password: password, from: request.clientAddress, at: clock())
                let started: (session: OfficerSession, setCookie: String)
                // The session starts now, after the password hash (which takes a while), not when the attempt began.
                do { started = try sessions.signIn(identity, request: request, store: store, at: clock()) } catch {
                    throw (error as? StoreError).map(OperatorAccountError.storage)
                        ?? OperatorAccountError(.unavailable, "No se pudo iniciar la sesión. Intente de nuevo.",
                                                detail: "\(error)")
                }
                return (identity, started)
            }, unavailable: { OperatorAccountError.storage($0) as any Error })
            logger.info("officer_signed_in", ["operator": String(identity.id), "role": identity.role.rawValue,
                                              "expires_ms": String(started.session.expiresAt.millisecondsSince1970)])
            return .success((started.session, started.setCookie))
        } catch let error as OperatorAccountError {
            switch error.kind {
            case .unavailable: logger.error("sign_in_unavailable", ["detail": error.detail ?? "-"])
            // The typed username is not logged (people type passwords into it); the audit log has the account.
            case .locked:
                logger.warning("sign_in_throttled", ["peer": request.clientAddress,
                                                     "until_ms": String(error.lockedUntil?.millisecondsSince1970 ?? 0)])
            default: logger.info("sign_in_refused", ["peer": request.clientAddress])
            }
            return .failure(error)
        } catch {
            return .failure(OperatorAccountError(.unavailable, "No se pudo iniciar la sesión. Intente de nuevo.",
                                                 detail: "\(error)"))
        }
    }

    static func status(for error: OperatorAccountError) -> HTTPStatus { error.status }

    /// Where a sign-in may send the browser back to: a path of this site (`/oficial/…`, `/consola…`), never
    /// another host (`//evil`, `/\evil`, `https://…`), never the sign-in or sign-out itself; nil otherwise.
    static func safeReturnPath(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= 1024 else { return nil }
        let bytes = Array(candidate.utf8)
        guard bytes.first == UInt8(ascii: "/"), bytes.count == 1 || (bytes[1] != UInt8(ascii: "/")),
              bytes.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }),
              candidate.hasPrefix("/oficial") || candidate.hasPrefix("/consola"),
              !candidate.hasPrefix("/oficial/ingreso"), !candidate.hasPrefix("/oficial/salir")
        else { return nil }
        return candidate
    }

    /// The detail of a sign-in refused because every sign-in slot was taken.
    static let signInBusy = "sign-in slots taken"

    /// Seconds until the address may try the username again, or until a sign-in slot may be free.
    func retryAfter(_ error: OperatorAccountError) -> Int? {
        if error.kind == .unavailable && error.detail == Self.signInBusy { return 1 }
        guard error.kind == .locked, let until = error.lockedUntil else { return nil }
        return max(1, Int((until.millisecondsSince1970 - clock().millisecondsSince1970 + 999) / 1000))
    }

    // MARK: Lists and detail

    private func pendingPage(_ context: OfficerContext, search: String?) throws -> HTTPResponse {
        var searchError: String?
        if let search = search?.trimmed, !search.isEmpty {
            // A número de trámite opens its request (the detail checks the scope and audits the reading).
            if let number = try? TramiteNumber(search) {
                return Self.redirect("/oficial/solicitudes/\(number.text)", cookies: context.cookies)
            }
            searchError = "«\(search)» no es un número de trámite: tiene la forma BS-2026-000123-4."
        }
        let list: [EnrollmentSummary]
        do { list = try withService { (service) throws(EnrollmentError) in try service.pending(for: context.identity) } } catch {
            log(error, route: "/oficial/solicitudes", officer: context.identity)
            return Self.officerPage("Solicitudes pendientes", HTML.alert(error.mensaje), context,
                                    status: Self.status(for: error.kind))
        }
        var body = "<form method=\"get\" action=\"/oficial/solicitudes\" class=\"buscar\" role=\"search\" novalidate>\n"
            + HTML.input("tramite", label: "Buscar por número de trámite", value: search ?? "",
                         errors: HTML.Errors(entries: searchError.map { [("tramite", $0)] } ?? []),
                         help: "Por ejemplo BS-2026-000123-4: abre la solicitud, esté pendiente o no.",
                         autocomplete: "off", extra: "autocapitalize=\"characters\" spellcheck=\"false\"")
            + "<button type=\"submit\" class=\"secundario\">Buscar</button>\n</form>\n"
        body += "<p>Solicitudes que esperan una acción de su \(context.identity.role == .operadorUPC ? "UPC" : "alcance"), "
            + "las más antiguas primero.</p>\n"
        if list.isEmpty {
            body += HTML.notice("No hay solicitudes pendientes.")
        } else {
            body += "<table>\n<caption>\(list.count) solicitud\(list.count == 1 ? "" : "es")</caption>\n"
                + "<thead><tr><th scope=\"col\">Trámite</th><th scope=\"col\">Ciudadano</th><th scope=\"col\">Estado</th><th scope=\"col\">Canal</th>"
                + "<th scope=\"col\">Línea</th><th scope=\"col\">UPC</th><th scope=\"col\">Ingresada</th></tr></thead>\n<tbody>\n"
            for s in list {
                body += "<tr><td><a class=\"tramite-n\" href=\"/oficial/solicitudes/\(HTML.attribute(s.tramite))\">\(HTML.escape(s.tramite))</a>"
                    + (s.linkedTo.map { "<br><span class=\"ayuda\">Vinculada a <span class=\"tramite-n\">\(HTML.escape($0))</span></span>" } ?? "")
                    + "</td><td>\(HTML.escape(s.citizenName ?? ""))</td><td>\(HTML.escape(s.estado))</td><td>\(s.channel == .presencial ? "Presencial" : "En línea")</td>"
                    + "<td>\(s.lineKind == .fijo ? "Fijo" : "Celular")</td><td>\(HTML.escape(s.upcCode))</td>"
                    + "<td>\(HTML.escape(PageTime.text(s.createdAt)))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n"
        }
        return Self.officerPage("Solicitudes pendientes", body, context)
    }

    static let notices = [
        "contacto": "Contacto registrado.", "verificada": "Solicitud verificada.", "rechazada": "Solicitud rechazada.",
        "activa": "Alerta de prueba confirmada: el botón está activo.",
        "creada": "Solicitud presencial registrada y verificada. Siguiente paso: registrar el botón.",
        "baja-confirmada": "Baja confirmada: el botón fue dado de baja y su credencial revocada.",
        "baja-rechazada": "Pedido de baja rechazado: el botón sigue activo.",
    ]

    /// The detail page; `failure` re-renders it after a refused action, with the message (and the field at fault).
    private func detailPage(_ tramite: String, _ context: OfficerContext, notice: String? = nil,
                            failure: (error: EnrollmentError, field: String?)? = nil, values: [String: String] = [:])
        throws -> HTTPResponse
    {
        let detail: EnrollmentDetail
        do { detail = try withService { (service) throws(EnrollmentError) in try service.detail(tramite, for: context.identity, at: clock()) } } catch {
            log(error, route: "/oficial/solicitudes/:tramite", officer: context.identity)
            return Self.officerPage("Solicitud no disponible",
                                    HTML.alert(error.mensaje)
                                        + "<p><a href=\"/oficial/solicitudes\">Volver a las solicitudes</a></p>\n",
                                    context, status: Self.status(for: error.kind))
        }
        var errors = HTML.Errors()
        var body = ""
        if let failure {
            if let field = failure.field {
                errors.entries.append((field, failure.error.mensaje))
                body += HTML.errorSummary(errors)
            } else {
                body += HTML.alert(failure.error.mensaje)
            }
        }
        if let notice { body += HTML.notice(notice, kind: "aviso exito") }
        body += OfficerDetailView.render(detail, csrfToken: context.csrfToken, errors: errors, values: values)
        return Self.officerPage("Solicitud \(detail.summary.tramite)", body, context,
                                status: failure.map { Self.status(for: $0.error.kind) } ?? .ok)
    }

    private func officerAction(_ action: String, tramite: String, _ context: OfficerContext,
                               _ fields: [String: String]) throws -> HTTPResponse
    {
        let unavailable = { (error: StoreError) -> any Error in EnrollmentError.storage(error) }
        do {
            return try store.withConnection({ (connection) throws -> HTTPResponse in
                try officerAction(action, tramite: tramite, context, fields,
                                  service: EnrollmentService(store: connection, routing: routing, logger: logger),
                                  connection: connection)
            }, unavailable: unavailable)
        } catch let error as EnrollmentError where error.kind == .unavailable {
            return Self.officerPage("Servicio no disponible", HTML.alert(error.mensaje), context,
                                    status: .serviceUnavailable)
        }
    }

    private func officerAction(_ action: String, tramite: String, _ context: OfficerContext,
                               _ fields: [String: String], service: EnrollmentService,
                               connection: any StoreConnection) throws -> HTTPResponse
    {
        let officer = context.identity
        let back = "/oficial/solicitudes/\(tramite)"
        let result = ContactResult(rawValue: fields["resultado"] ?? "")
        if action == "contacto" && result == nil {
            return try detailPage(tramite, context, failure: (EnrollmentError(
                .invalid, code: "resultado", "Elija el resultado del contacto."), "resultado"), values: fields)
        }
        do throws(EnrollmentError) {
            switch action {
            case "contacto":
                try service.recordContact(tramite, result: result!, note: fields["nota"], by: officer, at: clock())
                return Self.redirect(back + "?aviso=contacto", cookies: context.cookies)
            case "verificar":
                try service.verify(tramite, by: officer, at: clock())
                return Self.redirect(back + "?aviso=verificada", cookies: context.cookies)
            case "rechazar":
                try service.reject(tramite, reason: fields["motivo"] ?? "", by: officer, at: clock())
                return Self.redirect(back + "?aviso=rechazada", cookies: context.cookies)
            case "confirmar-prueba":
                _ = try Self.confirmTest(tramite, by: officer, at: clock(), connection: connection, logger: logger,
                                         routing: routing)
                return Self.redirect(back + "?aviso=activa", cookies: context.cookies)
            case "confirmar-baja":
                try service.confirmBaja(tramite, by: officer, at: clock())
                return Self.redirect(back + "?aviso=baja-confirmada", cookies: context.cookies)
            case "rechazar-baja":
                try service.rejectBaja(tramite, reason: fields["motivo"] ?? "", by: officer, at: clock())
                return Self.redirect(back + "?aviso=baja-rechazada", cookies: context.cookies)
            case "reemitir-codigo":
                let registration = try service.reissueCode(tramite, by: officer, at: clock())
                logger.info("activation_code_reissued", ["tramite": registration.summary.tramite,
                                                         "operator": String(officer.id)])
                return Self.officerPage("Código de activación nuevo", OfficerDetailView.registration(registration),
                                        context)
            default:
                let registration = try service.register(tramite, by: officer, at: clock())
                logger.info("enrollment_registered", ["tramite": registration.summary.tramite,
                                                      "operator": String(officer.id),
                                                      "line_kind": registration.line.kind.rawValue])
                return Self.officerPage("Botón registrado", OfficerDetailView.registration(registration), context)
            }
        } catch {
            log(error, route: "/oficial/solicitudes/:tramite/\(action)", officer: officer)
            if error.kind == .notFound || error.kind == .forbidden || error.kind == .unavailable {
                return Self.officerPage("No se pudo completar", HTML.alert(error.mensaje)
                    + "<p><a href=\"/oficial/solicitudes\">Volver a las solicitudes</a></p>\n", context,
                                        status: Self.status(for: error.kind))
            }
            return try detailPage(tramite, context, failure: (error, error.code == "missing_reason" ? "motivo" : nil),
                                  values: fields)
        }
    }

    // MARK: In person

    private func inPersonPage(_ context: OfficerContext, values: [String: String], errors: HTML.Errors,
                              status: HTTPStatus = .ok) -> HTTPResponse
    {
        var body = ""
        if errors.isEmpty {
            body += "<p>Registro de una solicitud en la UPC: verifique el documento del ciudadano, explíquele la "
                + "política de uso y cómo activar el botón, y marque lo que él autoriza. La solicitud queda verificada y "
                + "asignada a la UPC de su domicilio.</p>\n"
        }
        body += EnrollmentFormPage.render(action: "/oficial/solicitudes/nueva", csrfToken: context.csrfToken,
                                          values: values, errors: errors, officer: true,
                                          submitLabel: "Registrar solicitud")
        return Self.officerPage(errors.isEmpty ? "Registro presencial" : "Revise la solicitud", body, context,
                                status: status, scripts: ["ubicacion.js"])
    }

    private func createInPerson(_ context: OfficerContext, _ fields: [String: String]) throws -> HTTPResponse {
        do {
            let submitted = try withService { (service) throws(EnrollmentError) in try service.createInPerson(
                EnrollmentFormPage.form(fields),
                usagePolicyExplained: EnrollmentFormPage.ticked(fields[EnrollmentForm.Field.politicaExplicada.rawValue]),
                by: context.identity, at: clock()) }
            logger.info("enrollment_submitted", ["tramite": submitted.tramite, "upc": submitted.upcCode,
                                                 "channel": "presencial", "operator": String(context.identity.id)])
            return Self.redirect("/oficial/solicitudes/\(submitted.tramite)?aviso=creada", cookies: context.cookies)
        } catch let error where error.form != nil {
            return inPersonPage(context, values: fields, errors: EnrollmentFormPage.errors(error.form!),
                                status: .unprocessableContent)
        } catch {
            log(error, route: "/oficial/solicitudes/nueva", officer: context.identity)
            return Self.officerPage("No se pudo registrar", HTML.alert(error.mensaje), context,
                                    status: Self.status(for: error.kind))
        }
    }
}
