public import BotonRepository
public import BotonRuntime
import BotonStore
import Foundation

extension Configuration {
    /// A connection to the configured store for one command-line command (`boton db`, `territory import`,
    /// `operator add`, …), creating the database's directory if needed. Nothing is migrated: commands that need the
    /// current schema call ``SchemaRepository/requireCurrentSchema()``, `boton db migrate` calls
    /// ``SchemaRepository/migrate()``.
    ///
    /// The command line names no concrete store: which one serves the configuration is decided here, in the
    /// composition root.
    public func openStore() throws -> any StoreConnection {
        let path = databasePath
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try SQLiteStore(path: path,
                               options: Database.Options(busyTimeoutMilliseconds: Int32(store.busyTimeoutMilliseconds)))
    }
}
