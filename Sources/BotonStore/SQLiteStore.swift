/// The SQLite implementation of the repositories, over one confined `Database` connection.
///
/// Like `Database`, a `SQLiteStore` is owned by one thread or serial owner at a time; the service layer opens
/// one per owner (the ingestion writer, each request's reader) rather than sharing one behind a lock.
public final class SQLiteStore {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Opens (creating if needed) the database at `path`, durable (WAL, `synchronous=FULL`).
    public convenience init(path: String, options: Database.Options = Database.Options()) throws(StoreError) {
        self.init(database: try Database(path: path, options: options))
    }

    @discardableResult
    public func migrate() throws(StoreError) -> MigrationReport {
        try Migrator.migrate(database)
    }
}
