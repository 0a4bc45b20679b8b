public import BotonRepository
import CSQLite

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One prepared statement: the only owner of its `sqlite3_stmt*`, finalized in `deinit`.
///
/// Typed `bind` overloads let hot paths bind without building `SQLValue` arrays; columns are read in place while
/// the statement sits on a row.
public final class Statement: SQLStatement, SQLRow {
    let handle: OpaquePointer
    public let sql: String
    private unowned let database: Database

    init(database: Database, sql: String) throws(StoreError) {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw database.error(rc, sql: sql) }
        handle = stmt
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (1-based, like SQLite)

    public func bind(_ index: Int32, _ value: Int64) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }
    public func bind(_ index: Int32, _ value: Int) throws(StoreError) { try bind(index, Int64(value)) }
    public func bind(_ index: Int32, _ value: Double) throws(StoreError) {
        try check(sqlite3_bind_double(handle, index, value))
    }
    public func bind(_ index: Int32, _ value: Bool) throws(StoreError) { try bind(index, Int64(value ? 1 : 0)) }
    public func bind(_ index: Int32, _ value: String) throws(StoreError) {
        var text = value
        let rc = text.withUTF8 { buffer -> Int32 in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                // "" stays "", not NULL: SQLite binds NULL for a null pointer. nil destructor = SQLITE_STATIC.
                return sqlite3_bind_text(handle, index, "", 0, nil)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                boton_sqlite3_bind_text_transient(handle, index, $0, Int32(buffer.count))
            }
        }
        try check(rc)
    }
    public func bind(_ index: Int32, bytes: UnsafeRawBufferPointer) throws(StoreError) {
        // SQLite binds NULL for a null pointer; an empty blob must stay an empty blob.
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return try check(sqlite3_bind_zeroblob(handle, index, 0))
        }
        try check(boton_sqlite3_bind_blob_transient(handle, index, base, Int32(bytes.count)))
    }
    public func bind(_ index: Int32, _ value: [UInt8]) throws(StoreError) {
        let rc = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return boton_sqlite3_bind_blob_transient(handle, index, base, Int32(bytes.count))
        }
        try check(rc)
    }
    public func bindNull(_ index: Int32) throws(StoreError) { try check(sqlite3_bind_null(handle, index)) }

    public func bind(_ index: Int32, _ value: SQLValue) throws(StoreError) {
        switch value {
        case .null: try bindNull(index)
        case .integer(let v): try bind(index, v)
        case .real(let v): try bind(index, v)
        case .text(let v): try bind(index, v)
        case .blob(let v): try bind(index, v)
        }
    }

    /// Binds `values` to parameters 1, 2, … in order.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        for (i, v) in values.enumerated() { try bind(Int32(i + 1), v) }
    }

    // MARK: Stepping

    /// Advances to the next row; false when done.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds, runs to completion, and resets.
    public func run(_ values: [SQLValue] = []) throws(StoreError) {
        reset()
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Binds, then maps every row.
    public func rows<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        reset()
        try bind(values)
        var out: [T] = []
        while try step() { out.append(try map(self)) }
        sqlite3_reset(handle)
        return out
    }

    /// Binds, then hands every row to `body` as SQLite steps to it (nothing is held beyond the row).
    public func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws(StoreError) -> Void) throws(StoreError) {
        reset()
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try body(self) }
    }

    /// Binds, then maps the first row if there is one.
    public func first<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> T? {
        reset()
        try bind(values)
        defer { sqlite3_reset(handle) }
        return try step() ? try map(self) : nil
    }

    // MARK: Columns (0-based, like SQLite)

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func bool(_ column: Int32) -> Bool { sqlite3_column_int64(handle, column) != 0 }
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    private func check(_ rc: Int32) throws(StoreError) {
        if rc != SQLITE_OK { throw database.error(rc, sql: sql) }
    }
}
