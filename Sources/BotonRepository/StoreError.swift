/// A failure of the store, with what a person needs to act on it: the SQLite result code and its name, SQLite's
/// own message, and the SQL that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// SQLite returned an error. `code` is the primary result code, `extendedCode` the extended one.
        case sqlite(code: Int32, extendedCode: Int32)
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

    /// True when the failure is a UNIQUE / PRIMARY KEY / CHECK / FOREIGN KEY violation.
    public var isConstraintViolation: Bool {
        if case .sqlite(let code, _) = kind { return code == SQLiteCode.constraint }
        return false
    }

    /// True when the disk, not the request, is at fault (full, I/O error, read-only, corrupt).
    public var isStorageFault: Bool {
        guard case .sqlite(let code, _) = kind else { return false }
        return [SQLiteCode.ioError, SQLiteCode.full, SQLiteCode.readOnly, SQLiteCode.corrupt, SQLiteCode.cantOpen,
                SQLiteCode.notADatabase]
            .contains(code)
    }

    public var description: String {
        var text: String
        switch kind {
        case .sqlite(let code, let extended):
            text = "SQLite error \(extended) (primary \(code)\(codeName.map { ", " + $0 } ?? "")): \(message)"
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
