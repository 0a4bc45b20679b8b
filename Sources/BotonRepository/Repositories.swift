public import BotonCore
public import BotonRuntime

/// The levels of the police territory, as stored.
public enum TerritoryLevel: String, Sendable, CaseIterable {
    case zona, subzona, distrito, circuito, subcircuito
}

/// One unit of the territory as the store keeps it. Geometry is an opaque blob encoded by the geo layer.
public struct TerritoryUnitRecord: Sendable, Equatable {
    public var code: String
    public var level: TerritoryLevel
    public var name: String
    /// The unit above it; `nil` for zonas and subzonas (a province can span two zonas).
    public var parentCode: String?
    /// The zona, for distritos, circuitos and subcircuitos.
    public var zoneCode: String?
    /// The UPC serving a subcircuito.
    public var upcCode: String?
    public var geometry: [UInt8]?

    public init(code: String, level: TerritoryLevel, name: String, parentCode: String? = nil,
                zoneCode: String? = nil, upcCode: String? = nil, geometry: [UInt8]? = nil) {
        self.code = code
        self.level = level
        self.name = name
        self.parentCode = parentCode
        self.zoneCode = zoneCode
        self.upcCode = upcCode
        self.geometry = geometry
    }
}

public struct UPCRecord: Sendable, Equatable {
    public var code: String
    public var name: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String?
    public var subcircuits: [String]

    public init(code: String, name: String, latitude: Double, longitude: Double, phone: String?,
                subcircuits: [String]) {
        self.code = code
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
        self.subcircuits = subcircuits
    }
}

/// A whole territory, as imported or loaded.
public struct TerritorySnapshot: Sendable, Equatable {
    public var units: [TerritoryUnitRecord]
    public var upcs: [UPCRecord]
    public init(units: [TerritoryUnitRecord], upcs: [UPCRecord]) {
        self.units = units
        self.upcs = upcs
    }
}

public struct TerritoryCounts: Sendable, Equatable, CustomStringConvertible {
    public var zonas = 0, subzonas = 0, distritos = 0, circuitos = 0, subcircuitos = 0, upcs = 0
    public init() {}
    public var isEmpty: Bool { subcircuitos == 0 }
    public var description: String {
        "zonas=\(zonas) subzonas=\(subzonas) distritos=\(distritos) circuitos=\(circuitos) "
            + "subcircuitos=\(subcircuitos) upcs=\(upcs)"
    }
}

/// Where the territory lives.
public protocol TerritoryRepository {
    /// Replaces the stored territory with `snapshot` in one transaction: all of it or none of it.
    /// Units still referenced by enrollments or lines cannot disappear; that failure leaves everything as it was.
    func replaceTerritory(_ snapshot: TerritorySnapshot) throws(StoreError)
    func loadTerritory() throws(StoreError) -> TerritorySnapshot
    func territoryCounts() throws(StoreError) -> TerritoryCounts
}

/// One line of the append-only audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64?
    public var at: Timestamp
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String?

    public init(id: Int64? = nil, at: Timestamp, actor: String, action: String, subject: String,
                detail: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// The audit log: entries are appended and read, never changed (the SQLite schema enforces it with triggers).
public protocol AuditLogRepository {
    @discardableResult
    func appendAudit(_ entry: AuditEntry) throws(StoreError) -> Int64
    func auditEntries(subject: String?, limit: Int) throws(StoreError) -> [AuditEntry]
    /// A page of the log, newest first: entries older than `before` (an id), about `subject` and by `actor`
    /// when given.
    func auditPage(subject: String?, actor: String?, before: Int64?, limit: Int) throws(StoreError) -> [AuditEntry]
}

extension AuditLogRepository {
    /// Appends `entry` on its own, outside any transaction: how a refusal is audited after its transaction rolled
    /// back. A failure to write it is logged with its reason (`audit_write_failed`), never dropped silently, and
    /// never hides the refusal the caller is about to answer.
    public func appendAuditOfRefusal(_ entry: AuditEntry, logger: Logger) {
        do {
            try appendAudit(entry)
        } catch {
            logger.error("audit_write_failed", ["action": entry.action, "subject": entry.subject,
                                                "actor": entry.actor, "error": error.description])
        }
    }
}
