import BotonCore
import BotonEnrollment
import BotonWebKit

/// The enrolment form as HTML fields and back: the citizen's online form and the officer's in-person form are the
/// same page, the officer's with one more checkbox (`politica_explicada`).
///
/// Field names are the error keys of ``EnrollmentFormError`` where a field has its own key; positions are
/// `domicilio_latitud`/`domicilio_longitud` and `trabajo_latitud`/`trabajo_longitud` (`/static/ubicacion.js`
/// fills them from a `button[data-ubicar=domicilio]`), reference contacts `contacto_N_nombre`/`contacto_N_telefono`,
/// checkboxes `si` when ticked. The JSON API takes the same names (see the API article).
enum EnrollmentFormPage {
    typealias F = EnrollmentForm.Field

    /// The error keys in the order their fields appear on the page (the summary follows it).
    static let order: [String] = {
        var keys = [F.tipoDocumento, .numeroDocumento, .nacionalidad, .nombres, .apellidos, .fechaNacimiento,
                    .telefono, .correo, .direccionDomicilio, .ubicacionDomicilio, .direccionTrabajo,
                    .ubicacionTrabajo, .contactos].map(\.rawValue)
        for n in 1 ... EnrollmentForm.contactCount { keys += [F.contactName(n), F.contactPhone(n)] }
        return keys + [F.consentimientoDatos, .politicaUso, .politicaExplicada].map(\.rawValue)
    }()

    /// Where the summary's link of a group error goes.
    static let anchors = [F.ubicacionDomicilio.rawValue: "domicilio_latitud",
                          F.ubicacionTrabajo.rawValue: "trabajo_latitud",
                          F.contactos.rawValue: F.contactName(1)]

    /// The form as the service reads it, from the submitted fields.
    static func form(_ v: [String: String]) -> EnrollmentForm {
        EnrollmentForm(
            documentKind: v[F.tipoDocumento.rawValue] ?? "", documentNumber: v[F.numeroDocumento.rawValue] ?? "",
            nationality: v[F.nacionalidad.rawValue] ?? "", givenNames: v[F.nombres.rawValue] ?? "",
            surnames: v[F.apellidos.rawValue] ?? "", birthDate: v[F.fechaNacimiento.rawValue] ?? "",
            phone: v[F.telefono.rawValue] ?? "", email: v[F.correo.rawValue] ?? "",
            homeAddress: v[F.direccionDomicilio.rawValue] ?? "", homeLatitude: v["domicilio_latitud"] ?? "",
            homeLongitude: v["domicilio_longitud"] ?? "", workAddress: v[F.direccionTrabajo.rawValue] ?? "",
            workLatitude: v["trabajo_latitud"] ?? "", workLongitude: v["trabajo_longitud"] ?? "",
            contacts: contacts(v),
            consentsToDataProcessing: ticked(v[F.consentimientoDatos.rawValue]),
            acceptsUsagePolicy: ticked(v[F.politicaUso.rawValue]))
    }

    /// The reference contacts: every numbered pair up to the last one given, at least ``EnrollmentForm/contactCount``
    /// (blank ones are reported field by field).
    static func contacts(_ v: [String: String]) -> [EnrollmentForm.Contact] {
        var count = EnrollmentForm.contactCount
        while v[F.contactName(count + 1)] != nil || v[F.contactPhone(count + 1)] != nil { count += 1 }
        return (1 ... count).map { .init(name: v[F.contactName($0)] ?? "", phone: v[F.contactPhone($0)] ?? "") }
    }

    /// A checkbox's value: `si` from the page; `true`, `1`, `on` accepted too.
    static func ticked(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["si", "sí", "true", "1", "on", "yes"].contains(value)
    }

    /// The problems of a refused form, in page order, with their anchors.
    static func errors(_ error: EnrollmentFormError) -> HTML.Errors {
        let messages = error.messages
        let known = order.filter { messages[$0] != nil }
        let others = messages.keys.filter { !order.contains($0) }.sorted()
        return HTML.Errors(entries: (known + others).map { ($0, messages[$0]!) }, anchors: anchors)
    }

    static let documentKinds = [("cedula", "Cédula de ciudadanía o identidad"),
                                ("pasaporte", "Pasaporte (personas extranjeras)")]
    static let countries: [(String, String)] = [("", "— Solo si usa pasaporte —")]
        + Country.all.filter { $0.alpha2 != "EC" }.map { ($0.alpha2, $0.nombre) }

