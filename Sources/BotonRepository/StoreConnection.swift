public import BotonCore

/// Transactions on one connection. A body's reads and writes are all or nothing; a nested savepoint rolls back on
/// its own without undoing the enclosing transaction.
public protocol Transactional: AnyObject, Sendable {
    func inTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// The same, for bodies that throw the caller's own errors (rolled back, then rethrown as they were).
    func inTransaction<T>(rethrowing body: () throws -> T) throws -> T
    func inSavepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
}

/// Secrets the server keeps across restarts (the forms' CSRF key).
public protocol ServerSecretRepository {
    /// The secret called `name`, made by `make` and stored the first time it is asked for.
    func serverSecret(_ name: String, at: Timestamp, make: () throws -> [UInt8]) throws -> [UInt8]
}

/// The schema a store is at, and bringing it to this binary's.
public protocol SchemaRepository {
    /// The schema version the database is at.
    func schemaVersion() throws(StoreError) -> Int
    /// The schema version this binary writes (its newest migration).
    var latestSchemaVersion: Int { get }
    /// Fails with ``StoreError/Kind/olderSchema(found:required:)`` or ``StoreError/Kind/newerSchema(found:supported:)``
    /// unless the database is at this binary's schema.
    func requireCurrentSchema() throws(StoreError)
    /// Applies every migration the database lacks, each in its own transaction.
    @discardableResult
    func migrate() throws(StoreError) -> MigrationReport
    /// Where the data lives, for messages (a file path, a connection string without its password).
    var location: String { get }
    /// How many hosts a commit is on when it returns, as the server says it now (nil: one file on this host,
    /// SQLite, nothing to report).
    func replication() throws(StoreError) -> StoreReplication?
}

/// A PostgreSQL primary's synchronous replication, as `/salud` reports it: whether a COMMIT waits for a standby,
/// and how many are streaming in sync.
public struct StoreReplication: Sendable, Equatable {
    /// The primary's `synchronous_standby_names` (empty: commits return once on the primary alone).
    public var synchronousStandbyNames: String
    /// Standbys streaming in sync now (nil: this role may not read `pg_stat_replication`'s details; grant it
    /// `pg_monitor`).
    public var synchronousStandbys: Int?

    public init(synchronousStandbyNames: String, synchronousStandbys: Int?) {
        self.synchronousStandbyNames = synchronousStandbyNames
        self.synchronousStandbys = synchronousStandbys
    }

    /// A COMMIT waits for a standby.
    public var isSynchronous: Bool { !synchronousStandbyNames.isEmpty }
}

/// What ``SchemaRepository/migrate()`` did.
public struct MigrationReport: Sendable, Equatable {
    public var fromVersion: Int
    public var toVersion: Int
    /// The migrations applied, as `version_name`.
    public var applied: [String]

    public init(fromVersion: Int, toVersion: Int, applied: [String]) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.applied = applied
    }
}

/// One connection to the store with every repository: what a service is handed for one request or one batch.
///
/// A connection is confined: one thread uses it at a time, and nobody keeps it beyond the closure or the owner it
/// was lent to. Services name the narrower compositions they need (``EnrollmentStore``, ``ConsoleStore``, …); the
/// concrete store (SQLite in BotonStore) conforms to all of them and only the composition root names it.
public typealias StoreConnection = Transactional & TerritoryRepository & AuditLogRepository & IngestionRepository
    & CredentialRepository & EnrollmentRepository & OperatorRepository & QuejaRepository & SessionRepository
    & StatisticsRepository & ConsoleRepository & ServerSecretRepository & SchemaRepository & SiteRepository
    & SupervisionRepository

/// Where connections come from. The web handlers borrow one per request (``withConnection(_:)``); a background
/// job that keeps its connection for its whole life (the ingestion writer, the console feed, the escalator) opens
/// its own (``open(_:)``) and owns it on its thread.
public protocol StoreProvider: Sendable {
    /// Lends a connection to `body` (one idle in the pool, else a new one) and takes it back afterwards. The body
    /// must not keep it.
    func withConnection<T, E: Error>(_ body: (any StoreConnection) throws(E) -> T,
                                     unavailable: (StoreError) -> E) throws(E) -> T
    /// A new connection for one owner, for `role`.
    func open(_ role: ConnectionRole) throws(StoreError) -> any StoreConnection
}

extension StoreProvider {
    /// ``withConnection(_:unavailable:)`` for bodies that throw ``StoreError``.
    public func withConnection<T>(_ body: (any StoreConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        try withConnection(body, unavailable: { $0 })
    }
}

/// What a dedicated connection is for: the store tunes it (the ingestion writer's commits are the durable ones
/// and never pause for housekeeping).
public enum ConnectionRole: Sendable, Equatable {
    /// The one connection that writes alerts (the ingestion pipeline's group commit).
    case ingestionWriter
    /// A background job's connection (console feed, escalation, monthly close, health readings).
    case background
}
