public import BotonRepository

/// The SQLite implementation of the repositories, over one confined `Database` connection.
///
/// Like `Database`, a `SQLiteStore` is owned by one thread or serial owner at a time: it is lent to one request by
/// ``SQLiteStoreProvider/withConnection(_:unavailable:)``, or owned for its life by one background job's thread.
/// Services never name it: they see the repository protocols of BotonRepository, and only BotonApp (the
/// composition root) and the command line's wiring make one. It is `Sendable` only so that it can move between
/// owners (back into the pool, onto a job's thread); it is used by one at a time.
public final class SQLiteStore: SQLStore, @unchecked Sendable {
    public let database: Database
    public var sql: any SQLDatabase { database }

    public init(database: Database) {
        self.database = database
    }

    /// Opens (creating if needed) the database at `path`, durable (WAL, `synchronous=FULL`).
    public convenience init(path: String, options: Database.Options = Database.Options()) throws(StoreError) {
        self.init(database: try Database(path: path, options: options))
    }

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

    /// One file on this host: no replication to report.
    public func replication() throws(StoreError) -> StoreReplication? { nil }

    public func schemaVersion() throws(StoreError) -> Int { try database.userVersion() }

    public var latestSchemaVersion: Int { Schema.latestVersion }

    public func requireCurrentSchema() throws(StoreError) { try Migrator.requireCurrent(database) }

    @discardableResult
    public func migrate() throws(StoreError) -> MigrationReport {
        try Migrator.migrate(database)
    }

    public var location: String { database.path }
}
