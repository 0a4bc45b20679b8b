public import BotonCore

/// A device's credential and what routing needs to know about its line.
public struct DeviceCredential: Sendable, Equatable {
    /// 32 lower-case hex digits.
    public var deviceID: String
    public var kind: String
    /// The 256-bit HMAC key.
    public var secret: [UInt8]
    public var line: RegisteredLine
    public var revoked: Bool

    public init(deviceID: String, kind: String, secret: [UInt8], line: RegisteredLine, revoked: Bool) {
        self.deviceID = deviceID
        self.kind = kind
        self.secret = secret
        self.line = line
        self.revoked = revoked
    }
}

/// A registered phone line: its registered address's subcircuito and whether it is suspended.
public struct RegisteredLine: Sendable, Equatable {
    public var e164: String
    public var kind: String
    public var homeSubcircuit: String?
    public var homeLatitude: Double?
    public var homeLongitude: Double?
    public var suspended: Bool
    /// The line may raise alerts through a carrier gateway (a `linea_fija` link exists and is not revoked).
    public var gatewayLinked: Bool
    /// A line of the load generator (`boton alert load`): its alerts are *simulacros*, never counted, never
    /// escalated, hidden from consoles unless asked for, removed by `boton alert load --cleanup`.
    public var simulated: Bool

    public init(e164: String, kind: String, homeSubcircuit: String?, homeLatitude: Double?, homeLongitude: Double?,
                suspended: Bool, gatewayLinked: Bool, simulated: Bool = false) {
        self.e164 = e164
        self.kind = kind
        self.homeSubcircuit = homeSubcircuit
        self.homeLatitude = homeLatitude
        self.homeLongitude = homeLongitude
        self.suspended = suspended
        self.gatewayLinked = gatewayLinked
        self.simulated = simulated
    }
}

public struct GatewayCredential: Sendable, Equatable {
    public var gatewayID: String
    public var name: String
    public var secret: [UInt8]
    public var revoked: Bool
    /// The link's supervision interval in seconds (`boton gateway add --supervision-s`); nil: not supervised.
    public var supervisionSeconds: Int?

    public init(gatewayID: String, name: String, secret: [UInt8], revoked: Bool, supervisionSeconds: Int? = nil) {
        self.supervisionSeconds = supervisionSeconds
        self.gatewayID = gatewayID
        self.name = name
        self.secret = secret
        self.revoked = revoked
    }
}

/// What a frame was answered the first time.
public struct FrameReceipt: Sendable, Equatable {
    public var fingerprint: [UInt8]
    public var status: String
    public var incidentID: Int64?
    public var upcCode: String?

    public init(fingerprint: [UInt8], status: String, incidentID: Int64?, upcCode: String?) {
        self.fingerprint = fingerprint
        self.status = status
        self.incidentID = incidentID
        self.upcCode = upcCode
    }
}

/// An incident still open, for merging repeated presses and attaching positions; with what the phone is told of
/// it (its state and unit) and what a frame may change (silent, battery) without another read.
public struct OpenIncident: Sendable, Equatable {
    public var id: Int64
    public var upcCode: String
    public var openedAt: Timestamp
    public var state: IncidentState
    public var unit: String?
    public var isSilent: Bool
    public var batteryPercent: Int?

    public init(id: Int64, upcCode: String, openedAt: Timestamp, state: IncidentState = .recibida,
                unit: String? = nil, isSilent: Bool = false, batteryPercent: Int? = nil) {
        self.id = id
        self.upcCode = upcCode
        self.openedAt = openedAt
        self.state = state
        self.unit = unit
        self.isSilent = isSilent
        self.batteryPercent = batteryPercent
    }
}

/// A new incident, as the ingestion pipeline opens it.
public struct NewIncident: Sendable {
    public var lineE164: String
    public var deviceID: String?
    public var isTest: Bool
    /// From a simulated line (``RegisteredLine/simulated``): stored as a *simulacro*.
    public var simulated: Bool
    public var upcCode: String
    public var subcircuitCode: String?
    /// `gps`, `domicilio`, `upc_cercana` or `central`.
    public var locationSource: String
    public var lineSuspended: Bool
    public var openedAt: Timestamp
    public var author: String
    /// A silent alert (the citizen cannot talk).
    public var isSilent: Bool
    /// The battery level the opening frame carried.
    public var batteryPercent: Int?

    public init(lineE164: String, deviceID: String?, isTest: Bool, upcCode: String, subcircuitCode: String?,
                locationSource: String, lineSuspended: Bool, openedAt: Timestamp, author: String,
                simulated: Bool = false, isSilent: Bool = false, batteryPercent: Int? = nil) {
        self.isSilent = isSilent
        self.batteryPercent = batteryPercent
        self.lineE164 = lineE164
        self.deviceID = deviceID
        self.isTest = isTest
        self.simulated = simulated
        self.upcCode = upcCode
        self.subcircuitCode = subcircuitCode
        self.locationSource = locationSource
        self.lineSuspended = lineSuspended
        self.openedAt = openedAt
        self.author = author
    }
}