    static let consentText = "Autorizo a la Policía Nacional del Ecuador a tratar mis datos personales y los de mis "
        + "contactos de referencia con el único fin de prestar el servicio Botón de Seguridad, conforme a la Ley "
        + "Orgánica de Protección de Datos Personales (LOPDP). Puedo pedir el acceso, la rectificación o la "
        + "eliminación de mis datos, y dar de baja el botón en cualquier momento."
    static let policyText = "Acepto la política de uso: el botón de seguridad se usa únicamente en situaciones de "
        + "emergencia; las falsas alarmas y el uso indebido pueden llevar a la suspensión del servicio. Haré la "
        + "alerta de prueba que me indique la Unidad de Policía Comunitaria."
    /// The same authorisations, as the officer reads them: the citizen gives them, the officer records them.
    static let officerConsentText = "El ciudadano autoriza a la Policía Nacional del Ecuador a tratar sus datos "
        + "personales y los de sus contactos de referencia con el único fin de prestar el servicio Botón de Seguridad, "
        + "conforme a la Ley Orgánica de Protección de Datos Personales (LOPDP). Se le informó que puede pedir el "
        + "acceso, la rectificación o la eliminación de sus datos, y dar de baja el botón en cualquier momento."
    static let officerPolicyText = "El ciudadano acepta la política de uso: el botón de seguridad se usa únicamente "
        + "en situaciones de emergencia; las falsas alarmas y el uso indebido pueden llevar a la suspensión del "
        + "servicio. Hará la alerta de prueba que le indique la UPC."
    static let explainedText = "Expliqué al ciudadano la política de uso del botón de seguridad y cómo activarlo "
        + "(alerta de prueba)."

    /// The whole form. `values` is what was typed (empty for a new form), `officer` adds the in-person checkbox.
    static func render(action: String, csrfToken: String, values v: [String: String], errors: HTML.Errors,
                       officer: Bool, submitLabel: String) -> String
    {
        func value(_ key: String) -> String { v[key] ?? "" }
        var h = HTML.errorSummary(errors)
        h += "<form method=\"post\" action=\"\(HTML.attribute(action))\" novalidate>\n"
        h += HTML.hidden(CSRFGuard.fieldName, csrfToken) + "\n"

        h += "<fieldset>\n<legend>Documento de identidad</legend>\n"
        h += HTML.select(F.tipoDocumento.rawValue, label: "Tipo de documento", options: documentKinds,
                         value: v[F.tipoDocumento.rawValue] ?? "cedula", errors: errors)
        h += HTML.input(F.numeroDocumento.rawValue, label: "Número de documento", value: value(F.numeroDocumento.rawValue),
                        errors: errors, help: "Cédula: 10 dígitos, sin guion. Pasaporte: tal como está impreso.",
                        required: true, autocomplete: "off")
        h += HTML.select(F.nacionalidad.rawValue, label: "País que emitió el pasaporte", options: countries,
                         value: value(F.nacionalidad.rawValue), errors: errors)
        h += "</fieldset>\n"

        h += "<fieldset>\n<legend>Datos personales</legend>\n"
        h += HTML.input(F.nombres.rawValue, label: "Nombres", value: value(F.nombres.rawValue), errors: errors,
                        required: true, autocomplete: officer ? "off" : "given-name")
        h += HTML.input(F.apellidos.rawValue, label: "Apellidos", value: value(F.apellidos.rawValue), errors: errors,
                        required: true, autocomplete: officer ? "off" : "family-name")
        // A text field that takes what its hint says (a browser's date field does not take typed text, and
        // shows the date in its own format): año-mes-día, the digits a phone's keypad offers, and the same hint
        // in the error.
        h += HTML.input(F.fechaNacimiento.rawValue, label: "Fecha de nacimiento",
                        value: value(F.fechaNacimiento.rawValue), errors: errors, type: "text",
                        help: BirthDateError.hint, required: true, autocomplete: officer ? "off" : "bday",
                        extra: "inputmode=\"numeric\" pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\" maxlength=\"10\" "
                            + "placeholder=\"AAAA-MM-DD\" title=\"\(HTML.attribute(BirthDateError.hint))\"")
        h += "</fieldset>\n"

        h += "<fieldset>\n<legend>Línea telefónica del botón</legend>\n"
        h += HTML.input(F.telefono.rawValue, label: "Teléfono (fijo o celular)", value: value(F.telefono.rawValue),
                        errors: errors, type: "tel",
                        help: "Celular, por ejemplo 099 123 4567; fijo con el código de provincia, por ejemplo 02 234 5678.",
                        required: true, autocomplete: officer ? "off" : "tel")
        h += HTML.input(F.correo.rawValue, label: "Correo electrónico", value: value(F.correo.rawValue),
                        errors: errors, type: "email", autocomplete: officer ? "off" : "email")
        h += "</fieldset>\n"

        h += position(prefix: "domicilio", legend: "Domicilio", addressKey: F.direccionDomicilio.rawValue,
                      positionKey: F.ubicacionDomicilio.rawValue, required: true, values: v, errors: errors,
                      officer: officer)
        h += position(prefix: "trabajo", legend: "Lugar de trabajo (opcional)", addressKey: F.direccionTrabajo.rawValue,
                      positionKey: F.ubicacionTrabajo.rawValue, required: false, values: v, errors: errors,
                      officer: officer)

        h += "<fieldset>\n<legend>Contactos de referencia</legend>\n"
        h += "<p class=\"ayuda\" id=\"contactos_ayuda\">Tres personas a las que la UPC pueda llamar si no le "
            + "localiza. No pueden repetirse ni ser la línea del botón.</p>\n"
        h += HTML.groupError(F.contactos.rawValue, errors)
        for n in 1 ... EnrollmentForm.contactCount {
            h += "<div class=\"fila\">\n"
            h += HTML.input(F.contactName(n), label: "Contacto \(n): nombre", value: value(F.contactName(n)),
                            errors: errors, required: true, autocomplete: "off")
            h += HTML.input(F.contactPhone(n), label: "Contacto \(n): teléfono", value: value(F.contactPhone(n)),
                            errors: errors, type: "tel", required: true, autocomplete: "off")
            h += "</div>\n"
        }
        h += "</fieldset>\n"

        h += "<fieldset>\n<legend>Autorizaciones</legend>\n"
        h += HTML.checkbox(F.consentimientoDatos.rawValue, label: officer ? officerConsentText : consentText,
                           checked: ticked(v[F.consentimientoDatos.rawValue]), errors: errors)
        h += HTML.checkbox(F.politicaUso.rawValue, label: officer ? officerPolicyText : policyText, checked: ticked(v[F.politicaUso.rawValue]),
                           errors: errors)
        if officer {
            h += HTML.checkbox(F.politicaExplicada.rawValue, label: explainedText,
                               checked: ticked(v[F.politicaExplicada.rawValue]), errors: errors)
        }
        h += "</fieldset>\n"
        h += "<button type=\"submit\">\(HTML.escape(submitLabel))</button>\n</form>\n"
        return h
    }

