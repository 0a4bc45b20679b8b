import BotonCore
import BotonGeo

/// A form that passed every check, as domain values.
struct ValidatedEnrollment {
    var document: IdentityDocument
    var givenNames: PersonName
    var surnames: PersonName
    var birthDate: BirthDate
    var line: PhoneLine
    var email: EmailAddress?
    var homeAddress: String
    var home: GeoPosition
    /// The subcircuito holding the home position and its UPC.
    var homeArea: SubcircuitArea
    var homeUPCName: String
    var workAddress: String?
    var work: GeoPosition?
    var contacts: [(name: PersonName, phone: PhoneLine)]
}

/// Limits of free-text addresses.
enum AddressText {
    static let minimumLength = 5
    static let maximumLength = 300
}

extension EnrollmentForm {
    /// Checks every field and returns the form as domain values, or every problem found.
    ///
    /// `today` is the date in Ecuador (birth dates are checked against it). `extra` are problems the caller
    /// found itself (the in-person `politica_explicada`), reported together with the form's.
    func validate(routing: RoutingTable, today: CivilDate, extra: [String: EnrollmentFormError.Problem] = [:])
        throws(EnrollmentFormError) -> ValidatedEnrollment
    {
        var problems = extra
        func report(_ key: String, _ reason: String, _ mensaje: String) {
            if problems[key] == nil { problems[key] = .init(reason: reason, mensaje: mensaje) }
        }
        func report(_ key: String, _ error: some ValidationError) { report(key, error.reason, error.mensaje) }
        typealias F = Field

        // Document.
        var document: IdentityDocument?
        switch documentKind.trimmed.lowercased() {
        case "cedula", "cédula":
            do { document = .cedula(try Cedula(documentNumber)) } catch { report(F.numeroDocumento.rawValue, error) }
        case "pasaporte":
            do {
                document = .pasaporte(try Pasaporte(number: documentNumber, nationality: nationality))
            } catch {
                report(error.kind == .nationality ? F.nacionalidad.rawValue : F.numeroDocumento.rawValue, error)
                // The number failed first: check the nationality on its own so both are reported.
                if error.kind != .nationality {
                    if let country = Country(code: nationality) {
                        if country.alpha2 == "EC" {
                            report(F.nacionalidad.rawValue, PasaporteError(.nationality, isEcuadorian: true))
                        }
                    } else {
                        report(F.nacionalidad.rawValue, PasaporteError(.nationality))
                    }
                }
            }
        default:
            report(F.tipoDocumento.rawValue, "required", "Elija el tipo de documento: cédula o pasaporte.")
        }

        // Person.
        var givenNames: PersonName?, surnames: PersonName?, birth: BirthDate?
        do { givenNames = try PersonName(self.givenNames, field: .nombres) } catch { report(F.nombres.rawValue, error) }
        do { surnames = try PersonName(self.surnames, field: .apellidos) } catch { report(F.apellidos.rawValue, error) }
        do { birth = try BirthDate(birthDate, today: today) } catch { report(F.fechaNacimiento.rawValue, error) }

        // Line and e-mail.
        var line: PhoneLine?
        do { line = try PhoneLine(phone) } catch { report(F.telefono.rawValue, error) }
        var email: EmailAddress?
        if !self.email.trimmed.isEmpty {
            do { email = try EmailAddress(self.email) } catch { report(F.correo.rawValue, error) }
        }

        // Home: address text and a position inside a subcircuito.
        let homeAddress = Self.address(self.homeAddress, key: F.direccionDomicilio.rawValue, required: true,
                                       report: report)
        var home: GeoPosition?
        var homeArea: SubcircuitArea?
        var homeUPCName = ""
        switch Self.position(homeLatitude, homeLongitude) {
        case .missing:
            report(F.ubicacionDomicilio.rawValue, "required",
                   "Indique la ubicación de su domicilio: pulse «Usar mi ubicación» o escriba la latitud y la longitud.")
        case .unreadable:
            report(F.ubicacionDomicilio.rawValue, "format",
                   "La ubicación del domicilio no es válida: latitud y longitud son números con decimales, "
                       + "por ejemplo -0.2202 y -78.5123.")
        case .invalid(let error):
            report(F.ubicacionDomicilio.rawValue, error)
        case .valid(let p):
            let route = routing.route(GeoPoint(latitude: p.latitude, longitude: p.longitude))
            if route.source == .subcircuito, let area = route.subcircuit {
                home = p
                homeArea = area
                homeUPCName = route.upcName
            } else {
                report(F.ubicacionDomicilio.rawValue, "outside_territory",
                       "La ubicación del domicilio no está dentro de ningún subcircuito de la Policía Nacional. "
                           + "Revise que la latitud y la longitud sean las de su domicilio en el Ecuador.")
            }
        case .partial:
            report(F.ubicacionDomicilio.rawValue, "partial", "Indique la latitud y la longitud del domicilio.")
        }

        // Work: optional address, optional position (a position needs an address).
        let workAddress = Self.address(self.workAddress, key: F.direccionTrabajo.rawValue, required: false,
                                       report: report)
        var work: GeoPosition?
        switch Self.position(workLatitude, workLongitude) {
        case .missing: break
        case .unreadable:
            report(F.ubicacionTrabajo.rawValue, "format",
                   "La ubicación del trabajo no es válida: latitud y longitud son números con decimales.")
        case .invalid(let error): report(F.ubicacionTrabajo.rawValue, error)
        case .partial: report(F.ubicacionTrabajo.rawValue, "partial", "Indique la latitud y la longitud del trabajo.")
        case .valid(let p):
            work = p
            if self.workAddress.trimmed.isEmpty {
                report(F.direccionTrabajo.rawValue, "required",
                       "Si marca la ubicación del trabajo, escriba también su dirección.")
            }
        }

        // Reference contacts: exactly three, valid, distinct, none of them the citizen's own line.
        if contacts.count != Self.contactCount {
            report(F.contactos.rawValue, "count",
                   "Ingrese exactamente tres contactos de referencia (nombre y teléfono); ingresó \(contacts.count).")
        }
        var contacts: [(name: PersonName, phone: PhoneLine)] = []
        var seen: Set<String> = []
        for (i, contact) in self.contacts.enumerated() {
            let position = i + 1
            var name: PersonName?, phone: PhoneLine?
            // Each message names its contact: the summary at the top lists them apart from their fields.
            func report(_ key: String, _ reason: String, _ mensaje: String) {
                if problems[key] == nil { problems[key] = .init(reason: reason, mensaje: "Contacto \(position): \(mensaje)") }
            }
            func report(_ key: String, _ error: some ValidationError) { report(key, error.reason, error.mensaje) }
            do { name = try PersonName(contact.name, field: .contacto) } catch {
                report(F.contactName(position), error)
            }
            do {
                let p = try PhoneLine(contact.phone)
                if p.e164 == line?.e164 {
                    report(F.contactPhone(position), "own_line",
                           "El contacto de referencia debe ser otra persona: su teléfono no puede ser la línea que "
                               + "está registrando.")
                } else if seen.contains(p.e164) {
                    report(F.contactPhone(position), "repeated",
                           "Este teléfono ya está en otro contacto de referencia: cada contacto debe tener un número "
                               + "distinto.")
                } else {
                    phone = p
                }
                seen.insert(p.e164)
            } catch {
                report(F.contactPhone(position), error)
            }
            if let name, let phone { contacts.append((name, phone)) }
        }

        // Consents.
        if !consentsToDataProcessing {
            report(F.consentimientoDatos.rawValue, "required",
                   "Para registrarse debe autorizar el tratamiento de sus datos personales según la Ley Orgánica de "
                       + "Protección de Datos Personales.")
        }
        if !acceptsUsagePolicy {
            report(F.politicaUso.rawValue, "required",
                   "Para registrarse debe aceptar la política de uso del botón de seguridad: se usa solo en "
                       + "emergencias.")
        }

        guard problems.isEmpty, let document, let givenNames, let surnames, let birth, let line, let home,
              let homeArea, let homeAddress else {
            throw EnrollmentFormError(problems: problems)
        }
        return ValidatedEnrollment(document: document, givenNames: givenNames, surnames: surnames, birthDate: birth,
                                   line: line, email: email, homeAddress: homeAddress, home: home, homeArea: homeArea,
                                   homeUPCName: homeUPCName, workAddress: workAddress, work: work, contacts: contacts)
    }

