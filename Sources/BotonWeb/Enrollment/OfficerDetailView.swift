import BotonCore
import BotonEnrollment
import BotonWebKit

/// The HTML of a request's detail for the officer, with the actions its state allows as small forms, and the
/// page that shows a new credential once.
enum OfficerDetailView {
    static func render(_ d: EnrollmentDetail, csrfToken: String, errors: HTML.Errors, values: [String: String])
        -> String
    {
        let s = d.summary
        let e = HTML.escape
        func row(_ label: String, _ value: String?) -> String {
            guard let value, !value.isEmpty else { return "" }
            return "<dt>\(e(label))</dt><dd>\(e(value))</dd>\n"
        }
        func position(_ lat: Double?, _ lon: Double?) -> String? {
            guard let lat, let lon else { return nil }
            return "\(lat), \(lon)"
        }
        var h = "<h2>Solicitud</h2>\n<dl class=\"datos\">\n"
        h += "<dt>Número de trámite</dt><dd class=\"tramite-n\">\(e(s.tramite))</dd>\n"
        h += "<dt>Estado</dt><dd id=\"estado\">\(e(s.estado))</dd>\n"
        h += row("Canal", s.channel == .presencial ? "Presencial" : "En línea")
        h += row("UPC asignada", "\(d.upcName) (\(s.upcCode))")
        h += row("UPC de atención", s.intakeUPCCode)
        h += row("Subcircuito", "\(d.subcircuitName) (\(s.subcircuitCode))")
        h += row("Ingresada", PageTime.text(s.createdAt))
        h += row("Registrada", s.registeredAt.map(PageTime.text))
        h += row("Vinculada a", s.linkedTo)
        h += row("Solicitudes vinculadas a esta", d.linkedRequests.isEmpty ? nil : d.linkedRequests.joined(separator: ", "))
        h += "</dl>\n"
        if s.linkedTo != nil || !d.linkedRequests.isEmpty {
            h += HTML.notice("La línea tiene otra solicitud viva: revise ambas con el ciudadano y dé de baja o rechace "
                             + "la que no corresponda antes de registrar el botón.")
        }

        h += "<h2>Ciudadano</h2>\n<dl class=\"datos\">\n"
        let c = d.citizen
        h += row("Documento", IdentityDocument.text(kind: c.documentKind.rawValue, number: c.documentNumber,
                                                    nationality: c.nationality))
        h += row("Nombres", c.nombres)
        h += row("Apellidos", c.apellidos)
        h += row("Fecha de nacimiento", c.birthDate)
        h += row("Línea del botón", "\(d.line.nationalFormat) (\(d.line.kind == .fijo ? "fijo" : "celular"))")
        h += row("Correo", c.email)
        h += row("Domicilio", d.homeAddress)
        h += row("Ubicación del domicilio", position(d.homeLatitude, d.homeLongitude))
        h += row("Trabajo", d.workAddress)
        h += row("Ubicación del trabajo", position(d.workLatitude, d.workLongitude))
        h += row("Consentimiento LOPDP", d.consentAt.map(PageTime.text))
        h += row("Política de uso aceptada", d.usagePolicyAcceptedAt.map(PageTime.text))
        h += row("Política de uso explicada", d.usagePolicyExplained ? "Sí" : nil)
        h += "</dl>\n"

        h += "<h2>Contactos de referencia</h2>\n<table>\n<thead><tr><th scope=\"col\">Nombre</th>"
            + "<th scope=\"col\">Teléfono</th></tr></thead>\n<tbody>\n"
        for contact in d.contacts {
            h += "<tr><td>\(e(contact.name))</td><td>\(e(contact.phone.nationalFormat))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"

        if !d.contactAttempts.isEmpty {
            h += "<h2>Intentos de contacto</h2>\n<table>\n<thead><tr><th scope=\"col\">Fecha</th><th scope=\"col\">"
                + "Resultado</th><th scope=\"col\">Por</th><th scope=\"col\">Nota</th></tr></thead>\n<tbody>\n"
            for a in d.contactAttempts {
                h += "<tr><td>\(e(PageTime.text(a.at)))</td><td>\(e(a.result.nombre))</td><td>\(e(author(a.actor)))</td>"
                    + "<td>\(e(a.note ?? ""))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }

        h += actions(d, csrfToken: csrfToken, errors: errors, values: values)

        h += "<h2>Historial</h2>\n<table>\n<thead><tr><th scope=\"col\">Fecha</th><th scope=\"col\">Estado</th>"
            + "<th scope=\"col\">Por</th><th scope=\"col\">Nota</th></tr></thead>\n<tbody>\n"
        for t in d.history {
            h += "<tr><td>\(e(PageTime.text(t.at)))</td><td>\(e(t.to.nombre))</td><td>\(e(author(t.actor)))</td>"
                + "<td>\(e(t.note ?? ""))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        if let device = d.device {
            h += "<h2>Credencial</h2>\n<dl class=\"datos\">\n"
            h += row("Dispositivo", "\(device.id) (\(device.kind == "app" ? "aplicación" : "línea fija"))")
            h += row("Emitida", PageTime.text(device.createdAt))
            h += row("Revocada", device.revokedAt.map(PageTime.text))
            h += "</dl>\n"
        }
        h += "<p><a href=\"/oficial/solicitudes\">Volver a las solicitudes</a></p>\n"
        return h
    }

    static func author(_ a: Author) -> String {
        switch a {
        case .operador(let o): return o.display ?? "operador (cuenta \(o.id))"
        case .ciudadano: return "Ciudadano"
        case .sistema: return "Sistema"
        case .dispositivo: return "Dispositivo"
        case .gateway: return "Operadora telefónica"
        }
    }

    /// The forms of the actions the state allows (the service checks again).
    static func actions(_ d: EnrollmentDetail, csrfToken: String, errors: HTML.Errors, values: [String: String])
        -> String
    {
        let state = d.summary.state
        let base = "/oficial/solicitudes/\(HTML.attribute(d.summary.tramite))"
        func form(_ action: String, _ inner: String, button: String, kind: String = "") -> String {
            "<form method=\"post\" action=\"\(base)/\(action)\" class=\"accion\" novalidate>\n"
                + HTML.hidden(CSRFGuard.fieldName, csrfToken) + "\n" + inner
                + "<button type=\"submit\"\(kind.isEmpty ? "" : " class=\"\(kind)\"")>\(HTML.escape(button))</button>\n</form>\n"
        }
        var h = ""
        if !state.isTerminal && state != .activa && state != .suspendida {
            h += "<h2>Acciones</h2>\n"
        }
        if [.ingresada, .enVerificacion, .verificada].contains(state) {
            h += "<h3>Registrar un contacto</h3>\n"
            h += form("contacto", HTML.select("resultado", label: "Resultado de la llamada",
                                              options: [("", "— Elija —")] + ContactResult.allCases.map { ($0.rawValue, $0.nombre) },
                                              value: values["resultado"] ?? "", errors: errors)
                + HTML.textarea("nota", label: "Nota", value: values["nota"] ?? "", errors: errors),
                button: "Registrar contacto")
        }
        if state == .enVerificacion {
            h += "<h3>Verificar</h3>\n"
            if d.citizenReached {
                h += "<p>Confirmó con el ciudadano su identidad, su dirección y sus contactos.</p>\n"
                h += form("verificar", "", button: "Marcar como verificada")
            } else {
                h += "<p id=\"verificar-pendiente\">Para marcarla como verificada, primero registre una llamada en la "
                    + "que habló con el ciudadano (resultado «Contactado») y confirmó su identidad, su dirección y sus "
                    + "contactos.</p>\n"
            }
        }
        if state == .ingresada || state == .enVerificacion {
            h += "<h3>Rechazar</h3>\n"
            h += form("rechazar", HTML.textarea("motivo", label: "Motivo del rechazo", value: values["motivo"] ?? "",
                                                errors: errors, help: "El ciudadano lo verá al consultar su trámite.",
                                                required: true),
                      button: "Rechazar solicitud", kind: "peligro")
        }
        if state == .verificada {
            h += "<h3>Registrar el botón</h3>\n<p>Emite la credencial de la línea \(HTML.escape(d.line.nationalFormat)): "
                + (d.line.kind == .celular
                    ? "un código de activación para la aplicación, que se muestra una sola vez."
                    : "la línea fija podrá alertar llamando al 135.") + "</p>\n"
            h += form("registrar", "", button: "Registrar botón")
        }
        if state == .pruebaPendiente {
            h += "<h3>Confirmar la alerta de prueba</h3>\n"
            if let alert = d.testAlert {
                h += "<p class=\"aviso exito\" id=\"prueba-recibida\">La alerta de prueba llegó (alerta \(alert)). "
                    + "Confírmela para activar el botón.</p>\n"
            } else {
                h += "<p class=\"aviso\" id=\"prueba-pendiente\">La alerta de prueba todavía no llega. "
                    + (d.line.kind == .celular
                        ? "Pida al ciudadano que la envíe desde la aplicación."
                        : "Pida al ciudadano que marque 135 desde la línea fija e indique que es una prueba.")
                    + " Vuelva a cargar esta página para ver si llegó.</p>\n"
            }
            h += form("confirmar-prueba", "", button: "Confirmar prueba")
            if d.line.kind == .celular {
                h += "<h3>Código de activación</h3>\n<p>Si el ciudadano perdió el código o no logra ingresarlo, emita uno "
                    + "nuevo: el anterior deja de servir.</p>\n"
                h += form("reemitir-codigo", "", button: "Emitir un código nuevo", kind: "secundario")
            }
        }
        if state == .bajaSolicitada {
            h += "<div class=\"aviso\" id=\"baja-solicitada\"><p><strong>Baja solicitada.</strong> Alguien pidió en línea "
                + "dar de baja este botón con el número de trámite y el documento. El botón sigue funcionando. Llame a "
                + "la línea registrada \(HTML.escape(d.line.nationalFormat)) y confirme la baja solo si el titular la "
                + "pidió; si no la pidió, rechace el pedido.</p></div>\n"
            h += "<h3>Confirmar la baja</h3>\n<p>El titular de la línea confirmó por teléfono que quiere dar de baja su "
                + "botón. La credencial se revoca y el botón deja de enviar alertas.</p>\n"
            h += form("confirmar-baja", "", button: "Confirmar baja", kind: "peligro")
            h += "<h3>Rechazar el pedido de baja</h3>\n"
            h += form("rechazar-baja", HTML.textarea("motivo", label: "Motivo", value: values["motivo"] ?? "",
                                                     errors: errors, help: "Por ejemplo: el titular no pidió la baja.",
                                                     required: true),
                      button: "Rechazar pedido de baja")
        }
        return h
    }

    /// The page after registering: the activation code once (celular), or the call to 135 (fijo).
    static func registration(_ r: Registration) -> String {
        var h = "<p>La solicitud <span class=\"tramite\">\(HTML.escape(r.summary.tramite))</span> quedó "
            + "«\(HTML.escape(r.summary.estado))».</p>\n"
        switch r.credential {
        case .app(_, _, let code):
            let groups = code.split(separator: "-").map(String.init)
            h += "<h2>Código de activación</h2>\n"
            h += "<p><strong>Se muestra una sola vez.</strong> Lo más simple: que el ciudadano escanee el código QR con "
                + "la aplicación. Si no puede, díctele los grupos; no se puede volver a ver (si se pierde, emita uno "
                + "nuevo desde la solicitud).</p>\n"
            if let qr = try? QRCode(code) {
                h += "<figure class=\"qr\" id=\"codigo-qr\">\(qr.svg(moduleSize: 5, title: "Código de activación en QR"))"
                    + "<figcaption>Código QR del código de activación</figcaption></figure>\n"
            }
            h += "<p>Para dictar: grupo por grupo, con el alfabeto de deletreo (los números, en palabras).</p>\n"
            h += "<ol class=\"codigo-activacion\" id=\"codigo-activacion\">\n"
            for group in groups {
                h += "<li><span class=\"grupo\">\(HTML.escape(group))</span> <span class=\"deletreo\">"
                    + HTML.escape(Spelling.words(group)) + "</span></li>\n"
            }
            h += "</ol>\n"
        case .lineaFija:
            h += "<h2>Línea fija</h2>\n<p>No hay código: la línea fija alerta llamando al 135.</p>\n"
        }
        h += "<div class=\"aviso\" id=\"instrucciones\"><p>\(HTML.escape(r.instrucciones))</p></div>\n"
        h += "<p><a class=\"boton\" href=\"/oficial/solicitudes/\(HTML.attribute(r.summary.tramite))\">Volver a la "
            + "solicitud</a></p>\n"
        return h
    }
}

/// The spelling alphabet officers read codes aloud with: the ICAO words the police radio uses for letters, the
/// Spanish words for digits.
enum Spelling {
    static let words: [Character: String] = [
        "0": "cero", "1": "uno", "2": "dos", "3": "tres", "4": "cuatro", "5": "cinco", "6": "seis", "7": "siete",
        "8": "ocho", "9": "nueve", "A": "Alfa", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Eco",
        "F": "Foxtrot", "G": "Golf", "H": "Hotel", "I": "India", "J": "Juliet", "K": "Kilo", "L": "Lima",
        "M": "Mike", "N": "November", "O": "Oscar", "P": "Papa", "Q": "Quebec", "R": "Romeo", "S": "Sierra",
        "T": "Tango", "U": "Uniform", "V": "Víctor", "W": "Whiskey", "X": "Xray", "Y": "Yankee", "Z": "Zulu",
    ]

    /// `0A7` → `cero Alfa siete`.
    static func words(_ group: String) -> String {
        group.map { words[Character($0.uppercased())] ?? String($0) }.joined(separator: " ")
    }
}
