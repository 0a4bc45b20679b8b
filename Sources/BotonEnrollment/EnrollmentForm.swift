/// An enrolment form as the person filled it in: every field is the text they typed (the web layer passes
/// form fields through unchanged; a JSON client sends numbers as text). ``EnrollmentService`` validates all of
/// it and reports every problem at once (``EnrollmentFormError``).
///
/// The keys of ``EnrollmentFormError/problems`` are the ``Field`` raw values, plus `contacto_N_nombre` and
/// `contacto_N_telefono` for the N-th reference contact (1-based).
public struct EnrollmentForm: Sendable, Equatable {
    /// A reference contact: someone the UPC may call about the citizen.
    public struct Contact: Sendable, Equatable {
        public var name: String
        public var phone: String
        public init(name: String, phone: String) {
            self.name = name
            self.phone = phone
        }
    }

    /// The form's fields, by the key their problems are reported under.
    public enum Field: String, Sendable, CaseIterable {
        case tipoDocumento = "tipo_documento"
        case numeroDocumento = "numero_documento"
        case nacionalidad
        case nombres
        case apellidos
        case fechaNacimiento = "fecha_nacimiento"
        case telefono
        case correo
        case direccionDomicilio = "direccion_domicilio"
        case ubicacionDomicilio = "ubicacion_domicilio"
        case direccionTrabajo = "direccion_trabajo"
        case ubicacionTrabajo = "ubicacion_trabajo"
        case contactos
        case consentimientoDatos = "consentimiento_datos"
        case politicaUso = "politica_uso"
        /// In person only: the officer explained the usage policy.
        case politicaExplicada = "politica_explicada"

        /// The key of a reference contact's name (`position` is 1-based).
        public static func contactName(_ position: Int) -> String { "contacto_\(position)_nombre" }
        /// The key of a reference contact's phone (`position` is 1-based).
        public static func contactPhone(_ position: Int) -> String { "contacto_\(position)_telefono" }
    }

    /// The number of reference contacts required.
    public static let contactCount = 3

    /// `cedula` or `pasaporte`.
    public var documentKind: String
    /// The cédula or passport number.
    public var documentNumber: String
    /// Passport only: the ISO 3166-1 code of the issuing country (alpha-2, alpha-3 accepted).
    public var nationality: String
    /// Nombres.
    public var givenNames: String
    /// Apellidos.
    public var surnames: String
    /// `YYYY-MM-DD`.
    public var birthDate: String
    /// The line that will carry the button: fijo or celular.
    public var phone: String
    /// Optional.
    public var email: String
    /// Dirección del domicilio.
    public var homeAddress: String
    /// Decimal degrees (a comma is accepted as the decimal separator).
    public var homeLatitude: String
    public var homeLongitude: String
    /// Optional, with an optional position.
    public var workAddress: String
    public var workLatitude: String
    public var workLongitude: String
    /// Exactly ``contactCount``.
    public var contacts: [Contact]
    /// Consent to the processing of personal data (Ley Orgánica de Protección de Datos Personales).
    public var consentsToDataProcessing: Bool
    /// Acceptance of the usage policy of the button.
    public var acceptsUsagePolicy: Bool

    public init(documentKind: String = "", documentNumber: String = "", nationality: String = "",
                givenNames: String = "", surnames: String = "", birthDate: String = "", phone: String = "",
                email: String = "", homeAddress: String = "", homeLatitude: String = "", homeLongitude: String = "",
                workAddress: String = "", workLatitude: String = "", workLongitude: String = "",
                contacts: [Contact] = [], consentsToDataProcessing: Bool = false, acceptsUsagePolicy: Bool = false) {
        self.documentKind = documentKind
        self.documentNumber = documentNumber
        self.nationality = nationality
        self.givenNames = givenNames
        self.surnames = surnames
        self.birthDate = birthDate
        self.phone = phone
        self.email = email
        self.homeAddress = homeAddress
        self.homeLatitude = homeLatitude
        self.homeLongitude = homeLongitude
        self.workAddress = workAddress
        self.workLatitude = workLatitude
        self.workLongitude = workLongitude
        self.contacts = contacts
        self.consentsToDataProcessing = consentsToDataProcessing
        self.acceptsUsagePolicy = acceptsUsagePolicy
    }
}

/// Every problem of a form, by field key (``EnrollmentForm/Field`` raw values and `contacto_N_…`), each with a
/// stable machine `reason` and the Spanish `mensaje` to put next to the field.
public struct EnrollmentFormError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        public let reason: String
        public let mensaje: String
        public init(reason: String, mensaje: String) {
            self.reason = reason
            self.mensaje = mensaje
        }
    }

    public let problems: [String: Problem]

    public init(problems: [String: Problem]) { self.problems = problems }

    /// Field key → Spanish message.
    public var messages: [String: String] { problems.mapValues(\.mensaje) }

    /// Field key → machine reason.
    public var reasons: [String: String] { problems.mapValues(\.reason) }

    public var description: String {
        problems.keys.sorted().map { "\($0): \(problems[$0]!.reason)" }.joined(separator: ", ")
    }
}
