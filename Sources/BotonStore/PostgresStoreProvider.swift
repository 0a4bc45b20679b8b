public import BotonRepository
import Synchronization

/// PostgreSQL connections for the service: lent to the web handlers from a small pool, or opened for one owner.
///
/// As ``SQLiteStoreProvider``: a borrowed connection is taken out of the pool under the mutex and put back after
/// the body returns, so the lock is never held across libpq (connecting, or any statement). A connection goes back
/// only clean — outside a transaction and still connected: one that lost its server (a failover, a restart) is
/// dropped, as is one whose borrower failed with a storage fault, and the next borrower connects anew (libpq's
/// multi-host string then finds the new primary). At most
/// `idleLimit` idle connections are kept.
public final class PostgresStoreProvider: Sendable {
    /// The libpq connection string (it may hold the password: never log it; ``location`` is for messages).
    let connectionString: String
    let idleLimit: Int
    private let idle = Mutex<[PostgresStore]>([])

    public init(connectionString: String, idleLimit: Int = 16) {
        self.connectionString = connectionString
        self.idleLimit = idleLimit
    }

    /// The connection string without its password.
    public var location: String { PostgresDatabase.describe(connectionString).location }

    /// Idle connections in the pool now.
    public var idleCount: Int { idle.withLock { $0.count } }

    /// Lends a pooled connection (or a new one) to `body` and takes it back afterwards, if it is still good.
    public func withStore<T, E: Error>(_ body: (PostgresStore) throws(E) -> T,
                                       unavailable: (StoreError) -> E) throws(E) -> T
    {
        let store: PostgresStore
        if let pooled = idle.withLock({ $0.popLast() }) {
            store = pooled
        } else {
            do { store = try PostgresStore(connectionString: connectionString) } catch { throw unavailable(error) }
        }
        let result: T
        do {
            result = try body(store)
        } catch {
            // A storage fault on a connection that libpq still calls good (a standby's 25006, a server shutting
            // down): it is not lent again; the next borrower connects anew.
            if (error as? StoreError)?.isStorageFault != true { checkIn(store) }
            throw error
        }
        checkIn(store)
        return result
    }

    private func checkIn(_ store: PostgresStore) {
        // A body that threw inside a transaction has rolled it back (inTransaction does); a connection is returned
        // clean and connected, or not at all (closed when its last reference goes).
        guard store.database.isAutocommit, !store.database.isBroken else { return }
        idle.withLock { pool in
            if pool.count < idleLimit { pool.append(store) }
        }
    }

    /// A new connection for one owner. (The ingestion writer's commits are durable as every commit is: with
    /// `synchronous_commit` at its default, and on two hosts when the server has `synchronous_standby_names`.)
    public func openStore(_ role: ConnectionRole) throws(StoreError) -> PostgresStore {
        try PostgresStore(connectionString: connectionString)
    }
}
