public import BotonRepository
import Synchronization

/// SQLite connections for the service: lent to the web handlers from a small pool, or opened for one owner.
///
/// Why a pool and not a connection per request: opening a connection sets its pragmas (WAL, `synchronous=FULL`,
/// foreign keys) and loses the prepared-statement cache. Why a pool and not one shared connection behind a lock: a
/// connection is confined to one thread at a time (opened `SQLITE_OPEN_NOMUTEX`). A borrowed connection is taken out
/// of the pool under the mutex and put back after the body returns: the lock is never held across SQLite. At most
/// `idleLimit` idle connections are kept (the web server's worker threads); concurrent writers are serialised by
/// SQLite's write lock (`store.busy_timeout_ms`), as everywhere else.
public final class SQLiteStoreProvider: StoreProvider {
    public let path: String
    let busyTimeoutMilliseconds: Int32
    /// `store.synchronous`: whether the ingestion writer's commits wait for the disk (`full`, the default). Every
    /// other connection always does.
    let writerDurable: Bool
    let idleLimit: Int
    private let idle = Mutex<[SQLiteStore]>([])

    public init(path: String, busyTimeoutMilliseconds: Int32, writerDurable: Bool = true, idleLimit: Int = 16) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.writerDurable = writerDurable
        self.idleLimit = idleLimit
    }

    var options: Database.Options { Database.Options(busyTimeoutMilliseconds: busyTimeoutMilliseconds) }

    public func withConnection<T, E: Error>(_ body: (any StoreConnection) throws(E) -> T,
                                            unavailable: (StoreError) -> E) throws(E) -> T
    {
        let store: SQLiteStore
        if let pooled = idle.withLock({ $0.popLast() }) {
            store = pooled
        } else {
            do { store = try SQLiteStore(path: path, options: options) } catch { throw unavailable(error) }
        }
        defer { checkIn(store) }
        return try body(store)
    }

    private func checkIn(_ store: SQLiteStore) {
        // A body that threw inside a transaction has rolled it back (inTransaction does); a connection is returned
        // clean or not at all.
        guard store.database.isAutocommit else { return }
        idle.withLock { pool in
            if pool.count < idleLimit { pool.append(store) }
        }
    }

    public func open(_ role: ConnectionRole) throws(StoreError) -> any StoreConnection {
        var options = self.options
        if role == .ingestionWriter { options.durable = writerDurable }
        let store = try SQLiteStore(path: path, options: options)
        if role == .ingestionWriter {
            // Its commits never checkpoint the log: the checkpoint thread does (WALCheckpointer).
            try store.database.setAutomaticCheckpoint(false)
        }
        return store
    }
}
