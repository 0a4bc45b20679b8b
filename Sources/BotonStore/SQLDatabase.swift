public import BotonRepository

/// One connection of either engine (SQLite's ``Database``, PostgreSQL's `PostgresDatabase`), as the repository code
/// uses it: statements written once, in the SQL both engines accept, with numbered parameters `?1`, `?2`, … (the
/// PostgreSQL connection turns them into `$1`, `$2`, …), rows read by column, transactions and savepoints.
///
/// What the two engines do not share is kept out of the repository code: a new row's id comes back through
/// `RETURNING id` (both engines), conflicts are `ON CONFLICT … DO NOTHING/UPDATE` (both), flags are integers 0/1
/// in both schemas, and each engine's schema and migrations live with it.
///
/// A connection is confined: one owner uses it at a time.
public protocol SQLDatabase: AnyObject {
    /// Runs one or more statements that return no rows (schema changes, `PRAGMA`s, `SET`s).
    func execute(_ sql: String) throws(StoreError)
    /// A prepared statement for `sql` (cached by the connection), ready to bind.
    func prepared(_ sql: String) throws(StoreError) -> any SQLStatement
    /// Runs `body` in one transaction that takes the write lock (SQLite) or is serializable enough for its
    /// statements (PostgreSQL: read committed plus the rows' locks); any error rolls everything back.
    func inTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    func inTransaction<T>(rethrowing body: () throws -> T) throws -> T
    /// A nested transaction that rolls back on its own.
    func inSavepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// True outside a transaction (a pooled connection goes back only then).
    var isAutocommit: Bool { get }
    /// Rows changed by the last statement run on this connection.
    var changes: Int { get }
    /// Where the data lives, for messages (a file path, a connection string without its password).
    var location: String { get }
    /// Which engine: for the few places where the SQL must differ (an index hint).
    var dialect: SQLDialect { get }
    /// The transaction in progress appends to `incident_event` (``orderEventAppends()`` calls it). PostgreSQL
    /// then tells the other nodes' console feeds at COMMIT (`NOTIFY boton_feed`, a wake-up hint only); nothing on
    /// SQLite, whose one process wakes its feed itself.
    func willAppendEvents()
}

extension SQLDatabase {
    public func willAppendEvents() {}
}

/// The engines the repository SQL runs on.
public enum SQLDialect: Sendable, Equatable {
    case sqlite, postgresql

    /// SQLite's `INDEXED BY index` after a table name (its planner may otherwise prefer the primary key for a
    /// range with an ORDER BY); nothing on PostgreSQL, whose planner reads the statistics.
    public func indexedBy(_ index: String) -> String { self == .sqlite ? "INDEXED BY \(index)" : "" }

    /// A column SQLite must not use an index for (`+column`, SQLite's unary plus); the column itself on PostgreSQL,
    /// which has no unary plus for text and plans by the statistics.
    public func unindexed(_ column: String) -> String { self == .sqlite ? "+\(column)" : column }
}

extension SQLDatabase {
    /// Called inside a transaction before it appends to `incident_event`: makes event ids visible in id order, the
    /// rule the console feed reads by (`id > cursor`, never skipping one).
    ///
    /// SQLite serialises write transactions, so ids are handed out in commit order already. PostgreSQL hands out
    /// identity values when rows are inserted, not when transactions commit: two nodes' transactions could commit
    /// 101 before 100, and a feed that had read 101 would never see 100. So every PostgreSQL transaction takes one
    /// transaction-scoped advisory lock (`pg_advisory_xact_lock`, held until COMMIT or ROLLBACK) right after BEGIN
    /// (`PostgresDatabase.inTransaction`): transactions run one after another across every node, each id is
    /// assigned after every smaller one committed or rolled back, and `id > cursor` stays a rule that cannot skip.
    /// This call takes it only for an append made outside ``inTransaction(_:)``; inside one it costs nothing.
    public func orderEventAppends() throws(StoreError) {
        willAppendEvents()
        // Inside a transaction the lock is held already (taken at BEGIN): no second round trip per event.
        guard dialect == .postgresql, isAutocommit else { return }
        _ = try prepared("SELECT pg_advisory_xact_lock(\(eventOrderLockKey))").first([]) { _ in 0 }
    }
}

/// The advisory lock key of ``SQLDatabase/orderEventAppends()`` ("BotonEvt" in ASCII).
let eventOrderLockKey: Int64 = 0x426F_746F_6E45_7674

/// A prepared statement of either engine.
public protocol SQLStatement: AnyObject {
    /// Binds `values` to `?1`, `?2`, … and runs to completion.
    func run(_ values: [SQLValue]) throws(StoreError)
    /// Binds and runs without waiting for the outcome where the engine can. Inside a PostgreSQL transaction the
    /// statement is pipelined: it travels with the transaction's next statement that needs an answer (or with
    /// its COMMIT), its error is thrown there, and ``SQLDatabase/changes`` does not count it. Elsewhere, and on
    /// SQLite (in process, nothing to wait for), it is ``run(_:)``. Only for writes whose one expected outcome is
    /// success: no row count is read after them and no constraint violation is reacted to.
    func send(_ values: [SQLValue]) throws(StoreError)
    /// Binds, then maps every row.
    func rows<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T]
    /// Binds, then maps the first row if there is one.
    func first<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> T?
    /// Binds, then hands every row to `body` as it comes (SQLite streams; the default reads all rows first).
    func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws(StoreError) -> Void) throws(StoreError)
}

extension SQLStatement {
    public func run() throws(StoreError) { try run([]) }

    public func send(_ values: [SQLValue]) throws(StoreError) { try run(values) }

    public func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws(StoreError) -> Void) throws(StoreError) {
        _ = try rows(values) { (row) throws(StoreError) -> Void in try body(row) }
    }

    public func rows<T>(_ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        try rows([], map)
    }

    public func first<T>(_ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> T? {
        try first([], map)
    }
}

/// The row a statement sits on, read by 0-based column. Booleans are read from integers (0/1) or, on
/// PostgreSQL, from `boolean` expressions such as `x IS NOT NULL`.
public protocol SQLRow {
    func isNull(_ column: Int32) -> Bool
    func int64(_ column: Int32) -> Int64
    func double(_ column: Int32) -> Double
    func bool(_ column: Int32) -> Bool
    func text(_ column: Int32) -> String
    func blob(_ column: Int32) -> [UInt8]
}

extension SQLRow {
    public func int(_ column: Int32) -> Int { Int(int64(column)) }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    /// A column that stores a domain enum by its raw (Spanish) name: a name this binary does not know is invalid
    /// data, reported with the value and the column.
    public func value<E: RawRepresentable>(_ column: Int32, as type: E.Type) throws(StoreError) -> E
        where E.RawValue == String
    {
        let raw = text(column)
        guard let value = E(rawValue: raw) else {
            throw StoreError(kind: .invalidData,
                             message: "column \(column) holds '\(raw)', which is not a \(E.self)")
        }
        return value
    }

    /// ``value(_:as:)`` for a column that may be NULL.
    public func optionalValue<E: RawRepresentable>(_ column: Int32, as type: E.Type) throws(StoreError) -> E?
        where E.RawValue == String
    {
        isNull(column) ? nil : try value(column, as: type)
    }
}

/// The repositories written once, in the SQL both engines accept, over ``sql``: ``SQLiteStore`` and
/// `PostgresStore` conform and add only what is their engine's own (transactions, schema and migrations).
public protocol SQLStore: StoreConnection {
    var sql: any SQLDatabase { get }
}
