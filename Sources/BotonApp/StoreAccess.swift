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

    /// Opens the session that hears other nodes' commits (PostgreSQL only: nil for SQLite, one process).
    func makeChangeNotificationsOpener() -> (@Sendable () throws(StoreError) -> any ChangeNotifications)? {
        let settings = store
        guard settings.backend == .postgresql else { return nil }
        return { () throws(StoreError) -> any ChangeNotifications in
            try PostgresNotifications(connectionString: settings.postgresql)
        }
    }

    /// The setting that says where the store is: `store.postgresql` or `store.path`.
    var storeSetting: String { store.backend == .postgresql ? "store.postgresql" : "store.path" }

    /// `error` with the setting that names the store in front of its message (for `/salud` and the log). Only
    /// PostgreSQL's: SQLite's messages already name the file.
    func namingSetting(_ error: StoreError) -> StoreError {
        guard store.backend == .postgresql, !error.message.hasPrefix(storeSetting) else { return error }
        return StoreError(kind: error.kind, message: "\(storeSetting): \(error.message)", sql: error.sql,
                          codeName: error.codeName)
    }

    /// Runs a start-up step on the store; its failure becomes a ``StartupError`` naming the setting.
    func startingStore<T>(_ body: () throws(StoreError) -> T) throws(StartupError) -> T {
        do {
            return try body()
        } catch {
            var text = "\(storeSetting): \(error.description)"
            if store.backend == .postgresql, case .postgres(let state) = error.kind {
                switch state {
                case "08001":
                    text += " — check the connection string (libpq key=value or a postgresql:// URI), that the "
                        + "server is running and reachable, and the user and password"
                case "25006":
                    text += " — name the primary, or list every host with target_session_attrs=read-write"
                default: break
                }
            }
            throw StartupError(text)
        }
    }

    /// PostgreSQL: refuses a connection that can only read (a standby, or `default_transaction_read_only`): the
    /// service would start and then answer every alert *ocupado-reintente*.
    func requireWritable(_ connection: any StoreConnection) throws(StoreError) {
        guard let postgres = connection as? PostgresStore, try postgres.database.isReadOnly else { return }
        throw StoreError(kind: .postgres(sqlState: "25006"),
                         message: "the server at \(postgres.location) accepts only reads (a standby, or "
                            + "default_transaction_read_only): alerts cannot be stored there",
                         codeName: "read_only_sql_transaction")
    }
}
