public import BotonRepository
import CPostgres
import Glibc

/// One PostgreSQL connection (libpq): the only owner of its `PGconn*`, closed in `deinit`.
///
/// Like SQLite's ``Database`` it is confined to one owner at a time and never locked. Statements are written with
/// SQLite's numbered parameters `?1`, `?2`, … and translated to PostgreSQL's `$1`, `$2`, …; each is prepared on
/// the server once per connection (`PQprepare`, a named statement) and cached by its SQL text and parameter types.
/// Parameters go as text with an explicit type per ``SQLValue`` (`int8`, `float8`, `text`; `bytea` in binary;
/// NULL leaves the type to the server); rows come back as text and are decoded by ``PostgresRow``.
///
/// Errors are ``StoreError``s of kind ``StoreError/Kind/postgres(sqlState:)`` naming the SQLSTATE and the server's
/// primary message (never its DETAIL, which quotes row values: personal data stays out of the logs). A lost
/// connection is a storage fault (class 08) and marks the connection broken (``isBroken``): a pool drops it.
/// The password of the connection string never appears in ``location`` nor in any message.
///
/// One difference from SQLite that callers must know: after a failed statement PostgreSQL aborts the whole
/// transaction. A body that expects a statement to fail (a constraint it reacts to) runs it in ``inSavepoint(_:)``.
///
/// Writes sent inside a transaction (``PostgresStatement/send(_:)``) wait in libpq's pipeline mode until a
/// statement needs an answer, a savepoint or plain SQL runs, or the transaction ends: one round trip then carries
/// them all, and the first one's error is thrown there. Results are matched to statements in order; a pipeline
/// libpq cannot close marks the connection broken rather than let a later answer be read as another's.
public final class PostgresDatabase: SQLDatabase {
    let connection: OpaquePointer
    /// The connection string without its password, as `key=value` pairs.
    public let location: String
    /// Texts that must never be shown (the password), replaced by `***` in every message.
    private let secrets: [String]
    private var cache: [String: PostgresStatement] = [:]
    private var statementCount = 0
    public private(set) var changes: Int = 0
    /// The transaction in progress appended events: its COMMIT carries `NOTIFY boton_feed` (one round trip).
    private var notifyAtCommit = false
    /// Statements sent in pipeline mode whose results are not read yet (their SQL, for errors), in order.
    private var pipelined: [String] = []
    /// Set when results and statements no longer match (a pipeline that libpq would not close): the connection
    /// is then treated as broken and never reused.
    private var desynchronized = false
    /// At most this many statements wait in a pipeline: beyond, it is synchronised (the server's answers to a
    /// long pipeline would otherwise fill the socket while we are still writing to it).
    static let pipelineLimit = 64

    /// The channel on which committed events are announced to every node's console feed (``PostgresNotifications``).
    public static let feedChannel = "boton_feed"

