public import BotonRepository
import CPostgres
import Glibc

/// PostgreSQL's type OIDs for the parameters we send (`pg_type.oid`, fixed since forever).
enum PostgresType {
    static let unknown: UInt32 = 0, bool: UInt32 = 16, bytea: UInt32 = 17, int8: UInt32 = 20, text: UInt32 = 25,
        float8: UInt32 = 701
}

extension SQLValue {
    /// The type a parameter is declared with: NULL leaves it to the server to infer from the statement.
    var postgresType: UInt32 {
        switch self {
        case .null: return PostgresType.unknown
        case .integer: return PostgresType.int8
        case .real: return PostgresType.float8
        case .text: return PostgresType.text
        case .blob: return PostgresType.bytea
        }
    }
}

/// A statement of a ``PostgresDatabase``, written with `?N` parameters. It is prepared on the server
/// (`PQprepare`) at its first run, once per combination of parameter types (a NULL leaves a parameter's type to
/// the server, so `?1` once NULL and once an integer are two server-side statements), and then only executed
/// (`PQexecPrepared`): text parameters, binary `bytea`, text results. Inside a transaction, ``send(_:)`` queues
/// it in pipeline mode (`PQsendQueryPrepared`) instead; the next statement that needs an answer, or the COMMIT,
/// goes with it and reads its result (``PostgresDatabase/syncPipeline(keepingLast:)``).
public final class PostgresStatement: SQLStatement {
    public let sql: String
    /// `sql` with `$N` parameters.
    let translated: String
    private unowned let database: PostgresDatabase
    /// Server-side statement names by parameter types.
    private var names: [[UInt32]: String] = [:]

    init(database: PostgresDatabase, sql: String, translated: String) {
        self.database = database
        self.sql = sql
        self.translated = translated
    }

    public func run(_ values: [SQLValue]) throws(StoreError) {
        PQclear(try execute(values))
    }