    /// An address with its position: the "Usar mi ubicación" button (shown by /static/ubicacion.js only where the
    /// browser can locate) and the latitude/longitude fields, which can always be typed.
    static func position(prefix: String, legend: String, addressKey: String, positionKey: String, required: Bool,
                         values v: [String: String], errors: HTML.Errors, officer: Bool = false) -> String
    {
        var h = "<fieldset>\n<legend>\(HTML.escape(legend))</legend>\n"
        h += HTML.input(addressKey, label: "Dirección", value: v[addressKey] ?? "", errors: errors,
                        help: "Calle principal, número y calle secundaria, con una referencia.", required: required,
                        autocomplete: "off")
        if officer {
            // At the UPC the device's position is the UPC's, not the citizen's home.
            h += "<p class=\"ayuda\">Ubicación: escriba la latitud y la longitud del lugar (por ejemplo -0.2202 y "
                + "-78.5123). El botón «Usar la posición de este equipo» toma la posición actual de este equipo, es "
                + "decir la de la UPC, no la del lugar: úselo solo si está en él.</p>\n"
            h += "<button type=\"button\" class=\"secundario\" data-ubicar=\"\(prefix)\" hidden>Usar la posición de "
                + "este equipo</button>\n"
        } else {
            h += "<p class=\"ayuda\">Ubicación: pulse «Usar mi ubicación» si está en ese lugar, o escriba la "
                + "latitud y la longitud (por ejemplo -0.2202 y -78.5123).</p>\n"
            h += "<button type=\"button\" class=\"secundario\" data-ubicar=\"\(prefix)\" hidden>Usar mi ubicación</button>\n"
        }
        h += "<p class=\"ayuda\" id=\"\(prefix)_estado\" aria-live=\"polite\"></p>\n"
        h += HTML.groupError(positionKey, errors)
        h += "<div class=\"fila\">\n"
        h += HTML.input("\(prefix)_latitud", label: "Latitud", value: v["\(prefix)_latitud"] ?? "", errors: errors,
                        required: required, autocomplete: "off", sharedError: positionKey)
        h += HTML.input("\(prefix)_longitud", label: "Longitud", value: v["\(prefix)_longitud"] ?? "", errors: errors,
                        required: required, autocomplete: "off", sharedError: positionKey)
        h += "</div>\n</fieldset>\n"
        return h
    }
}