    /// Connects with a libpq connection string: a URI (`postgresql://user@host:5432/boton?…`) or `key=value`
    /// pairs; several hosts with `target_session_attrs=read-write` find the primary. Unless the string says
    /// otherwise, connecting gives up after `connectTimeoutSeconds` per host (libpq's default is to wait forever).
    /// `defaults` are further libpq keywords (`keepalives_idle`, `tcp_user_timeout`, …) that the string may override.
    public init(connectionString: String, connectTimeoutSeconds: Int = 10,
                defaults: KeyValuePairs<String, String> = [:]) throws(StoreError) {
        let parsed = Self.describe(connectionString)
        location = parsed.location
        secrets = parsed.secrets
        if let malformed = parsed.error {
            throw StoreError(kind: .postgres(sqlState: "08001"),
                             message: "the PostgreSQL connection string is malformed: "
                                + Self.redact(malformed, parsed.secrets),
                             codeName: SQLState.name("08001"))
        }
        // Keywords are applied in order: the string (expanded from `dbname`) overrides the default timeout.
        let keywords = ["connect_timeout"] + defaults.map(\.key) + ["dbname"]
        let values = [String(connectTimeoutSeconds)] + defaults.map(\.value) + [connectionString]
        let conn = withCStrings(keywords) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let conn else {
            throw StoreError(kind: .postgres(sqlState: "08001"), message: "cannot connect to \(location): out of memory",
                             codeName: SQLState.name("08001"))
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.redact(Self.trimmed(String(cString: PQerrorMessage(conn))), parsed.secrets)
            PQfinish(conn)
            throw StoreError(kind: .postgres(sqlState: "08001"), message: "cannot connect to \(location): \(message)",
                             codeName: SQLState.name("08001"))
        }
        connection = conn
        // Notices (`… does not exist, skipping`) would go to standard error: the service logs its own lines.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        if PQsetClientEncoding(conn, "UTF8") != 0 {
            throw failure(nil, sql: "SET client_encoding = 'UTF8'")
        }
    }

    deinit {
        cache.removeAll()
        PQfinish(connection)
    }

    /// True once the connection to the server is lost: nothing more can run on it, and a pool must drop it.
    public var isBroken: Bool { desynchronized || PQstatus(connection) != CONNECTION_OK }

    /// True when this session can only read: the server is a standby (in recovery) or has
    /// `default_transaction_read_only` on. Every write would fail with SQLSTATE 25006.
    public var isReadOnly: Bool {
        get throws(StoreError) {
            try statement("SELECT current_setting('transaction_read_only')").first([]) { $0.text(0) } == "on"
        }
    }

    /// True outside a transaction (and on a working connection).
    public var isAutocommit: Bool { pipelined.isEmpty && PQtransactionStatus(connection) == PQTRANS_IDLE }

    public var dialect: SQLDialect { .postgresql }

    public func willAppendEvents() {
        if !isAutocommit { notifyAtCommit = true }
    }

    /// True inside a transaction that a failed statement has aborted: only a rollback is accepted now.
    var isInFailedTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_INERROR }

    /// Runs one or more statements that return no rows (`PQexec`: several statements separated by `;` run in
    /// one implicit transaction unless they hold their own `BEGIN`/`COMMIT`).
    public func execute(_ sql: String) throws(StoreError) {
        if isPipelining { PQclear(try syncPipeline(keepingLast: false)) }
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    public func prepared(_ sql: String) throws(StoreError) -> any SQLStatement {
        try statement(sql)
    }

    /// The cached statement for `sql`. It is prepared on the server at its first run (per parameter types).
    public func statement(_ sql: String) throws(StoreError) -> PostgresStatement {
        if let cached = cache[sql] { return cached }
        let statement = PostgresStatement(database: self, sql: sql, translated: Self.translatePlaceholders(sql))
        cache[sql] = statement
        return statement
    }

    /// A new name for a server-side prepared statement of this connection.
    func nextStatementName() -> String {
        statementCount += 1
        return "boton_\(statementCount)"
    }

    // MARK: Transactions

    public func inTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try begin()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    public func inTransaction<T>(rethrowing body: () throws -> T) throws -> T {
        try begin()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// BEGIN, then the cluster-wide write lock (`pg_advisory_xact_lock`, held until COMMIT or ROLLBACK) before any
    /// row is touched: PostgreSQL's transactions then run one after another as SQLite's `BEGIN IMMEDIATE` ones do.
    /// Taken first, in every transaction, it can never be part of a deadlock: a transaction that locked rows first
    /// and asked for it when appending an event (``SQLDatabase/orderEventAppends()``) deadlocked with the ingestion
    /// writer, which holds it and marks those rows *notificada* (seen as a 503 on closing an alert). It also gives
    /// event ids the order the console feed reads them in.
    ///
    /// Both are pipelined: they travel with the transaction's first statement that needs an answer, so a
    /// transaction costs no round trip of its own before its work.
    private func begin() throws(StoreError) {
        notifyAtCommit = false
        if isPipelining { PQclear(try syncPipeline(keepingLast: false)) }
        try pipeline(sql: "BEGIN") { PQsendQueryParams($0, "BEGIN", 0, nil, nil, nil, nil, 0) }
        do {
            try statement("SELECT pg_advisory_xact_lock(\(eventOrderLockKey))").send([])
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// COMMIT, refusing to report success for a transaction that PostgreSQL aborted: COMMIT of an aborted
    /// transaction answers `ROLLBACK` without an error, which would otherwise look like a commit.
    private func commit() throws(StoreError) {
        if isPipelining {
            // The transaction's last writes, the NOTIFY and the COMMIT in one round trip. A write that failed
            // aborts the rest of the pipeline (COMMIT included) and its error is thrown: the caller rolls back.
            if notifyAtCommit {
                try pipeline(sql: "NOTIFY \(Self.feedChannel)") {
                    PQsendQueryParams($0, "NOTIFY \(Self.feedChannel)", 0, nil, nil, nil, nil, 0)
                }
            }
            notifyAtCommit = false
            try pipeline(sql: "COMMIT") { PQsendQueryParams($0, "COMMIT", 0, nil, nil, nil, nil, 0) }
            guard let result = try syncPipeline(keepingLast: true) else { throw failure(nil, sql: "COMMIT") }
            defer { PQclear(result) }
            if let tag = PQcmdStatus(result), String(cString: tag) == "ROLLBACK" {
                throw StoreError(kind: .postgres(sqlState: "40000"), message: "the server rolled the transaction back",
                                 sql: "COMMIT", codeName: SQLState.name("40000"))
            }
            return
        }
        if isInFailedTransaction {
            throw StoreError(kind: .postgres(sqlState: "25P02"),
                             message: "a statement of the transaction failed and its error was not rethrown; "
                                + "the transaction was rolled back", sql: "COMMIT", codeName: SQLState.name("25P02"))
        }
        // NOTIFY in the same round trip as COMMIT: PostgreSQL delivers it when (and only if) the transaction
        // commits, after its rows are visible, so a woken feed finds them.
        let sql = notifyAtCommit ? "NOTIFY \(Self.feedChannel); COMMIT" : "COMMIT"
        notifyAtCommit = false
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
        if let tag = PQcmdStatus(result), String(cString: tag) == "ROLLBACK" {
            throw StoreError(kind: .postgres(sqlState: "40000"), message: "the server rolled the transaction back",
                             sql: "COMMIT", codeName: SQLState.name("40000"))
        }
    }

    private func rollbackIfOpen() {
        notifyAtCommit = false
        if isPipelining { PQclear(try? syncPipeline(keepingLast: false)) }
        if !isBroken, PQtransactionStatus(connection) != PQTRANS_IDLE { try? execute("ROLLBACK") }
    }

    /// Runs `body` inside a savepoint: when it throws, only its own writes are undone and the enclosing
    /// transaction goes on. Outside a transaction it is one (as SQLite's `SAVEPOINT` then is).
    public func inSavepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        if isAutocommit { return try inTransaction(body) }
        try execute("SAVEPOINT boton_savepoint")
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT boton_savepoint")
            return result
        } catch {
            if !isBroken {
                try? execute("ROLLBACK TO SAVEPOINT boton_savepoint")
                try? execute("RELEASE SAVEPOINT boton_savepoint")
            }
            throw error
        }
    }

    // MARK: Pipeline

    /// True while statements sent in pipeline mode wait for their results.
    var isPipelining: Bool { !pipelined.isEmpty }

    /// Sends one statement in pipeline mode (entered with the first); `send` is the libpq call (`PQsendQuery…`).
    /// Its result is read by ``syncPipeline(keepingLast:)``.
    func pipeline(sql: String, _ send: (OpaquePointer) -> Int32) throws(StoreError) {
        if pipelined.count >= Self.pipelineLimit { PQclear(try syncPipeline(keepingLast: false)) }
        if pipelined.isEmpty, PQpipelineStatus(connection) == PQ_PIPELINE_OFF {
            guard PQenterPipelineMode(connection) == 1 else { throw failure(nil, sql: sql) }
        }
        guard send(connection) == 1 else {
            let error = failure(nil, sql: sql)
            abandonPipeline()
            throw error
        }
        pipelined.append(sql)
    }

    /// Ends the pipeline: a sync point, then every statement's result in order. Throws the first statement's
    /// error (the ones after it were skipped by the server); otherwise returns the last statement's result when
    /// `keepingLast` (the caller clears it), nil else. Leaves pipeline mode.
    func syncPipeline(keepingLast: Bool) throws(StoreError) -> OpaquePointer? {
        let statements = pipelined
        pipelined.removeAll(keepingCapacity: true)
        guard !statements.isEmpty else { return nil }
        guard PQpipelineSync(connection) == 1 else {
            let error = failure(nil, sql: statements.last)
            abandonPipeline()
            throw error
        }
        var firstError: StoreError?
        var last: OpaquePointer?
        for (index, sql) in statements.enumerated() {
            guard let result = PQgetResult(connection) else {
                // No result where one is owed: the connection is gone (or libpq lost count).
                let error = firstError ?? failure(nil, sql: sql)
                abandonPipeline()
                throw error
            }
            if PQresultStatus(result) != PGRES_PIPELINE_ABORTED, firstError == nil {
                do { try check(result, sql: sql) } catch { firstError = error }
            }
            if keepingLast, index == statements.count - 1, firstError == nil {
                last = result
            } else {
                PQclear(result)
            }
            // Each statement's results end with a null.
            while let extra = PQgetResult(connection) { PQclear(extra) }
        }
        let sync = PQgetResult(connection)
        let synced = sync.map { PQresultStatus($0) == PGRES_PIPELINE_SYNC } ?? false
        PQclear(sync)
        if !synced || PQexitPipelineMode(connection) != 1 {
            PQclear(last)
            let error = firstError ?? failure(nil, sql: statements.last)
            abandonPipeline()
            throw error
        }
        if let firstError {
            PQclear(last)
            throw firstError
        }
        return last
    }

    /// A pipeline whose results cannot be matched to its statements any more: the connection is not used again.
    private func abandonPipeline() {
        pipelined.removeAll()
        desynchronized = true
    }

    // MARK: Results and errors

    /// Throws unless `result` is a success; records the rows an INSERT, UPDATE, DELETE or MERGE changed
    /// (`PQcmdTuples`). Other commands leave ``changes`` as it was, as SQLite's `sqlite3_changes` does (libpq also
    /// counts a SELECT's rows there).
    func check(_ result: OpaquePointer?, sql: String?) throws(StoreError) {
        guard let result else { throw failure(nil, sql: sql) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            if let tag = PQcmdStatus(result).map({ String(cString: $0) }),
               ["INSERT", "UPDATE", "DELETE", "MERGE"].contains(where: { tag.hasPrefix($0 + " ") }) {
                changes = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
            }
        default:
            throw failure(result, sql: sql)
        }
    }

    /// The error of a failed `result` (nil: libpq had none, the connection is gone or memory ran out).
    func failure(_ result: OpaquePointer?, sql: String?) -> StoreError {
        var state = result.flatMap { PQresultErrorField($0, boton_PG_DIAG_SQLSTATE()) }.map { String(cString: $0) }
        var message = result.flatMap { PQresultErrorField($0, boton_PG_DIAG_MESSAGE_PRIMARY()) }
            .map { String(cString: $0) }
        if message == nil || message!.isEmpty {
            message = Self.trimmed(String(cString: PQerrorMessage(connection)))
        }
        if isBroken {
            // libpq's own report of a lost connection has no SQLSTATE; the server's (57P01 …) is kept.
            if state == nil || state!.isEmpty { state = "08006" }
            message = "the connection to \(location) is lost: \(message ?? "")"
        }
        let code = (state?.isEmpty == false ? state! : "XX000")
        return StoreError(kind: .postgres(sqlState: code), message: Self.redact(message ?? "", secrets), sql: sql,
                          codeName: SQLState.name(code))
    }

    static func trimmed(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { line in line.drop(while: { $0 == " " || $0 == "\t" }) }
            .map { line in String(line.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    // MARK: Connection strings

    /// The connection string parsed by libpq (`PQconninfoParse`, which lists only what the string sets): its
    /// settings without the password as `key=value` pairs, the password, or libpq's complaint.
    static func describe(_ connectionString: String) -> (location: String, secrets: [String], error: String?) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(errorMessage)
            return ("(a malformed connection string)", guessedPasswords(connectionString), trimmed(message))
        }
        defer { PQconninfoFree(options) }
        var pairs: [String] = []
        var secrets: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let key = String(cString: keyword)
                let text = String(cString: value)
                if key == "password" {
                    if !text.isEmpty { secrets.append(text) }
                } else {
                    pairs.append("\(key)=\(quoted(text))")
                }
            }
            option += 1
        }
        return (pairs.joined(separator: " "), secrets, nil)
    }

    /// A value as libpq's `key=value` syntax needs it: single-quoted when empty or holding spaces or quotes.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// What might be a password in a string libpq cannot parse: the value after `password=`, the part of a URI's
    /// user information after the colon. Only used to keep it out of the error message.
    static func guessedPasswords(_ text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "password") {
            var after = rest[range.upperBound...].drop(while: { $0 == " " })
            if after.first == "=" {
                after = after.dropFirst().drop(while: { $0 == " " })
                let value = after.prefix(while: { $0 != " " && $0 != "&" })
                let unquoted = String(value.drop(while: { $0 == "'" }).reversed().drop(while: { $0 == "'" }).reversed())
                if !unquoted.isEmpty { found.append(unquoted) }
                if !value.isEmpty { found.append(String(value)) }
            }
            rest = rest[range.upperBound...]
        }
        if let scheme = text.range(of: "://") {
            let authority = text[scheme.upperBound...].prefix(while: { $0 != "/" && $0 != "?" })
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let password = authority[authority.index(after: colon)..<at]
                if !password.isEmpty { found.append(String(password)) }
            }
        }
        return found.sorted { $0.count > $1.count }
    }

    static func redact(_ message: String, _ secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(message) { $0.replacing($1, with: "***") }
    }

    // MARK: Placeholders

    /// `?N` → `$N`, and an anonymous `?` → the next number (as SQLite numbers it), outside string literals,
    /// quoted identifiers and comments. (The repository's SQL uses no `E'…'` escapes, dollar quotes or `?`
    /// operators.)
    static func translatePlaceholders(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        var highest = 0
        func next(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                // Through the closing quote; a doubled quote is two literals back to back, copied the same way.
                out.append(c)
                i += 1
                while i < bytes.count {
                    out.append(bytes[i])
                    i += 1
                    if bytes[i - 1] == c { break }
                }
            } else if c == UInt8(ascii: "-"), next(1) == UInt8(ascii: "-") {
                while i < bytes.count {
                    out.append(bytes[i])
                    i += 1
                    if bytes[i - 1] == UInt8(ascii: "\n") { break }
                }
            } else if c == UInt8(ascii: "/"), next(1) == UInt8(ascii: "*") {
                out.append(contentsOf: [c, bytes[i + 1]])
                i += 2
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "*"), next(1) == UInt8(ascii: "/") {
                        out.append(contentsOf: [bytes[i], bytes[i + 1]])
                        i += 2
                        break
                    }
                    out.append(bytes[i])
                    i += 1
                }
            } else if c == UInt8(ascii: "?") {
                i += 1
                var number = 0
                var digits = 0
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
                    number = number * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                    digits += 1
                    i += 1
                }
                if digits == 0 {
                    highest += 1
                    number = highest
                } else {
                    highest = max(highest, number)
                }
                out.append(contentsOf: Array("$\(number)".utf8))
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Runs `body` with `strings` as a NULL-terminated array of C strings (libpq's keyword and value arrays).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Names of the SQLSTATEs the service meets, for messages (PostgreSQL's appendix *Error Codes*).
enum SQLState {
    static func name(_ code: String) -> String? { names[code] }

