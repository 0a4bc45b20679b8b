public import BotonCore

/// A citizen as stored: identity and contact data the UPC needs to verify a request and to answer an alert.
public struct CitizenRecord: Sendable, Equatable {
    public var id: Int64?
    /// `cedula` or `pasaporte`.
    public var documentKind: String
    /// ``IdentityDocument/key``: `cedula:1710034065`, `pasaporte:PE:AB12345`.
    public var documentKey: String
    public var documentNumber: String
    /// ISO 3166-1 alpha-2 (`EC` for a cédula).
    public var nationality: String
    public var nombres: String
    public var apellidos: String
    /// `YYYY-MM-DD`.
    public var birthDate: String
    public var email: String?
    public var createdAt: Timestamp

    public init(id: Int64? = nil, documentKind: String, documentKey: String, documentNumber: String,
                nationality: String, nombres: String, apellidos: String, birthDate: String, email: String?,
                createdAt: Timestamp) {
        self.id = id
        self.documentKind = documentKind
        self.documentKey = documentKey
        self.documentNumber = documentNumber
        self.nationality = nationality
        self.nombres = nombres
        self.apellidos = apellidos
        self.birthDate = birthDate
        self.email = email
        self.createdAt = createdAt
    }
}

/// One enrolment request (`solicitud`) row.
public struct EnrollmentRecord: Sendable, Equatable {
    public var id: Int64?
    public var tramite: String
    public var channel: Enrollment.Channel
    public var state: EnrollmentState
    public var citizenID: Int64
    public var lineE164: String
    public var upcCode: String
    public var subcircuitCode: String
    public var homeAddress: String
    public var homeLatitude: Double
    public var homeLongitude: Double
    public var workAddress: String?
    public var workLatitude: Double?
    public var workLongitude: Double?
    /// When the citizen consented to the processing of their data (LOPDP).
    public var consentAt: Timestamp?
    /// When the citizen accepted the usage policy online.
    public var usagePolicyAcceptedAt: Timestamp?
    /// An officer explained the usage policy in person.
    public var usagePolicyExplained: Bool
    /// The live request of the same line this one was linked to when it came in.
    public var linkedTo: Int64?
    /// The UPC where an in-person request was taken.
    public var intakeUPCCode: String?
    public var registeredAt: Timestamp?
    public var deviceID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64? = nil, tramite: String, channel: Enrollment.Channel, state: EnrollmentState,
                citizenID: Int64,
                lineE164: String, upcCode: String, subcircuitCode: String, homeAddress: String,
                homeLatitude: Double, homeLongitude: Double, workAddress: String? = nil,
                workLatitude: Double? = nil, workLongitude: Double? = nil, consentAt: Timestamp? = nil,
                usagePolicyAcceptedAt: Timestamp? = nil, usagePolicyExplained: Bool = false,
                linkedTo: Int64? = nil, intakeUPCCode: String? = nil, registeredAt: Timestamp? = nil,
                deviceID: String? = nil, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.tramite = tramite
        self.channel = channel
        self.state = state
        self.citizenID = citizenID
        self.lineE164 = lineE164
        self.upcCode = upcCode
        self.subcircuitCode = subcircuitCode
        self.homeAddress = homeAddress
        self.homeLatitude = homeLatitude
        self.homeLongitude = homeLongitude
        self.workAddress = workAddress
        self.workLatitude = workLatitude
        self.workLongitude = workLongitude
        self.consentAt = consentAt
        self.usagePolicyAcceptedAt = usagePolicyAcceptedAt
        self.usagePolicyExplained = usagePolicyExplained
        self.linkedTo = linkedTo
        self.intakeUPCCode = intakeUPCCode
        self.registeredAt = registeredAt
        self.deviceID = deviceID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A reference contact of a request, in the order the citizen gave them (position 1, 2, 3).
public struct EnrollmentContactRecord: Sendable, Equatable {
    public var position: Int
    public var name: String
    /// E.164.
    public var phone: String
    public init(position: Int, name: String, phone: String) {
        self.position = position
        self.name = name
        self.phone = phone
    }
}

/// A recorded attempt by an officer to reach the citizen.
public struct ContactAttemptRecord: Sendable, Equatable {
    public var actor: String
    public var at: Timestamp
    public var result: String
    public var note: String?
    public init(actor: String, at: Timestamp, result: String, note: String?) {
        self.actor = actor
        self.at = at
        self.result = result
        self.note = note
    }
}

/// A device credential attached to a line, without its secret.
public struct DeviceRecord: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var lineE164: String
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public init(id: String, kind: String, lineE164: String, createdAt: Timestamp, revokedAt: Timestamp?) {
        self.id = id
        self.kind = kind
        self.lineE164 = lineE164
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Which requests an officer may list: one UPC's (as assigned or as the UPC where an in-person request was
/// taken), one distrito's, or all.
public enum EnrollmentScope: Sendable, Equatable {
    case upc(String)
    case district(String)
    case all
}

/// The enrolment requests, their citizens, lines, contacts, history and credentials.
///
/// No method opens a transaction: the service wraps each operation in one (``Database/inTransaction(_:)``), so
/// a request, its first transition and its tramite number are written together or not at all.
public protocol EnrollmentRepository {
    /// The next sequence number of `year`'s números de trámite (1, 2, …). Call inside the transaction that
    /// uses it.
    func nextTramiteSequence(year: Int) throws(StoreError) -> Int
    /// An online request from this citizen for this line that is still `ingresada` and came in since `since`:
    /// a second submission of the same form (a double click, a retried POST) is the same request.
    func recentOnlineSubmission(citizenID: Int64, line: String, homeAddress: String, since: Timestamp)
        throws(StoreError) -> EnrollmentRecord?

    func citizen(documentKey: String) throws(StoreError) -> CitizenRecord?
    func citizen(id: Int64) throws(StoreError) -> CitizenRecord?
    func insertCitizen(_ citizen: CitizenRecord) throws(StoreError) -> Int64
    /// Replaces the personal fields (names, birth date, e-mail) of the citizen with `citizen.id`.
    func updateCitizen(_ citizen: CitizenRecord) throws(StoreError)
    /// True when an officer has verified this citizen in some request (one that reached `verificada`).
    func citizenHasBeenVerified(id: Int64) throws(StoreError) -> Bool

    /// Creates the line, or points it at `citizenID` and this home position.
    func upsertPhoneLine(e164: String, kind: String, citizenID: Int64, homeSubcircuit: String,
                         homeLatitude: Double, homeLongitude: Double, at: Timestamp) throws(StoreError)

    /// The oldest request of `line` in a non-terminal state, if any.
    func liveEnrollment(line: String) throws(StoreError) -> EnrollmentRecord?
    /// A request of `line` other than `excluding` that holds (or is about to hold) the line's button:
    /// `registrada`, `prueba_pendiente`, `activa`, `suspendida` or `baja_solicitada`.
    func registeredEnrollment(line: String, excluding id: Int64) throws(StoreError) -> EnrollmentRecord?
    /// The newest request whose credential is `deviceID` (the one a device frame speaks for).
    func enrollment(deviceID: String) throws(StoreError) -> EnrollmentRecord?
    func insertEnrollment(_ enrollment: EnrollmentRecord) throws(StoreError) -> Int64
    func enrollment(tramite: String) throws(StoreError) -> EnrollmentRecord?
    func enrollment(id: Int64) throws(StoreError) -> EnrollmentRecord?
    /// Requests that were linked to `id` when they came in, oldest first.
    func enrollmentsLinked(to id: Int64) throws(StoreError) -> [EnrollmentRecord]
    /// Requests in `states` within `scope`, oldest first.
    func enrollments(in scope: EnrollmentScope, states: [EnrollmentState], limit: Int) throws(StoreError)
        -> [EnrollmentRecord]

    /// Appends one step of the history and moves the request's `state` and `updated_at` to it.
    func appendTransition(enrollmentID: Int64, _ step: EnrollmentTransition) throws(StoreError)
    func transitions(enrollmentID: Int64) throws(StoreError) -> [EnrollmentTransition]

    func insertContacts(enrollmentID: Int64, _ contacts: [EnrollmentContactRecord]) throws(StoreError)
    func contacts(enrollmentID: Int64) throws(StoreError) -> [EnrollmentContactRecord]
    func insertContactAttempt(enrollmentID: Int64, _ attempt: ContactAttemptRecord) throws(StoreError)
    func contactAttempts(enrollmentID: Int64) throws(StoreError) -> [ContactAttemptRecord]

    /// Stores a device credential for an existing line.
    func insertDevice(id: String, kind: String, line: String, secret: [UInt8], at: Timestamp) throws(StoreError)
    func device(id: String) throws(StoreError) -> DeviceRecord?
    /// Revokes every device of `line` not yet revoked; returns how many.
    @discardableResult
    func revokeDevices(line: String, at: Timestamp) throws(StoreError) -> Int
    func revokeDevice(id: String, at: Timestamp) throws(StoreError)
    /// Records the credential issued to a request and when.
    func setRegistration(enrollmentID: Int64, deviceID: String, at: Timestamp) throws(StoreError)

    /// The first test incident (`is_test = 1`) of `line` opened at or after `since`, if any.
    func testIncident(line: String, since: Timestamp) throws(StoreError) -> Int64?
}