    /// Trimmed, inner whitespace collapsed, 5–300 characters, no control characters. Nil when empty (and
    /// reported when `required`) or wrong (reported).
    private static func address(_ input: String, key: String, required: Bool,
                                report: (String, String, String) -> Void) -> String? {
        let words = input.split(whereSeparator: { $0.isWhitespace })
        let text = words.joined(separator: " ")
        if text.isEmpty {
            if required {
                report(key, "required", "Escriba la dirección del domicilio: calle principal, número y calle "
                           + "secundaria, y una referencia.")
            }
            return nil
        }
        let sujeto = key == EnrollmentForm.Field.direccionDomicilio.rawValue ? "del domicilio" : "del trabajo"
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            report(key, "characters", "La dirección \(sujeto) tiene caracteres no permitidos.")
            return nil
        }
        if text.count < AddressText.minimumLength {
            report(key, "length", "La dirección \(sujeto) es muy corta: incluya calle principal, número y calle "
                       + "secundaria.")
            return nil
        }
        if text.count > AddressText.maximumLength {
            report(key, "length", "La dirección \(sujeto) no puede tener más de \(AddressText.maximumLength) caracteres.")
            return nil
        }
        return text
    }

    private enum PositionInput {
        case missing, partial, unreadable
        case invalid(GeoPositionError)
        case valid(GeoPosition)
    }

    private static func position(_ latitude: String, _ longitude: String) -> PositionInput {
        let lat = latitude.trimmed, lon = longitude.trimmed
        if lat.isEmpty && lon.isEmpty { return .missing }
        if lat.isEmpty || lon.isEmpty { return .partial }
        func number(_ s: String) -> Double? {
            let text = String(s.map { $0 == "," ? "." : $0 })
            guard text.unicodeScalars.allSatisfy({ "0123456789.-+".unicodeScalars.contains($0) }) else { return nil }
            return Double(text)
        }
        guard let y = number(lat), let x = number(lon) else { return .unreadable }
        do { return .valid(try GeoPosition(latitude: y, longitude: x)) } catch { return .invalid(error) }
    }
}
