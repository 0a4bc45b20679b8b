import CSQLite

/// One SQLite connection: the only owner of its `sqlite3*` handle, closed in `deinit`.
///
/// A `Database` is deliberately not `Sendable`: it is confined to the one thread or serial owner that opened it
/// (the group-commit writer, a request's read connection). SQLite is opened with `SQLITE_OPEN_NOMUTEX`, so the
/// confinement is what makes it safe, and no lock is ever taken around a statement.
///
/// Prepared statements are cached by SQL text: `statement(_:)` returns the same reset `Statement` each time.
public final class Database {
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

    public init(path: String, options: Options = Options()) throws(StoreError) {
        var db: OpaquePointer?
        let flags = (options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: rc),
                             message: "cannot open \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
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
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle)),
                             message: message, sql: sql)
        }
    }

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

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`: the schema version the migrations have reached.
    public func userVersion() throws(StoreError) -> Int {
        // `first` resets the statement: a statement left on a row keeps a read transaction open, which would
        // block WAL checkpoints.
        try statement("PRAGMA user_version").first { $0.int(0) } ?? 0
    }

    func error(_ rc: Int32, sql: String?) -> StoreError {
        StoreError(kind: .sqlite(code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle)),
                   message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
