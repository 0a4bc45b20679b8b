import BotonConsole
import BotonCore
import BotonHTTP
import BotonRepository
import BotonStatistics
import BotonWebKit

/// The officers' complaint pages, behind the same session and CSRF rules as the enrollment pages:
/// `GET /oficial/quejas` (open complaints of their scope), `GET/POST /oficial/quejas/nueva` (a complaint received
/// by phone or in person), `GET /oficial/quejas/:numero` (detail and history, audited) and
/// `POST /oficial/quejas/:numero/{gestionar,resolver}`.
extension StatisticsWeb {
    func installOfficerQuejaPages(into router: inout Router) {
        router.get("/oficial/quejas", web.officerPage { [self] _, _, context, _ in try pendingQuejas(context) })
        router.get("/oficial/quejas/nueva", web.officerPage { [self] _, _, context, _ in
            newQuejaPage(context, values: ["upc": context.identity.upcCode ?? ""], errors: HTML.Errors())
        })
        router.post("/oficial/quejas/nueva", web.officerPage { [self] _, _, context, fields in
            try recordQueja(context, fields)
        })
        router.get("/oficial/quejas/:numero", web.officerPage { [self] request, parameters, context, _ in
            try quejaDetail(parameters["numero"] ?? "", context,
                            notice: Self.quejaNotices[request.query("aviso") ?? ""])
        })
        for (action, target) in [("gestionar", QuejaState.enGestion), ("resolver", QuejaState.resuelta)] {
            router.post("/oficial/quejas/:numero/\(action)", web.officerPage { [self] _, parameters, context, fields in
                try advanceQueja(parameters["numero"] ?? "", to: target, context, fields)
            })
        }
    }

    static let quejaNotices = [
        "registrada": "Queja registrada.", "en_gestion": "La queja quedó en gestión a su cargo.",
        "resuelta": "Queja resuelta.",
    ]

