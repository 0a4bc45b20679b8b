public import BotonRepository

/// The PostgreSQL store: one confined ``PostgresDatabase`` connection, with what is specific to the engine —
/// transactions and the schema (``PostgresMigrator``). The repositories themselves are shared with SQLite: they are
/// written once over ``SQLDatabase`` (the `SQLStore` protocol, through ``sql``); see
/// `PostgresStore+StoreConnection.swift` for the conformances that complete it into a `StoreConnection`.
///
/// Like `SQLiteStore`, it is used by one owner at a time (lent by ``PostgresStoreProvider``, or owned by one
/// background job's thread); it is `Sendable` only so that it can move between owners.
public final class PostgresStore: Transactional, SchemaRepository, @unchecked Sendable {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// Connects with a libpq connection string (URI or `key=value`).
    public convenience init(connectionString: String) throws(StoreError) {
        self.init(database: try PostgresDatabase(connectionString: connectionString))
    }

    /// The engine-neutral connection the shared repository code runs on.
    public var sql: any SQLDatabase { database }

    // MARK: Transactional

    public func inTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try database.inTransaction(body)
    }

    public func inTransaction<T>(rethrowing body: () throws -> T) throws -> T {
        try database.inTransaction(rethrowing: body)
    }

    public func inSavepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try database.inSavepoint(body)
    }

    // MARK: SchemaRepository

    public func schemaVersion() throws(StoreError) -> Int { try PostgresMigrator.version(database) }

    public var latestSchemaVersion: Int { PostgresSchema.latestVersion }

    public func requireCurrentSchema() throws(StoreError) { try PostgresMigrator.requireCurrent(database) }

    @discardableResult
    public func migrate() throws(StoreError) -> MigrationReport {
        try PostgresMigrator.migrate(database)
    }

    public var location: String { database.location }

    /// `synchronous_standby_names` and the standbys in sync (`pg_stat_replication`, whose `sync_state` a role
    /// without `pg_monitor` reads as NULL: then unknown).
    public func replication() throws(StoreError) -> StoreReplication? {
        try database.statement("""
            SELECT current_setting('synchronous_standby_names'),
                (SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')),
                (SELECT count(*) FROM pg_stat_replication WHERE sync_state IS NULL)
            """).first([]) { row in
            let inSync = row.int(1)
            return StoreReplication(synchronousStandbyNames: row.text(0),
                                    synchronousStandbys: inSync == 0 && row.int(2) > 0 ? nil : inSync)
        } ?? nil
    }
}
