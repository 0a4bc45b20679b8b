public import BotonRepository
import CSQLite
import Glibc

/// One SQLite connection: the only owner of its `sqlite3*` handle, closed in `deinit`.
///
/// A `Database` is deliberately not `Sendable`: it is confined to the one thread or serial owner that opened it
/// (the group-commit writer, a request's read connection). SQLite is opened with `SQLITE_OPEN_NOMUTEX`, so the
/// confinement is what makes it safe, and no lock is ever taken around a statement.
///
/// Prepared statements are cached by SQL text: `statement(_:)` returns the same reset `Statement` each time.
public final class Database: SQLDatabase {
    public struct Options: Sendable {
        /// How long a writer waits for another connection's lock before failing with SQLITE_BUSY.
        public var busyTimeoutMilliseconds: Int32 = 5_000
        /// WAL journal with `synchronous=FULL`: a committed transaction survives power loss.
        public var durable: Bool = true
        public var readOnly: Bool = false
        public init(busyTimeoutMilliseconds: Int32 = 5_000, durable: Bool = true, readOnly: Bool = false) {
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.durable = durable
            self.readOnly = readOnly
        }
    }

    let handle: OpaquePointer
    public let path: String
    private var cache: [String: Statement] = [:]
    /// The busy handler's context: this connection's busy timeout, in milliseconds.
    private let busyTimeout: UnsafeMutablePointer<Int32>

    public init(path: String, options: Options = Options()) throws(StoreError) {
        var db: OpaquePointer?
        let flags = (options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: rc),
                             message: "cannot open \(path): \(message)", codeName: String(cString: sqlite3_errstr(rc)))
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        busyTimeout = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        busyTimeout.initialize(to: max(options.busyTimeoutMilliseconds, 0))
        sqlite3_busy_handler(db, { context, count in
            Database.retryWhenBusy(after: count, timeoutMilliseconds: context!.load(as: Int32.self)) ? 1 : 0
        }, busyTimeout)
        try execute("PRAGMA foreign_keys = ON")
        if !options.readOnly {
            try execute("PRAGMA journal_mode = WAL")
            // Not durable is for benchmarks only: commits then return before the data reaches the disk.
            try execute(options.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF")
        }
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
        busyTimeout.deallocate()
    }

    /// The busy handler: while another connection holds the lock, sleep a little and try again, until
    /// `timeoutMilliseconds` have been slept. SQLite's own (`sqlite3_busy_timeout`) sleeps 1 ms, then 2, 5, 10…:
    /// a lock held for 100 µs by a short transaction cost the ingestion writer 1 to 3 ms, the slowest percent of
    /// alerts. These steps are 50 µs for the first millisecond, 250 µs up to 11 ms, then 1 ms.
    static func retryWhenBusy(after tries: Int32, timeoutMilliseconds: Int32) -> Bool {
        let waited = sleptMicroseconds(before: Int(tries))
        guard waited < Int(timeoutMilliseconds) * 1000 else { return false }
        usleep(UInt32(sleptMicroseconds(before: Int(tries) + 1) - waited))
        return true
    }

    /// Microseconds slept by the busy handler in its first `tries` calls.
    static func sleptMicroseconds(before tries: Int) -> Int {
        if tries <= 20 { return 50 * tries }
        if tries <= 60 { return 1_000 + 250 * (tries - 20) }
        return 11_000 + 1_000 * (tries - 60)
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            let extended = sqlite3_extended_errcode(handle)
            throw StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: extended), message: message, sql: sql,
                             codeName: String(cString: sqlite3_errstr(extended)))
        }
    }

    public func prepared(_ sql: String) throws(StoreError) -> any SQLStatement { try statement(sql) }

    public var location: String { path }

    public var dialect: SQLDialect { .sqlite }

    /// A cached prepared statement for `sql`, reset and with its bindings cleared.
    public func statement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction. `BEGIN IMMEDIATE` takes the write lock up front, so a transaction never
    /// fails half-way for want of it. Any error rolls everything back and is rethrown.
    public func inTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// ``inTransaction(_:)`` for bodies that throw errors of their own (a service's refusals as well as
    /// ``StoreError``s): any error rolls everything back and is rethrown unchanged.
    public func inTransaction<T>(rethrowing body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// How a ``checkpoint(_:)`` treats other connections.
    public enum CheckpointMode: Sendable {
        /// Copies what it can without waiting for any lock: writers and readers carry on meanwhile.
        case passive
        /// Waits (through the busy handler) until no writer is active, copies the whole log, and makes the next
        /// writer start the log from its beginning: the log file stops growing.
        case restart

        var sqliteValue: Int32 {
            switch self {
            case .passive: return SQLITE_CHECKPOINT_PASSIVE
            case .restart: return SQLITE_CHECKPOINT_RESTART
            }
        }
    }

    /// What a checkpoint found and did, in WAL frames (one page each).
    public struct CheckpointResult: Sendable, Equatable {
        /// Frames in the write-ahead log.
        public var logFrames: Int
        /// Of those, frames now copied into the database file.
        public var checkpointedFrames: Int
    }

    /// Copies the write-ahead log into the database file (`sqlite3_wal_checkpoint_v2`). SQLITE_BUSY from a
    /// passive checkpoint (another checkpoint is running) is not an error: it reports what the log holds.
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode) throws(StoreError) -> CheckpointResult {
        var log: Int32 = 0
        var done: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, mode.sqliteValue, &log, &done)
        guard rc == SQLITE_OK || rc == SQLITE_BUSY else { throw error(rc, sql: "wal_checkpoint") }
        return CheckpointResult(logFrames: Int(max(log, 0)), checkpointedFrames: Int(max(done, 0)))
    }

    /// Runs `body` with another busy timeout on this connection (a restart checkpoint gives up after a moment
    /// rather than hold every writer back while a long reader finishes).
    public func withBusyTimeout<T>(milliseconds: Int32, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let saved = busyTimeout.pointee
        busyTimeout.pointee = max(milliseconds, 0)
        defer { busyTimeout.pointee = saved }
        return try body()
    }

    /// Whether a commit that leaves the log above SQLite's threshold (1,000 pages) checkpoints on the committing
    /// connection, inside its COMMIT. On by default. A connection on a latency-critical path turns it off and
    /// leaves checkpoints to a connection whose thread can afford them (see the service's `WALCheckpointer`).
    public func setAutomaticCheckpoint(_ on: Bool) throws(StoreError) {
        try execute(on ? "PRAGMA wal_autocheckpoint = 1000" : "PRAGMA wal_autocheckpoint = 0")
    }

    /// Runs `body` inside a savepoint of the current transaction: when it throws, only its own writes are undone
    /// (the transaction goes on) and the error is rethrown.
    public func inSavepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("SAVEPOINT boton_savepoint")
        do {
            let result = try body()
            try execute("RELEASE boton_savepoint")
            return result
        } catch {
            try? execute("ROLLBACK TO boton_savepoint")
            try? execute("RELEASE boton_savepoint")
            throw error
        }
    }

    /// True outside a transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`: the schema version the migrations have reached.
    public func userVersion() throws(StoreError) -> Int {
        // `first` resets the statement: a statement left on a row keeps a read transaction open, which would
        // block WAL checkpoints.
        try statement("PRAGMA user_version").first { $0.int(0) } ?? 0
    }

    func error(_ rc: Int32, sql: String?) -> StoreError {
        let extended = sqlite3_extended_errcode(handle)
        return StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: extended),
                          message: String(cString: sqlite3_errmsg(handle)), sql: sql,
                          codeName: String(cString: sqlite3_errstr(extended)))
    }
}