    public func rows<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError)
        -> [T]
    {
        let result = try execute(values)
        defer { PQclear(result) }
        let count = PQntuples(result)
        var out: [T] = []
        out.reserveCapacity(Int(count))
        for row in 0..<count { out.append(try map(PostgresRow(result: result, row: row))) }
        return out
    }

    public func first<T>(_ values: [SQLValue], _ map: (any SQLRow) throws(StoreError) -> T) throws(StoreError)
        -> T?
    {
        let result = try execute(values)
        defer { PQclear(result) }
        return PQntuples(result) > 0 ? try map(PostgresRow(result: result, row: 0)) : nil
    }

    public func send(_ values: [SQLValue]) throws(StoreError) {
        // Outside a transaction nothing would ever collect the outcome: run it.
        guard !database.isAutocommit else { return try run(values) }
        let name = try preparedName(values.map(\.postgresType))
        try database.pipeline(sql: sql) { connection in
            Self.withParameters(values) { count, p, l, f in
                PQsendQueryPrepared(connection, name, count, p, l, f, 0)
            }
        }
    }

    /// Prepares (once for these parameter types) and runs with `values`; the caller clears the result. Statements
    /// sent before it (``send(_:)``) go in the same round trip, and the first of their errors is thrown here.
    func execute(_ values: [SQLValue]) throws(StoreError) -> OpaquePointer {
        let name = try preparedName(values.map(\.postgresType))
        if database.isPipelining {
            try database.pipeline(sql: sql) { connection in
                Self.withParameters(values) { count, p, l, f in
                    PQsendQueryPrepared(connection, name, count, p, l, f, 0)
                }
            }
            guard let result = try database.syncPipeline(keepingLast: true) else {
                throw database.failure(nil, sql: sql)
            }
            return result
        }
        let result = Self.withParameters(values) { count, p, l, f in
            PQexecPrepared(database.connection, name, count, p, l, f, 0)
        }
        guard let result else { throw database.failure(nil, sql: sql) }
        do {
            try database.check(result, sql: sql)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    /// `values` as libpq's parameter arrays: text for numbers and strings, binary for `bytea`, NULL as a null
    /// pointer.
    static func withParameters<R>(
        _ values: [SQLValue],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        buffers.reserveCapacity(values.count)
        defer { buffers.forEach { free($0) } }
        for value in values {
            switch value {
            case .null:
                buffers.append(nil); lengths.append(0); formats.append(0)
            case .integer(let v):
                buffers.append(strdup(String(v))); lengths.append(0); formats.append(0)
            case .real(let v):
                buffers.append(strdup(Self.text(v))); lengths.append(0); formats.append(0)
            case .text(let v):
                buffers.append(strdup(v)); lengths.append(0); formats.append(0)
            case .blob(let bytes):
                // Binary format: the bytes as they are. Never a null pointer, which would mean NULL.
                let buffer = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: CChar.self)
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(buffer, base, bytes.count) }
                }
                buffers.append(buffer); lengths.append(Int32(bytes.count)); formats.append(1)
            }
        }
        let pointers: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { p in
            lengths.withUnsafeBufferPointer { l in
                formats.withUnsafeBufferPointer { f in
                    body(Int32(values.count), p.baseAddress, l.baseAddress, f.baseAddress)
                }
            }
        }
    }

    private func preparedName(_ types: [UInt32]) throws(StoreError) -> String {
        if let name = names[types] { return name }
        // Prepared on its own, outside any pipeline (once per connection): a name is recorded only once the
        // server has it, never for a PREPARE that a failed pipeline skipped.
        if database.isPipelining { PQclear(try database.syncPipeline(keepingLast: false)) }
        let name = database.nextStatementName()
        let result = types.withUnsafeBufferPointer {
            PQprepare(database.connection, name, translated, Int32(types.count), $0.baseAddress)
        }
        defer { PQclear(result) }
        try database.check(result, sql: sql)
        // A server-side prepared statement is not transactional: it outlives a rollback of its transaction.
        names[types] = name
        return name
    }

    /// A double as PostgreSQL's `float8in` reads it, exactly (Swift prints the shortest text that round-trips).
    static func text(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }
}

/// The row a PostgreSQL result sits on. Every value arrives as text: integers and doubles are parsed, booleans
/// are `t`/`f` or integers, `bytea` is `\x` and hex digits.
public struct PostgresRow: SQLRow {
    let result: OpaquePointer
    let row: Int32

    public func isNull(_ column: Int32) -> Bool { PQgetisnull(result, row, column) != 0 }

    private func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let value = PQgetvalue(result, row, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeRawPointer(value).withMemoryRebound(to: UInt8.self, capacity: 1) {
            UnsafeBufferPointer(start: $0, count: Int(PQgetlength(result, row, column)))
        }
    }

    public func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }

    public func int64(_ column: Int32) -> Int64 {
        let text = text(column)
        if let value = Int64(text) { return value }
        if text == "t" { return 1 }
        if text == "f" { return 0 }
        // numeric (a SUM of bigints), a double: towards zero, as SQLite reads a real as an integer.
        if let value = Double(text), let integer = Int64(exactly: value.rounded(.towardZero)) { return integer }
        return 0
    }

    public func double(_ column: Int32) -> Double { Double(text(column)) ?? 0 }

    public func bool(_ column: Int32) -> Bool {
        switch text(column) {
        case "t", "true": return true
        case "f", "false", "": return false
        default: return int64(column) != 0
        }
    }

    public func blob(_ column: Int32) -> [UInt8] {
        let raw = bytes(column)
        guard PQftype(result, column) == PostgresType.bytea else { return Array(raw) }
        return Self.decodeHex(raw) ?? Array(raw)
    }

    /// `\x0a1B…` → bytes (PostgreSQL's `bytea_output = hex`, the default); nil if it is not that.
    static func decodeHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0
        else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((text.count - 2) / 2)
        var i = 2
        while i < text.count {
            guard let high = nibble(text[i]), let low = nibble(text[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