    static let names: [String: String] = [
        "08000": "connection_exception", "08001": "sqlclient_unable_to_establish_sqlconnection",
        "08003": "connection_does_not_exist", "08004": "sqlserver_rejected_establishment_of_sqlconnection",
        "08006": "connection_failure", "08P01": "protocol_violation",
        "22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
        "22P02": "invalid_text_representation", "22021": "character_not_in_repertoire",
        "23000": "integrity_constraint_violation", "23502": "not_null_violation", "23503": "foreign_key_violation",
        "23505": "unique_violation", "23514": "check_violation", "23P01": "exclusion_violation",
        "25006": "read_only_sql_transaction", "25P02": "in_failed_sql_transaction",
        "28000": "invalid_authorization_specification", "28P01": "invalid_password",
        "3D000": "invalid_catalog_name", "40000": "transaction_rollback", "40001": "serialization_failure",
        "40P01": "deadlock_detected", "42601": "syntax_error", "42703": "undefined_column",
        "42804": "datatype_mismatch", "42883": "undefined_function", "42P01": "undefined_table",
        "42P07": "duplicate_table", "42P18": "indeterminate_datatype", "53100": "disk_full",
        "53200": "out_of_memory", "53300": "too_many_connections", "55P03": "lock_not_available",
        "57014": "query_canceled", "57P01": "admin_shutdown", "57P02": "crash_shutdown",
        "57P03": "cannot_connect_now", "58030": "io_error", "P0001": "raise_exception", "XX000": "internal_error",
        "XX001": "data_corrupted", "XX002": "index_corrupted",
    ]
}
