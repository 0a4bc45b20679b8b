import BotonStore
import Foundation

/// The web handlers' store connections: one per handler thread, opened on that thread's first request and kept
/// for the thread's life.
///
/// Why not one per request: opening a connection sets its pragmas (WAL, `synchronous=FULL`, foreign keys) and
/// loses the prepared-statement cache, for every page. Why not a shared pool behind a lock: a ``SQLiteStore`` is
/// confined to one thread by design (opened `SQLITE_OPEN_NOMUTEX`). The web server's handlers run on a fixed set of
/// worker threads (`http.workers`), so a connection per worker thread is both confined and reused: at most
/// `http.workers` connections besides the ingestion writer's, each only ever touched by its own thread. A handler
/// must not keep the store (or an ``EnrollmentService`` made from it) beyond its request, and never hands it to
/// another thread. Concurrent writes from several workers are serialised by SQLite's write lock
/// (`store.busy_timeout_ms`), as everywhere else.
final class StoreConnections: Sendable {
    let path: String
    let busyTimeoutMilliseconds: Int32
    private let key: String

    init(path: String, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        key = "boton.web.store:" + path
    }

    /// This thread's connection, opened now if it has none (a failure is not remembered: the next request tries
    /// again).
    func current() throws(StoreError) -> SQLiteStore {
        let dictionary = Thread.current.threadDictionary
        if let store = dictionary[key] as? SQLiteStore { return store }
        let store = try SQLiteStore(path: path,
                                    options: Database.Options(busyTimeoutMilliseconds: busyTimeoutMilliseconds))
        dictionary[key] = store
        return store
    }
}
