public import BotonRepository

/// One numbered step of the schema. Migrations only ever append: a released migration is never edited.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// The migration rebuilds a table that other tables reference (SQLite's way to change a `CHECK`): it runs
    /// with `PRAGMA foreign_keys` off, and `PRAGMA foreign_key_check` must find nothing before it commits (the
    /// procedure of SQLite's *ALTER TABLE* page, "Making Other Kinds Of Table Schema Changes").
    public let rebuildsTables: Bool
    public init(version: Int, name: String, sql: String, rebuildsTables: Bool = false) {
        self.version = version
        self.name = name
        self.sql = sql
        self.rebuildsTables = rebuildsTables
    }
}


/// Brings a database to the newest schema this binary knows.
///
/// The schema version lives in `PRAGMA user_version`. Each migration runs in its own `BEGIN IMMEDIATE`
/// transaction together with the version bump, so a failure rolls that migration back entirely and leaves the
/// database at the last version that completed. Running it again is a no-op. A database whose version is newer
/// than the binary's is refused before anything is touched.
public enum Migrator {
    public static func migrate(_ db: Database, migrations: [Migration] = Schema.migrations)
        throws(StoreError) -> MigrationReport
    {
        let latest = migrations.last?.version ?? 0
        precondition(migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version },
                     "migrations must be numbered 1, 2, 3, … without gaps")
        let current = try db.userVersion()
        if current > latest {
            throw StoreError(kind: .newerSchema(found: current, supported: latest), message: db.path)
        }
        var applied: [String] = []
        for migration in migrations where migration.version > current {
            do {
                // The pragma is a no-op inside a transaction, so it goes around it.
                if migration.rebuildsTables { try db.execute("PRAGMA foreign_keys = OFF") }
                defer { if migration.rebuildsTables { try? db.execute("PRAGMA foreign_keys = ON") } }
                try db.inTransaction { () throws(StoreError) in
                    try db.execute(migration.sql)
                    if migration.rebuildsTables,
                       let broken = try db.statement("PRAGMA foreign_key_check").first({ $0.text(0) }) {
                        throw StoreError(kind: .invalidData, message: "foreign key check failed in table \(broken)")
                    }
                    try db.execute("PRAGMA user_version = \(migration.version)")
                }
            } catch {
                throw StoreError(kind: .migrationFailed(version: migration.version, name: migration.name),
                                 message: error.message, sql: error.sql)
            }
            applied.append("\(migration.version) \(migration.name)")
        }
        return MigrationReport(fromVersion: current, toVersion: max(current, latest), applied: applied)
    }

    /// Fails unless the database is exactly at the newest schema of `migrations`: a newer one was written by a
    /// newer boton, an older one needs `boton db migrate`. Used by everything that reads or writes data.
    public static func requireCurrent(_ db: Database, migrations: [Migration] = Schema.migrations)
        throws(StoreError)
    {
        let latest = migrations.last?.version ?? 0
        let version = try db.userVersion()
        if version > latest {
            throw StoreError(kind: .newerSchema(found: version, supported: latest), message: db.path)
        }
        if version < latest {
            throw StoreError(kind: .olderSchema(found: version, required: latest), message: db.path)
        }
    }
}
