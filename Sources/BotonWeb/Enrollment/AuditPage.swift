import BotonConsole
import BotonCore
import BotonEnrollment
import BotonHTTP
import BotonRepository
import BotonWebKit

/// `GET /oficial/auditoria`: the audit log for administrators, newest first, ``pageSize`` entries a page
/// (`?antes=<id>` continues after the last one shown), narrowed to one subject (`?sujeto=solicitud:BS-…`,
/// `alerta:12`, `operador:3`, `linea:+593…`) or one author (`?actor=operador:3`). Authors are shown by rank and
/// name; actions in Spanish words. Anyone else gets 403 and the refusal is audited.
extension EnrollmentWeb {
    static let auditPageSize = 50

    static let auditActions: [String: String] = [
        "acceso_denegado": "Acceso denegado", "tomar": "Tomó la alerta", "despachar": "Despachó una unidad",
        "nota": "Nota en la alerta", "cerrar": "Cerró la alerta", "ver_alerta": "Vio la alerta",
        "suspender_linea": "Suspendió la línea", "levantar_suspension": "Levantó la suspensión",
        "inicio_sesion": "Ingresó", "inicio_sesion_fallido": "Ingreso fallido", "cierre_sesion": "Salió",
        "cuenta_bajo_ataque": "Cuenta bajo ataque", "desbloquear_cuenta": "Desbloqueó la cuenta",
        "crear_operador": "Creó la cuenta", "habilitar_operador": "Habilitó la cuenta",
        "deshabilitar_operador": "Deshabilitó la cuenta", "restablecer_contrasena": "Restableció la contraseña",
        "ver_solicitud": "Vio la solicitud", "registrar_contacto": "Registró un contacto",
        "verificar_solicitud": "Verificó la solicitud", "rechazar_solicitud": "Rechazó la solicitud",
        "crear_solicitud_presencial": "Registró una solicitud presencial", "registrar_boton": "Registró el botón",
        "reemitir_codigo": "Emitió un código nuevo", "confirmar_prueba": "Confirmó la prueba",
        "solicitar_baja": "Pidió la baja", "confirmar_baja": "Confirmó la baja", "rechazar_baja": "Rechazó la baja",
        "registrar_queja": "Registró una queja", "ver_queja": "Vio la queja",
        "cerrar_mes_estadistico": "Cerró el mes estadístico", "revisar_mes_estadistico": "Revisó el mes estadístico",
        "importar_serie_publicada": "Importó la serie publicada",
    ]

    func installAuditPage(into router: inout Router) {
        router.get("/oficial/auditoria", officerPage { [self] request, _, context, _ in
            try auditPage(request, context)
        })
    }

    private func auditPage(_ request: HTTPRequest, _ context: OfficerContext) throws -> HTTPResponse {
        guard context.identity.role == .administrador else {
            try? store.withConnection { (connection) throws(StoreError) in
                connection.appendAuditOfRefusal(AuditEntry(at: clock(), actor: context.identity.author.storageForm,
                                                           action: "acceso_denegado", subject: "auditoria"),
                                                logger: logger)
            }
            return Self.officerPage("Sin acceso", HTML.alert("Solo un administrador puede leer el registro de auditoría."),
                                    context, status: .forbidden)
        }
        func filter(_ name: String) -> String? {
            guard let value = request.query(name)?.trimmed, !value.isEmpty else { return nil }
            return String(value.prefix(200))
        }
        let subject = filter("sujeto"), actor = filter("actor")
        let before = request.query("antes").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        let entries: [AuditEntry], names: [String: String]
        do throws(StoreError) {
            (entries, names) = try store.withConnection { (connection) throws(StoreError) in
                let entries = try connection.auditPage(subject: subject, actor: actor, before: before,
                                                       limit: Self.auditPageSize + 1)
                let names = try IncidentDesk.operatorNames(of: entries.flatMap { [$0.actor, $0.subject] },
                                                           store: connection)
                return (entries, names)
            }
        } catch {
            log(.storage(error), route: "/oficial/auditoria", officer: context.identity)
            return Self.officerPage("Registro de auditoría", HTML.alert(EnrollmentError.storage(error).mensaje), context,
                                    status: .serviceUnavailable)
        }
        let shown = Array(entries.prefix(Self.auditPageSize))
        func who(_ stored: String) -> String {
            names[stored] ?? Author(storageForm: stored).map(OfficerDetailView.author) ?? stored
        }
        func query(_ extra: [(String, String)]) -> String {
            let pairs = [("sujeto", subject), ("actor", actor)].compactMap { k, v in v.map { (k, $0) } } + extra
            return pairs.isEmpty ? "" : "?" + pairs.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        var body = "<p>Cada acción sobre datos personales, alertas, solicitudes, quejas y cuentas queda registrada aquí; "
            + "nadie puede modificarla ni borrarla. Las más recientes primero.</p>\n"
        body += "<form method=\"get\" action=\"/oficial/auditoria\" class=\"filtros\">\n"
            + HTML.input("sujeto", label: "Sobre", value: subject ?? "", errors: HTML.Errors(),
                         help: "Por ejemplo solicitud:BS-2026-000001-5, alerta:12, operador:3, queja:7.",
                         autocomplete: "off")
            + HTML.input("actor", label: "Por", value: actor ?? "", errors: HTML.Errors(),
                         help: "Por ejemplo operador:3, ciudadano, sistema.", autocomplete: "off")
            + "<button type=\"submit\" class=\"secundario\">Filtrar</button>\n</form>\n"
        if shown.isEmpty {
            body += HTML.notice(before == nil ? "No hay registros con ese filtro." : "No hay registros más antiguos.")
        } else {
            body += "<table id=\"auditoria\">\n<caption>Registros \(shown.first!.id ?? 0) a \(shown.last!.id ?? 0)</caption>\n"
                + "<thead><tr><th scope=\"col\">Fecha</th><th scope=\"col\">Por</th><th scope=\"col\">Acción</th>"
                + "<th scope=\"col\">Sobre</th><th scope=\"col\">Detalle</th></tr></thead>\n<tbody>\n"
            for e in shown {
                let action = Self.auditActions[e.action].map { "\($0) <span class=\"ayuda\">(\(HTML.escape(e.action)))</span>" }
                    ?? HTML.escape(e.action)
                body += "<tr><td class=\"fecha\">\(HTML.escape(PageTime.text(e.at)))</td>"
                    + "<td><a href=\"/oficial/auditoria?actor=\(Self.percentEncoded(e.actor))\">"
                    + "\(HTML.escape(who(e.actor)))</a></td><td>\(action)</td>"
                    + "<td><a href=\"/oficial/auditoria?sujeto=\(Self.percentEncoded(e.subject))\">"
                    + "\(HTML.escape(names[e.subject] ?? e.subject))</a></td>"
                    + "<td>\(HTML.escape(e.detail ?? ""))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n"
        }
        if entries.count > Self.auditPageSize, let last = shown.last?.id {
            body += "<p><a class=\"boton secundario\" id=\"mas-antiguos\" href=\"/oficial/auditoria"
                + HTML.attribute(query([("antes", String(last))])) + "\">Registros más antiguos</a></p>\n"
        }
        if before != nil || subject != nil || actor != nil {
            body += "<p><a href=\"/oficial/auditoria\">Ver los más recientes, sin filtro</a></p>\n"
        }
        return Self.officerPage("Registro de auditoría", body, context)
    }

    /// `value` for a query string: unreserved characters as they are, everything else %XX (UTF-8).
    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
