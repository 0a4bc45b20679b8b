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
        if store.backend == .postgresql { return try PostgresStore(connectionString: store.postgresql) }
        let path = databasePath
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try SQLiteStore(path: path,
                               options: Database.Options(busyTimeoutMilliseconds: Int32(store.busyTimeoutMilliseconds)))
    }
}

extension Configuration {
    /// The service's connections to the configured store, and the components that keep that store in shape
    /// (SQLite: the WAL checkpointer), to start before everything else and stop last.
    func makeStoreProvider(logger: Logger) throws -> (any StoreProvider, [any Component]) {
        let settings = store
        if settings.backend == .postgresql {
            // The server keeps its own log: nothing to checkpoint here.
            return (PostgresStoreProvider(connectionString: settings.postgresql, idleLimit: http.workers + 4), [])
        }
        let provider = SQLiteStoreProvider(path: databasePath,
                                           busyTimeoutMilliseconds: Int32(settings.busyTimeoutMilliseconds),
                                           writerDurable: settings.synchronous == "full", idleLimit: http.workers + 4)
        let checkpointer = WALCheckpointer(
            databasePath: databasePath, busyTimeoutMilliseconds: Int32(settings.busyTimeoutMilliseconds),
            intervalMilliseconds: settings.checkpointMilliseconds, restartFrames: settings.checkpointRestartFrames,
            logger: logger)
        return (provider, [checkpointer])
    }
}

extension Configuration {
    /// Opens the singleton jobs' lock of the configured store, one session per call (``LeaderElection`` calls it
    /// again after a session broke): PostgreSQL's advisory lock on a connection of its own, or SQLite's, always
    /// held (one file, one node).
    func makeLeaderLockOpener() -> @Sendable () throws(StoreError) -> any LeaderLock {
        let settings = store
        if settings.backend == .postgresql {
            return { () throws(StoreError) -> any LeaderLock in
                try PostgresLeaderLock(connectionString: settings.postgresql)
            }
        }
        let path = databasePath
        return { () throws(StoreError) -> any LeaderLock in SQLiteLeaderLock(path: path) }
    }
}