    private func pendingQuejas(_ context: OfficerContext) throws -> HTTPResponse {
        let list: [QuejaRecord]
        do { list = try withQuejas { (quejas) throws(QuejaError) in try quejas.pending(for: context.identity) } } catch {
            log(error, route: "/oficial/quejas", officer: context.identity)
            return EnrollmentWeb.officerPage("Quejas", HTML.alert(error.mensaje), context,
                                             status: Self.status(for: error.kind))
        }
        var body = "<p><a class=\"boton\" href=\"/oficial/quejas/nueva\">Registrar una queja recibida por teléfono o "
            + "en persona</a></p>\n"
        if list.isEmpty {
            body += HTML.notice("No hay quejas abiertas en su alcance.")
        } else {
            body += "<table>\n<caption>\(list.count) queja\(list.count == 1 ? "" : "s") abierta\(list.count == 1 ? "" : "s"), "
                + "las más antiguas primero</caption>\n<thead><tr><th scope=\"col\">Número</th><th scope=\"col\">Estado</th>"
                + "<th scope=\"col\">Canal</th><th scope=\"col\">UPC</th><th scope=\"col\">Recibida</th>"
                + "<th scope=\"col\">Descripción</th></tr></thead>\n<tbody>\n"
            for q in list {
                let number = QuejaService.number(q.id!)
                let summary = q.description.count > 80 ? String(q.description.prefix(80)) + "…" : q.description
                body += "<tr><td><a href=\"/oficial/quejas/\(number)\">\(number)</a></td>"
                    + "<td>\(HTML.escape(q.state.nombre))</td><td>\(HTML.escape(q.channel.nombre))</td>"
                    + "<td>\(HTML.escape(q.upcCode ?? "Nacional"))</td><td>\(HTML.escape(PageTime.text(q.receivedAt)))</td>"
                    + "<td>\(HTML.escape(summary))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n"
        }
        return EnrollmentWeb.officerPage("Quejas", body, context)
    }

    private func newQuejaPage(_ context: OfficerContext, values: [String: String], errors: HTML.Errors,
                              status: HTTPStatus = .ok, alert: String? = nil) -> HTTPResponse
    {
        var body = alert.map(HTML.alert) ?? ""
        if errors.isEmpty && alert == nil {
            body += "<p>Registre aquí una queja que el ciudadano presentó por teléfono o en la UPC. Si menciona una "
                + "alerta o un trámite, la queja se asigna a su UPC; si no, a la UPC indicada.</p>\n"
        }
        body += HTML.errorSummary(errors)
        body += "<form method=\"post\" action=\"/oficial/quejas/nueva\" novalidate>\n"
            + HTML.hidden(CSRFGuard.fieldName, context.csrfToken) + "\n"
        body += HTML.select("canal", label: "¿Cómo se recibió?", options: [("telefono", "Por teléfono"),
                                                                          ("presencial", "En persona, en la UPC")],
                            value: values["canal"] ?? "telefono", errors: errors)
        body += HTML.input("upc", label: "UPC", value: values["upc"] ?? "", errors: errors,
                           help: "La UPC a la que se refiere la queja, por ejemplo UPC-17D04C01S01. Vacío: la suya.",
                           autocomplete: "off")
        body += Self.quejaFields(values, errors)
        body += "<button type=\"submit\">Registrar queja</button>\n</form>\n"
        return EnrollmentWeb.officerPage(errors.isEmpty ? "Registrar una queja" : "Revise la queja", body, context,
                                         status: status)
    }

    private func recordQueja(_ context: OfficerContext, _ fields: [String: String]) throws -> HTTPResponse {
        let channel = QuejaChannel(rawValue: fields["canal"] ?? "") ?? .web
        do {
            let queja = try withQuejas { (quejas) throws(QuejaError) in try quejas.record(Self.form(fields), channel: channel, upc: fields["upc"], by: context.identity,
                                            at: clock()) }
            logger.info("queja_received", ["queja": String(queja.id!), "channel": channel.rawValue,
                                           "upc": queja.upcCode ?? "-", "operator": String(context.identity.id)])
            return EnrollmentWeb.redirect("/oficial/quejas/\(QuejaService.number(queja.id!))?aviso=registrada",
                                          cookies: context.cookies)
        } catch where error.code == "form" {
            return newQuejaPage(context, values: fields, errors: Self.errors(error.fields), status: .unprocessableContent)
        } catch {
            log(error, route: "/oficial/quejas/nueva", officer: context.identity)
            return newQuejaPage(context, values: fields, errors: HTML.Errors(), status: Self.status(for: error.kind),
                                alert: error.mensaje)
        }
    }

    private func quejaDetail(_ numero: String, _ context: OfficerContext, notice: String? = nil,
                             failure: QuejaError? = nil, values: [String: String] = [:]) throws -> HTTPResponse
    {
        guard let id = QuejaService.id(fromNumber: numero) else {
            return EnrollmentWeb.officerPage("Queja no encontrada", HTML.alert("«\(numero)» no es un número de queja "
                                             + "(Q-000123).") + "<p><a href=\"/oficial/quejas\">Volver a las quejas</a></p>\n",
                                             context, status: .notFound)
        }
        let queja: QuejaRecord, history: [QuejaTransitionRecord]
        do { (queja, history) = try withQuejas { (quejas) throws(QuejaError) in try quejas.detail(id, for: context.identity, at: clock()) } } catch {
            log(error, route: "/oficial/quejas/:numero", officer: context.identity)
            return EnrollmentWeb.officerPage(error.kind == .forbidden ? "Sin acceso" : "Queja no disponible",
                                             HTML.alert(error.mensaje)
                                                 + "<p><a href=\"/oficial/quejas\">Volver a las quejas</a></p>\n",
                                             context, status: Self.status(for: error.kind))
        }
        let number = QuejaService.number(id)
        // Operators by rank and name; without them (the store failed) by account, which is still a person's word.
        let names = (try? web.store.withConnection { (connection) throws(StoreError) in
            try IncidentDesk.operatorNames(of: history.map(\.actor), store: connection)
        }) ?? [:]
        var errors = HTML.Errors()
        var body = ""
        if let failure {
            if failure.fields.isEmpty { body += HTML.alert(failure.mensaje) } else {
                errors = Self.errors(failure.fields)
                body += HTML.errorSummary(errors)
            }
        }
        if let notice { body += HTML.notice(notice, kind: "aviso exito") }
        body += "<dl class=\"datos\">\n<dt>Estado</dt><dd id=\"estado\">\(HTML.escape(queja.state.nombre))</dd>\n"
            + "<dt>Canal</dt><dd>\(HTML.escape(queja.channel.nombre))</dd>\n"
            + "<dt>Recibida</dt><dd>\(HTML.escape(PageTime.text(queja.receivedAt)))</dd>\n"
            + "<dt>UPC</dt><dd>\(HTML.escape(queja.upcCode ?? "Sin UPC (cola nacional)"))</dd>\n"
        if let sub = queja.subcircuitCode { body += "<dt>Subcircuito</dt><dd>\(HTML.escape(sub))</dd>\n" }
        if let tramite = queja.tramiteRef {
            body += "<dt>Trámite</dt><dd><a href=\"/oficial/solicitudes/\(HTML.attribute(tramite))\">"
                + "\(HTML.escape(tramite))</a></dd>\n"
        }
        if let incident = queja.incidentRef {
            body += "<dt>Alerta</dt><dd>\(HTML.escape("Alerta \(incident)"))</dd>\n"
        }
        // A phone in the one format of every page (099 123 4567); an e-mail as written.
        let contact = queja.contact.map { (try? PhoneLine($0))?.nationalFormat ?? $0 }
        body += "<dt>Contacto</dt><dd>\(HTML.escape(contact ?? "No dejó contacto"))</dd>\n"
            + "<dt>Descripción</dt><dd class=\"texto\">\(HTML.escape(queja.description))</dd>\n</dl>\n"
        body += "<h2>Historial</h2>\n<ol class=\"pasos\">\n"
        for step in history {
            let who = names[step.actor] ?? Author(storageForm: step.actor).map(OfficerDetailView.author) ?? step.actor
            body += "<li>\(HTML.escape(PageTime.text(step.at))): \(HTML.escape(step.to.nombre)) · "
                + "\(HTML.escape(who))" + (step.note.map { " — \(HTML.escape($0))" } ?? "") + "</li>\n"
        }
        body += "</ol>\n"
        if let next = queja.state.next {
            let action = next == .resuelta ? "resolver" : "gestionar"
            body += "<h2>\(next == .resuelta ? "Resolver la queja" : "Tomar la queja en gestión")</h2>\n"
                + "<form class=\"accion\" method=\"post\" action=\"/oficial/quejas/\(number)/\(action)\" novalidate>\n"
                + HTML.hidden(CSRFGuard.fieldName, context.csrfToken) + "\n"
                + HTML.textarea("nota", label: next == .resuelta ? "Cómo se resolvió" : "Nota", value: values["nota"] ?? "",
                                errors: errors,
                                help: next == .resuelta ? "Queda en el historial de la queja." : nil,
                                required: next == .resuelta)
                + "<button type=\"submit\">\(next == .resuelta ? "Marcar como resuelta" : "Tomar en gestión")</button>\n"
                + "</form>\n"
        }
        body += "<p><a href=\"/oficial/quejas\">Volver a las quejas</a></p>\n"
        return EnrollmentWeb.officerPage("Queja \(number)", body, context,
                                         status: failure.map { Self.status(for: $0.kind) } ?? .ok)
    }

    private func advanceQueja(_ numero: String, to target: QuejaState, _ context: OfficerContext,
                              _ fields: [String: String]) throws -> HTTPResponse
    {
        guard let id = QuejaService.id(fromNumber: numero) else { return try quejaDetail(numero, context) }
        do {
            _ = try withQuejas { (quejas) throws(QuejaError) in
                try quejas.advance(id, to: target, note: fields["nota"], by: context.identity, at: clock())
            }
            logger.info("queja_advanced", ["queja": String(id), "state": target.rawValue,
                                           "operator": String(context.identity.id)])
            return EnrollmentWeb.redirect("/oficial/quejas/\(QuejaService.number(id))?aviso=\(target.rawValue)",
                                          cookies: context.cookies)
        } catch {
            log(error, route: "/oficial/quejas/:numero/\(target.rawValue)", officer: context.identity)
            if error.kind == .notFound || error.kind == .forbidden || error.kind == .unavailable {
                return EnrollmentWeb.officerPage("No se pudo completar", HTML.alert(error.mensaje)
                    + "<p><a href=\"/oficial/quejas\">Volver a las quejas</a></p>\n", context,
                                                 status: Self.status(for: error.kind))
            }
            return try quejaDetail(numero, context, failure: error, values: fields)
        }
    }
}
