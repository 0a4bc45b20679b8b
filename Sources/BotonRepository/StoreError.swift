/// A failure of the store, with what a person needs to act on it: the engine's result code and its name (SQLite's
/// result code, PostgreSQL's SQLSTATE), the engine's own message, and the SQL that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// SQLite returned an error. `code` is the primary result code, `extendedCode` the extended one.
        case sqlite(code: Int32, extendedCode: Int32)
        /// PostgreSQL (libpq) reported an error. `sqlState` is the five-character SQLSTATE of the server's error
        /// (https://www.postgresql.org/docs/current/errcodes-appendix.html), or one of libpq's own when no server
        /// answered: `08001` when no connection could be made, `08006` when the connection was lost.
        case postgres(sqlState: String)
        /// The database was written by a newer `boton` than this one.
        case newerSchema(found: Int, supported: Int)
        /// The database has not been migrated to this binary's schema yet.
        case olderSchema(found: Int, required: Int)
        /// A migration failed; the database was left as it was before the migration started.
        case migrationFailed(version: Int, name: String)
        /// Stored data does not decode into a domain value.
        case invalidData
        /// A row that must exist does not.
        case notFound
    }

    public let kind: Kind
    public let message: String
    public let sql: String?
    /// The engine's own name for the result code (SQLite's `sqlite3_errstr`), when the store supplied it.
    public let codeName: String?

    public init(kind: Kind, message: String, sql: String? = nil, codeName: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.codeName = codeName
    }

    /// SQLite's primary result codes that the service reasons about (stable across SQLite versions; see
    /// https://sqlite.org/rescode.html). Named here so that this module needs no SQLite header.
    enum SQLiteCode {
        static let readOnly: Int32 = 8, ioError: Int32 = 10, corrupt: Int32 = 11, full: Int32 = 13,
            cantOpen: Int32 = 14, constraint: Int32 = 19, notADatabase: Int32 = 26
    }

    /// True when the failure is a UNIQUE / PRIMARY KEY / CHECK / FOREIGN KEY / NOT NULL violation (PostgreSQL:
    /// SQLSTATE class 23, "integrity constraint violation").
    public var isConstraintViolation: Bool {
        switch kind {
        case .sqlite(let code, _): return code == SQLiteCode.constraint
        case .postgres(let state): return state.hasPrefix("23")
        default: return false
        }
    }

    /// True when the storage, not the request, is at fault. SQLite: the disk (full, I/O error, read-only, corrupt).
    /// PostgreSQL: the connection or the server (class 08 connection exception, 53 insufficient resources, 58
    /// system error, XX internal error, 57P01–57P05 shutdown and disconnection, 57014 query cancelled, 25006
    /// read-only transaction: a standby answered where the primary was expected).
    public var isStorageFault: Bool {
        switch kind {
        case .sqlite(let code, _):
            return [SQLiteCode.ioError, SQLiteCode.full, SQLiteCode.readOnly, SQLiteCode.corrupt, SQLiteCode.cantOpen,
                    SQLiteCode.notADatabase]
                .contains(code)
        case .postgres(let state):
            return ["08", "53", "58", "XX"].contains(String(state.prefix(2)))
                || ["57P01", "57P02", "57P03", "57P04", "57P05", "57014", "25006"].contains(state)
        default:
            return false
        }
    }

    public var description: String {
        var text: String
        switch kind {
        case .sqlite(let code, let extended):
            text = "SQLite error \(extended) (primary \(code)\(codeName.map { ", " + $0 } ?? "")): \(message)"
        case .postgres(let state):
            text = "PostgreSQL error \(state)\(codeName.map { " (" + $0 + ")" } ?? ""): \(message)"
        case .newerSchema(let found, let supported):
            text = "the database schema is version \(found) but this boton supports up to \(supported): "
                + "it was written by a newer boton; run that version or restore a backup (\(message))"
        case .olderSchema(let found, let required):
            text = "the database \(message) is at schema version \(found), this boton needs \(required): "
                + "run 'boton db migrate'"
        case .migrationFailed(let version, let name):
            text = "migration \(version) (\(name)) failed and was rolled back; the database is unchanged: \(message)"
        case .invalidData:
            text = "stored data is invalid: \(message)"
        case .notFound:
            text = "not found: \(message)"
        }
        if let sql { text += " — SQL: \(sql.split(whereSeparator: \.isNewline).joined(separator: " "))" }
        return text
    }
}
