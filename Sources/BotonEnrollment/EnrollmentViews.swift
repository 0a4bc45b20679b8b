public import BotonCore

/// What the citizen (or the officer, in person) is told when a request is created.
///
/// It never says whether the line already had a request or a button: that would tell anyone who types a
/// stranger's number whether that person has a panic button. Linking is visible to officers only
/// (``EnrollmentSummary/linkedTo``).
public struct Submitted: Sendable, Equatable {
    /// `BS-2026-000123-4`.
    public let tramite: String
    public let state: EnrollmentState
    /// The UPC of the home address's subcircuito, which follows the request up.
    public let upcCode: String
    public let upcName: String
    public let subcircuitCode: String
    /// The sentence to show: the número de trámite and what happens next.
    public let mensaje: String
}

/// What the status page shows to whoever gives both the número de trámite and the document number. No personal
/// data, and nothing about other requests of the line.
public struct EnrollmentStatusView: Sendable, Equatable {
    public let tramite: String
    public let state: EnrollmentState
    /// Spanish name of the state (`En verificación`).
    public let estado: String
    public let upcCode: String
    public let upcName: String
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
    /// The officer's reason, when `rechazada`.
    public let motivo: String?
    /// What happens next, in Spanish.
    public let mensaje: String
}

/// One request in an officer's list: no personal data (``EnrollmentService/detail(_:for:at:)`` has it, and is
/// audited).
public struct EnrollmentSummary: Sendable, Equatable {
    public let tramite: String
    public let state: EnrollmentState
    public let estado: String
    public let channel: Enrollment.Channel
    public let upcCode: String
    /// The UPC where an in-person request was taken, when not the address's.
    public let intakeUPCCode: String?
    public let subcircuitCode: String
    public let lineKind: PhoneLineKind
    /// The número de trámite of the live request of the same line this one was linked to when it came in.
    public let linkedTo: String?
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
    public let registeredAt: Timestamp?
    /// The citizen's names and surnames, in the officer's list of pending requests (nil elsewhere).
    public var citizenName: String? = nil
}

/// The result of an officer's contact attempt.
public enum ContactResult: String, Sendable, CaseIterable {
    /// Spoke with the citizen.
    case contactado
    case noContesta = "no_contesta"
    case buzonDeVoz = "buzon_de_voz"
    /// The number is not the citizen's.
    case numeroEquivocado = "numero_equivocado"

    /// Whether the call reached the citizen: only such a contact lets the officer mark the request verified.
    public var reachedCitizen: Bool { self == .contactado }

    public var nombre: String {
        switch self {
        case .contactado: return "Contactado"
        case .noContesta: return "No contesta"
        case .buzonDeVoz: return "Buzón de voz"
        case .numeroEquivocado: return "Número equivocado"
        }
    }
}

/// Everything about one request, for the officer who handles it. Reading it is recorded in the audit log
/// (`ver_solicitud`): it is personal data.
public struct EnrollmentDetail: Sendable, Equatable {
    public struct Citizen: Sendable, Equatable {
        public let documentKind: IdentityDocument.Kind
        public let documentNumber: String
        /// ISO 3166-1 alpha-2.
        public let nationality: String
        public let nombres: String
        public let apellidos: String
        /// `YYYY-MM-DD`.
        public let birthDate: String
        public let email: String?
    }

    public struct Contact: Sendable, Equatable {
        public let name: String
        public let phone: PhoneLine
    }

    public struct ContactAttempt: Sendable, Equatable {
        public let actor: Author
        public let at: Timestamp
        public let result: ContactResult
        public let note: String?
    }

    public struct Device: Sendable, Equatable {
        public let id: String
        /// `app` or `linea_fija`.
        public let kind: String
        public let createdAt: Timestamp
        public let revokedAt: Timestamp?
    }

    public let summary: EnrollmentSummary
    public let citizen: Citizen
    public let line: PhoneLine
    public let upcName: String
    public let subcircuitName: String
    public let homeAddress: String
    public let homeLatitude: Double
    public let homeLongitude: Double
    public let workAddress: String?
    public let workLatitude: Double?
    public let workLongitude: Double?
    public let contacts: [Contact]
    public let consentAt: Timestamp?
    public let usagePolicyAcceptedAt: Timestamp?
    public let usagePolicyExplained: Bool
    public let history: [EnrollmentTransition]
    public let contactAttempts: [ContactAttempt]
    public let device: Device?
    /// Requests of the same line that came in while this one was live (números de trámite).
    public let linkedRequests: [String]
    /// The test alert received since the registration (its incident number), once registered; nil before it
    /// arrives.
    public let testAlert: Int64?

    /// Whether a recorded contact reached the citizen (the condition of *Marcar como verificada*).
    public var citizenReached: Bool { contactAttempts.contains { $0.result.reachedCitizen } }
}

/// The credential issued by ``EnrollmentService/register(_:by:at:)``. Shown once; only the secret is kept.
public enum IssuedEnrollmentCredential: Sendable, Equatable {
    /// A celular: the app's device id and secret (hex), and the activation code that carries both
    /// (``ActivationCode``, 16 groups of five characters) for the citizen to type into the app.
    case app(deviceID: String, secretHex: String, activationCode: String)
    /// A fijo: the `linea_fija` link that lets the carrier gateway's reports of calls to 135 from this line
    /// through. The citizen receives no secret.
    case lineaFija(deviceID: String)
}

/// What ``EnrollmentService/register(_:by:at:)`` returns: the request now `prueba_pendiente`, the credential,
/// and the Spanish instructions for the test alert.
public struct Registration: Sendable, Equatable {
    public let summary: EnrollmentSummary
    public let line: PhoneLine
    public let credential: IssuedEnrollmentCredential
    public let instrucciones: String
}