public struct IncidentPosition: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    public var accuracyMeters: Int?
    public var fixAgeSeconds: Int?
    /// The battery level the frame carried, nil when unknown.
    public var batteryPercent: Int?

    public init(latitude: Double, longitude: Double, accuracyMeters: Int?, fixAgeSeconds: Int?,
                batteryPercent: Int? = nil) {
        self.batteryPercent = batteryPercent
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyMeters = accuracyMeters
        self.fixAgeSeconds = fixAgeSeconds
    }
}

/// What the ingestion writer reads and writes. Every call runs inside the writer's group-commit transaction.
public protocol IngestionRepository {
    func deviceCredential(id: String) throws(StoreError) -> DeviceCredential?
    func gatewayCredential(id: String) throws(StoreError) -> GatewayCredential?
    func registeredLine(e164: String) throws(StoreError) -> RegisteredLine?
    func receipt(sender: [UInt8], sequence: UInt64) throws(StoreError) -> FrameReceipt?
    func insertReceipt(sender: [UInt8], sequence: UInt64, kind: String, receipt: FrameReceipt, at: Timestamp)
        throws(StoreError)
    /// The newest incident of `line` not yet `cerrada`, opened at or after `since`, of the same test-ness (a
    /// simulated line's alerts are all *simulacros*, tests or not).
    func openIncident(line: String, isTest: Bool, since: Timestamp) throws(StoreError) -> OpenIncident?
    func createIncident(_ incident: NewIncident) throws(StoreError) -> Int64
    /// The same, with `line_suspended` read from the line in the same statement (whether a false alarm suspended
    /// it a moment ago, which a cached credential may not know yet) rather than taken from `incident`: one round
    /// trip fewer for the writer. Returns the new id and what was read.
    func createIncidentReadingSuspension(_ incident: NewIncident) throws(StoreError) -> (id: Int64, lineSuspended: Bool)
    /// A later press of an open alert changes what the UPC must know: it was silent (`silent`: the flag only ever
    /// goes on), or the phone's battery level changed.
    func updateOpenIncident(_ incident: Int64, silent: Bool, batteryPercent: Int?) throws(StoreError)
    /// The newest incident of `line` that is no test alert (a simulated line's *simulacros* included, as in
    /// ``openIncident(line:isTest:since:)``), opened at or after `since`, open or closed: what a phone that asks
    /// for its alert's state is told when no open alert was read already.
    func latestIncident(line: String, since: Timestamp) throws(StoreError) -> OpenIncident?
    func addPosition(incident: Int64, _ position: IncidentPosition, at: Timestamp, author: String)
        throws(StoreError)
    func recordCancellation(incident: Int64, at: Timestamp, author: String) throws(StoreError)
    /// Deletes up to `limit` receipts older than `before` (oldest first) and returns how many went.
    @discardableResult
    func pruneReceipts(before: Timestamp, limit: Int) throws(StoreError) -> Int
}

/// Device and gateway credentials, issued by provisioning (and later by enrollment).
public protocol CredentialRepository {
    /// Registers (or updates) a line with its registered address and issues a device credential for it.
    func provisionDevice(id: String, kind: String, secret: [UInt8], line: RegisteredLine, at: Timestamp)
        throws(StoreError)
    /// `supervisionSeconds`: the link's supervision interval (nil: not supervised).
    func addGateway(id: String, name: String, secret: [UInt8], supervisionSeconds: Int?, at: Timestamp)
        throws(StoreError)
    /// Several devices in one transaction (the load generator provisions thousands). A simulated line never
    /// takes over a real one: such a device is skipped and its line returned.
    @discardableResult
    func provisionDevices(_ devices: [(id: String, kind: String, secret: [UInt8], line: RegisteredLine)],
                          at: Timestamp) throws(StoreError) -> Set<String>
    /// Deletes up to `limit` simulated alerts (with their events, positions and receipts) and, once none is left,
    /// the simulated lines and their devices; call until it returns `finished`.
    func purgeSimulation(limit: Int) throws(StoreError) -> SimulationPurge
}

/// What one step of ``CredentialRepository/purgeSimulation(limit:)`` removed.
public struct SimulationPurge: Sendable, Equatable {
    public var alerts: Int
    public var lines: Int
    /// Simulated alerts left for a later purge (with their lines): the one that holds the newest event of the
    /// console feed (whose id must never be handed out again).
    public var kept: Int
    public var finished: Bool

    public init(alerts: Int, lines: Int, kept: Int, finished: Bool) {
        self.alerts = alerts
        self.lines = lines
        self.kept = kept
        self.finished = finished
    }
}
