import BotonCore
import Foundation
import Synchronization
import Testing
@testable import BotonStore
import BotonRepository

/// The PostgreSQL connection against a real server (`BOTON_TEST_POSTGRES`), each test in its own database.
@Suite(.enabled(if: TestPostgres.isConfigured, TestPostgres.skipReason))
struct PostgresDatabaseTests {
    @Test func placeholdersBecomeDollarNumbersOutsideLiteralsAndComments() {
        #expect(PostgresDatabase.translatePlaceholders("SELECT ?1, ?12 FROM t WHERE a = ?2")
            == "SELECT $1, $12 FROM t WHERE a = $2")
        #expect(PostgresDatabase.translatePlaceholders("SELECT '?1', 'it''s ?2', \"we?ird\", ?3 -- ?4\n, ?5 /* ?6 */")
            == "SELECT '?1', 'it''s ?2', \"we?ird\", $3 -- ?4\n, $5 /* ?6 */")
        #expect(PostgresDatabase.translatePlaceholders("VALUES (?, ?, ?5, ?)") == "VALUES ($1, $2, $5, $6)")
    }

    @Test func everyValueRoundTrips() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (k BIGINT, i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA, n TEXT)")
        let insert = try db.statement("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        #expect(try db.statement("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)") === insert)
        try insert.run([.integer(1), .integer(-7), .real(1.5), .text("Cañaribamba ñ 'x' \\ \"y\""),
                        .blob([0, 1, 92, 120, 255]), .null])
        try insert.run([.integer(2), .integer(0), .real(0), .text(""), .blob([]), .null])
        try insert.run([.integer(3), .integer(.max), .real(0.1 + 0.2), .text("😀"), .blob(Array(0...255)), .null])
        try insert.run([.integer(4), .integer(.min), .real(-1e-300), .null, .null, .text("n")])
        let rows = try db.statement("SELECT i, r, s, b, n, b IS NULL FROM t ORDER BY k").rows { row in
            [row.int64(0) as Any, row.double(1), row.optionalText(2) as Any, row.blob(3), row.optionalText(4) as Any,
             row.isNull(3), row.bool(5)]
        }
        #expect(rows.count == 4)
        #expect(rows[0][0] as? Int64 == -7 && rows[0][1] as? Double == 1.5)
        #expect(rows[0][2] as? String == "Cañaribamba ñ 'x' \\ \"y\"" && rows[0][3] as? [UInt8] == [0, 1, 92, 120, 255])
        #expect((rows[0][4] as? String?) == .some(nil) && rows[0][5] as? Bool == false)
        #expect(rows[1][2] as? String == "" && rows[1][3] as? [UInt8] == [] && rows[1][5] as? Bool == false)
        #expect(rows[2][0] as? Int64 == .max && rows[2][1] as? Double == 0.1 + 0.2 && rows[2][2] as? String == "😀")
        #expect(rows[2][3] as? [UInt8] == Array(0...255))
        #expect(rows[3][0] as? Int64 == .min && rows[3][1] as? Double == -1e-300)
        #expect(rows[3][5] as? Bool == true && rows[3][6] as? Bool == true && rows[3][4] as? String == "n")
        // Special doubles, and a parameter NULL once and an integer once (two server-side statements).
        let echo = try db.statement("SELECT ?1::float8")
        #expect(try echo.first([.real(.infinity)]) { $0.double(0) } == .infinity)
        #expect(try echo.first([.real(-.infinity)]) { $0.double(0) } == -.infinity)
        #expect(try echo.first([.real(.nan)]) { $0.double(0) }?.isNaN == true)
        let find = try db.statement("SELECT count(*) FROM t WHERE n IS NOT DISTINCT FROM ?1")
        #expect(try find.first([.null]) { $0.int(0) } == 3)
        #expect(try find.first([.text("n")]) { $0.int(0) } == 1)
        // A SUM of bigints is numeric; read as an integer all the same.
        #expect(try db.statement("SELECT sum(k), avg(k) FROM t").first { [$0.int64(0), $0.int64(1)] } == [10, 2])
    }

    @Test func booleansFromBooleanExpressionsAndIntegers() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        let row = try db.statement("SELECT TRUE, FALSE, 1, 0, 5, NULL IS NULL, ?1 = 1").first([.integer(1)]) { row in
            (0..<7).map { row.bool(Int32($0)) }
        }
        #expect(row == [true, false, true, false, true, true, true])
    }

    @Test func changesCountsTheRowsOfTheLastStatement() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (x BIGINT NOT NULL)")
        try db.statement("INSERT INTO t SELECT generate_series(1, ?1)").run([.integer(5)])
        #expect(db.changes == 5)
        try db.statement("UPDATE t SET x = x + 10 WHERE x <= ?1").run([.integer(3)])
        #expect(db.changes == 3)
        // Neither a query nor a transaction's commands change it.
        try db.inTransaction { () throws(StoreError) in
            #expect(try db.statement("SELECT x FROM t").rows { $0.int(0) }.count == 5)
        }
        #expect(db.changes == 3)
        try db.statement("DELETE FROM t WHERE x > ?1").run([.integer(100)])
        #expect(db.changes == 0)
        let id = try db.statement("INSERT INTO t VALUES (?1) RETURNING x").first([.integer(42)]) { $0.int64(0) }
        #expect(id == 42 && db.changes == 1)
    }

    @Test func transactionsCommitOrRollBackWhole() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (x BIGINT NOT NULL)")
        try db.inTransaction { () throws(StoreError) in
            try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])
        }
        #expect(throws: StoreError.self) {
            try db.inTransaction { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(2)])
                try db.statement("INSERT INTO t VALUES (?1)").run([.null])  // NOT NULL fails
            }
        }
        #expect(db.isAutocommit)
        // A failed statement whose error the body swallowed: PostgreSQL aborted the transaction, and the commit
        // says so instead of pretending.
        #expect {
            try db.inTransaction { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(3)])
                try? db.statement("INSERT INTO t VALUES (?1)").run([.null])
            }
        } throws: { error in
            (error as? StoreError)?.kind == .postgres(sqlState: "25P02")
        }
        #expect(db.isAutocommit)
        // The rethrowing form hands back the body's own error, after the rollback.
        struct Refusal: Error {}
        #expect(throws: Refusal.self) {
            try db.inTransaction(rethrowing: {
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(4)])
                throw Refusal()
            })
        }
        // A deferred constraint fails at COMMIT: rolled back, reported, the connection usable.
        try db.execute("""
            CREATE TABLE p (id BIGINT PRIMARY KEY);
            CREATE TABLE c (p BIGINT REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)
            """)
        #expect {
            try db.inTransaction { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(5)])
                try db.statement("INSERT INTO c VALUES (?1)").run([.integer(99)])
            }
        } throws: { error in
            (error as? StoreError)?.isConstraintViolation == true && (error as? StoreError)?.sql == "COMMIT"
        }
        #expect(db.isAutocommit)
        #expect(try db.statement("SELECT x FROM t ORDER BY x").rows { $0.int(0) } == [1])
    }

    @Test func sentWritesTravelWithTheNextAnswerAndTheirErrorsAreThrownThere() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        let other = try scratch.connect()
        try db.execute("CREATE TABLE t (x BIGINT PRIMARY KEY)")
        let insert = try db.statement("INSERT INTO t VALUES (?1)")
        let count = try db.statement("SELECT count(*) FROM t")
        // Outside a transaction a sent write is run at once (nothing would collect its outcome later).
        try insert.send([.integer(1)])
        #expect(!db.isPipelining && db.isAutocommit)
        #expect(try other.statement("SELECT count(*) FROM t").first { $0.int(0) } == 1)
        // Inside one, writes wait and the next statement that needs an answer carries them: it sees them, in order.
        try db.inTransaction { () throws(StoreError) in
            for x in 2...5 { try insert.send([.integer(Int64(x))]) }
            #expect(db.isPipelining && !db.isAutocommit)
            #expect(try count.first { $0.int(0) } == 5)
            #expect(!db.isPipelining)
            // A statement first used inside a pipeline is prepared on its own first, then sent.
            try db.statement("INSERT INTO t SELECT ?1 + 100").send([.integer(6)])
            try insert.send([.integer(7)])
        }
        #expect(try other.statement("SELECT x FROM t ORDER BY x").rows { $0.int(0) } == [1, 2, 3, 4, 5, 7, 106])
        // A sent write that fails is not reported when sent but by the next answer; the transaction rolls back
        // whole and the connection goes on.
        #expect {
            try db.inTransaction { () throws(StoreError) in
                try insert.send([.integer(8)])
                try insert.send([.integer(2)])  // duplicate
                try insert.send([.integer(9)])
                _ = try count.first { $0.int(0) }
                Issue.record("the duplicate was not reported by the read after it")
            }
        } throws: { error in
            let e = error as? StoreError
            return e?.kind == .postgres(sqlState: "23505") && e?.sql == "INSERT INTO t VALUES (?1)"
        }
        #expect(db.isAutocommit && !db.isBroken)
        // … or by the COMMIT when nothing was read after it.
        #expect {
            try db.inTransaction { () throws(StoreError) in
                try insert.send([.integer(10)])
                try insert.send([.integer(3)])  // duplicate
            }
        } throws: { ($0 as? StoreError)?.kind == .postgres(sqlState: "23505") }
        #expect(db.isAutocommit && !db.isBroken)
        // A body that throws with writes still waiting: they are discarded with the transaction.
        struct Refusal: Error {}
        #expect(throws: Refusal.self) {
            try db.inTransaction(rethrowing: {
                try insert.send([.integer(11)])
                throw Refusal()
            })
        }
        #expect(db.isAutocommit && !db.isBroken)
        // Many writes in one transaction: the pipeline is synchronised on the way, none is lost.
        try db.inTransaction { () throws(StoreError) in
            for x in 1000..<1000 + 3 * PostgresDatabase.pipelineLimit { try insert.send([.integer(Int64(x))]) }
        }
        // A savepoint synchronises first: a failure inside it undoes only its own writes.
        try db.inTransaction { () throws(StoreError) in
            try insert.send([.integer(20)])
            #expect {
                try db.inSavepoint { () throws(StoreError) in
                    try insert.send([.integer(21)])
                    try insert.send([.integer(20)])  // duplicate, reported at RELEASE
                }
            } throws: { ($0 as? StoreError)?.isConstraintViolation == true }
            try insert.send([.integer(22)])
        }
        let rows = try other.statement("SELECT x FROM t WHERE x < 1000 ORDER BY x").rows { $0.int(0) }
        #expect(rows == [1, 2, 3, 4, 5, 7, 20, 22, 106])
        #expect(try other.statement("SELECT count(*) FROM t WHERE x >= 1000").first { $0.int(0) }
            == 3 * PostgresDatabase.pipelineLimit)
        #expect(!db.isBroken && db.isAutocommit)
    }

    @Test func savepointsRollBackOnTheirOwn() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (x BIGINT PRIMARY KEY)")
        try db.inTransaction { () throws(StoreError) in
            try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])
            #expect {
                try db.inSavepoint { () throws(StoreError) in
                    try db.statement("INSERT INTO t VALUES (?1)").run([.integer(2)])
                    try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])  // duplicate
                }
            } throws: { ($0 as? StoreError)?.isConstraintViolation == true }
            try db.inSavepoint { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(3)])
            }
        }
        #expect(try db.statement("SELECT x FROM t ORDER BY x").rows { $0.int(0) } == [1, 3])
        // Outside a transaction a savepoint is a transaction of its own.
        try db.inSavepoint { () throws(StoreError) in try db.statement("INSERT INTO t VALUES (?1)").run([.integer(4)]) }
        #expect(db.isAutocommit)
        #expect(try db.statement("SELECT count(*) FROM t").first { $0.int(0) } == 3)
    }

    @Test func errorsCarryTheSQLStateTheMessageAndTheSQL() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        try db.statement("INSERT INTO t (name) VALUES (?1)").run([.text("a")])
        #expect {
            try db.statement("INSERT INTO t (name) VALUES (?1)").run([.text("a")])
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isConstraintViolation && !e.isStorageFault && e.kind == .postgres(sqlState: "23505")
                && e.sql == "INSERT INTO t (name) VALUES (?1)"
                && e.description.contains("PostgreSQL error 23505 (unique_violation)")
                && e.description.contains("t_name_key")
                && !e.description.contains("(name)=(a)")  // no DETAIL: row values stay out of messages
        }
        #expect {
            _ = try db.statement("SELEC nonsense").run()
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.kind == .postgres(sqlState: "42601") && !e.isConstraintViolation && e.sql == "SELEC nonsense"
        }
        #expect {
            try db.execute("INSERT INTO t (name) VALUES (NULL)")
        } throws: { ($0 as? StoreError)?.kind == .postgres(sqlState: "23502") }
        // The connection goes on after errors outside a transaction.
        #expect(try db.statement("SELECT count(*) FROM t").first { $0.int(0) } == 1)
    }

    @Test func aReadOnlyTransactionIsAStorageFault() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (x BIGINT)")
        try db.execute("SET default_transaction_read_only = on")
        #expect {
            try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.kind == .postgres(sqlState: "25006") && e.isStorageFault
        }
    }

    @Test func badConnectionStringsUnreachableServersAndWrongPasswordsAreClearAndSecret() throws {
        let scratch = try PostgresScratch()
        // Malformed: libpq says what is wrong; the password stays out.
        #expect {
            _ = try PostgresDatabase(connectionString: "host=127.0.0.1 password=s3cr3t-pw bogus_option=1")
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isStorageFault && e.description.contains("malformed") && e.description.contains("bogus_option")
                && !e.description.contains("s3cr3t-pw")
        }
        #expect {
            _ = try PostgresDatabase(connectionString: "postgresql://boton:s3cr3t-pw@127.0.0.1:5432/db?nonsense=1")
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.description.contains("nonsense") && !e.description.contains("s3cr3t-pw")
        }
        // Unreachable: a loopback port nobody listens on.
        let port = try closedPort()
        #expect {
            _ = try PostgresDatabase(connectionString: "postgresql://boton:s3cr3t-pw@127.0.0.1:\(port)/db")
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isStorageFault && e.kind == .postgres(sqlState: "08001")
                && e.description.contains("cannot connect to") && e.description.contains("port=\(port)")
                && e.description.contains("user=boton") && !e.description.contains("s3cr3t-pw")
        }
        // Wrong password against the real server.
        let wrong = scratch.connectionString.replacingOccurrences(of: "password=\(scratch.password)",
                                                                  with: "password=wrong-s3cr3t")
        #expect(wrong != scratch.connectionString)
        #expect {
            _ = try PostgresDatabase(connectionString: wrong)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isStorageFault && e.description.contains("password authentication failed")
                && !e.description.contains("wrong-s3cr3t")
        }
        // A good connection's location names everything but the password.
        let db = try scratch.connect()
        #expect(db.location.contains("dbname=\(scratch.name)") && !db.location.contains(scratch.password))
        #expect(!db.location.contains("password"))
        let uri = PostgresDatabase.describe("postgresql://u:pw@h1:5432,h2:5433/b?target_session_attrs=read-write")
        #expect(uri.secrets == ["pw"] && uri.error == nil)
        #expect(uri.location.contains("host=h1,h2") && uri.location.contains("port=5432,5433")
            && uri.location.contains("target_session_attrs=read-write") && !uri.location.contains("pw"))
    }

    @Test func aLostConnectionIsAStorageFaultAndBroken() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        let pid = try #require(try db.statement("SELECT pg_backend_pid()").first { $0.int64(0) })
        let killer = try scratch.connect()
        try killer.statement("SELECT pg_terminate_backend(?1::integer)").run([.integer(pid)])
        #expect {
            try db.statement("SELECT 1").run()
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isStorageFault && e.description.contains("lost")
        }
        #expect(db.isBroken && !db.isAutocommit)
    }

    /// A TCP port on loopback that nobody listens on (bound, then closed).
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The migrator and the schema on a real server.
@Suite(.enabled(if: TestPostgres.isConfigured, TestPostgres.skipReason))
struct PostgresMigrationTests {
    @Test func aFreshDatabaseReachesTheLatestVersionInLockstepWithSQLite() throws {
        let scratch = try PostgresScratch()
        let store = try PostgresStore(connectionString: scratch.connectionString)
        #expect(try store.schemaVersion() == 0)
        #expect(throws: StoreError.self) { try store.requireCurrentSchema() }
        let report = try store.migrate()
        #expect(report.fromVersion == 0 && report.toVersion == Schema.latestVersion)
        #expect(report.applied == PostgresSchema.migrations.map { "\($0.version) \($0.name)" })
        #expect(store.latestSchemaVersion == Schema.latestVersion)
        #expect(try store.schemaVersion() == Schema.latestVersion)
        try store.requireCurrentSchema()
        #expect(try store.migrate().applied.isEmpty)
    }

    @Test func theSchemaHasSQLitesTablesColumnsAndIndexes() throws {
        let dir = TemporaryDirectory()
        let sqlite = try Database(path: dir.file("a.sqlite"))
        _ = try Migrator.migrate(sqlite)
        let scratch = try PostgresScratch()
        let pg = try scratch.connect()
        _ = try PostgresMigrator.migrate(pg)

        let sqliteTables = try sqlite.statement("""
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
            """).rows { $0.text(0) }
        let pgTables = try pg.statement("""
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name <> 'schema_version' ORDER BY table_name
            """).rows { $0.text(0) }
        #expect(pgTables == sqliteTables)
        for table in sqliteTables {
            // Names in order; NOT NULL wherever SQLite has it (or a primary key, which PostgreSQL makes NOT NULL).
            let sqliteColumns = try sqlite.statement("SELECT name, \"notnull\" OR pk > 0 FROM pragma_table_info(?1) ORDER BY cid")
                .rows([.text(table)]) { "\($0.text(0))\($0.bool(1) ? " NOT NULL" : "")" }
            let pgColumns = try pg.statement("""
                SELECT column_name, is_nullable = 'NO' FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position
                """).rows([.text(table)]) { "\($0.text(0))\($0.bool(1) ? " NOT NULL" : "")" }
            #expect(pgColumns == sqliteColumns, "columns of \(table)")
        }
        let sqliteIndexes = try sqlite.statement("""
            SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name
            """).rows { $0.text(0) }
        let pgIndexes = try pg.statement("""
            SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
            AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname
            """).rows { $0.text(0) }
        #expect(pgIndexes == sqliteIndexes)
        // The append-only tables refuse changes as a constraint violation, as SQLite's RAISE(ABORT) does.
        try pg.statement("INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4) RETURNING id")
            .run([.integer(1_000), .text("operador:1"), .text("ver_ciudadano"), .text("solicitud:7")])
        for sql in ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            #expect {
                try pg.execute(sql)
            } throws: { error in
                guard let e = error as? StoreError else { return false }
                return e.isConstraintViolation && e.message.contains("audit_log is append-only")
            }
        }
        // Flags are integers, compared with integers; ids come from the identity.
        try pg.execute("""
            INSERT INTO territory_unit (code, level, name) VALUES ('01', 'zona', 'Zona 1');
            INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593991234567', 'celular', 1);
            """)
        let id = try pg.statement("""
            INSERT INTO incident (line_e164, state, upc_code, location_source, opened_at)
            VALUES (?1, 'recibida', 'UPC-1', 'gps', ?2) RETURNING id
            """).first([.text("+593991234567"), .integer(5)]) { $0.int64(0) }
        #expect(id == 1)
        #expect(try pg.statement("SELECT count(*) FROM incident WHERE is_test = ?1 AND line_suspended = 0")
            .first([.integer(0)]) { $0.int(0) } == 1)
        #expect {
            try pg.statement("UPDATE incident SET state = ?1").run([.text("perdida")])
        } throws: { ($0 as? StoreError)?.kind == .postgres(sqlState: "23514") }
    }

    @Test func aFailedMigrationLeavesTheDatabaseAsItWas() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        let good = Migration(version: 1, name: "a", sql: "CREATE TABLE a (x BIGINT); INSERT INTO a VALUES (1)")
        let bad = Migration(version: 2, name: "b", sql: "CREATE TABLE b (x BIGINT); ALTER TABLE a ADD COLUMN y BIGINT; CREATE TABLE nonsense (")
        // The very first migration fails: nothing at all is left, not even schema_version.
        #expect {
            _ = try PostgresMigrator.migrate(db, migrations: [Migration(version: 1, name: "broken", sql: bad.sql)])
        } throws: { error in
            (error as? StoreError)?.kind == .migrationFailed(version: 1, name: "broken")
                && (error as? StoreError)?.description.contains("42601") == true
        }
        #expect(try tables(db) == [])
        #expect(try PostgresMigrator.version(db) == 0)
        // The second fails: the first stays, the second's table and column do not exist.
        #expect {
            _ = try PostgresMigrator.migrate(db, migrations: [good, bad])
        } throws: { error in
            (error as? StoreError)?.kind == .migrationFailed(version: 2, name: "b")
        }
        #expect(try PostgresMigrator.version(db) == 1)
        #expect(try tables(db) == ["a", "schema_version"])
        #expect(try db.statement("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'")
            .first { $0.int(0) } == 1)
        #expect(db.isAutocommit)
        // Fixed, it applies from where it stopped.
        let fixed = Migration(version: 2, name: "b", sql: "CREATE TABLE b (x BIGINT)")
        let report = try PostgresMigrator.migrate(db, migrations: [good, fixed])
        #expect(report.fromVersion == 1 && report.toVersion == 2 && report.applied == ["2 b"])
    }

    @Test func aNewerOrOlderDatabaseIsRefused() throws {
        let scratch = try PostgresScratch()
        let db = try scratch.connect()
        let one = Migration(version: 1, name: "a", sql: "CREATE TABLE a (x BIGINT)")
        let two = Migration(version: 2, name: "b", sql: "CREATE TABLE b (x BIGINT)")
        _ = try PostgresMigrator.migrate(db, migrations: [one, two])
        #expect {
            _ = try PostgresMigrator.migrate(db, migrations: [one])
        } throws: { error in
            (error as? StoreError)?.kind == .newerSchema(found: 2, supported: 1)
        }
        #expect {
            try PostgresMigrator.requireCurrent(db, migrations: [one])
        } throws: { ($0 as? StoreError)?.kind == .newerSchema(found: 2, supported: 1) }
        let three = Migration(version: 3, name: "c", sql: "CREATE TABLE c (x BIGINT)")
        #expect {
            try PostgresMigrator.requireCurrent(db, migrations: [one, two, three])
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.kind == .olderSchema(found: 2, required: 3) && e.description.contains(scratch.name)
                && !e.description.contains(scratch.password)
        }
        try PostgresMigrator.requireCurrent(db, migrations: [one, two])
    }

    @Test func nodesMigratingAtOnceApplyEachMigrationOnce() throws {
        let scratch = try PostgresScratch()
        let connectionString = scratch.connectionString
        let applied = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let db = try PostgresDatabase(connectionString: connectionString)
                let report = try PostgresMigrator.migrate(db)
                applied.withLock { $0 += report.applied }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        // Each once, whichever node applied it (one node may apply the first ones and another the rest, so the
        // nodes' reports come back in any order).
        #expect(applied.withLock { $0 }.sorted() == PostgresSchema.migrations.map { "\($0.version) \($0.name)" }.sorted())
    }

    func tables(_ db: PostgresDatabase) throws -> [String] {
        try db.statement("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1
            """).rows { $0.text(0) }
    }
}

/// The provider's pool on a real server.
@Suite(.enabled(if: TestPostgres.isConfigured, TestPostgres.skipReason))
struct PostgresStoreProviderTests {
    @Test func connectionsAreReusedAndOnlyCleanOnesGoBack() throws {
        let scratch = try PostgresScratch()
        let provider = PostgresStoreProvider(connectionString: scratch.connectionString, idleLimit: 2)
        #expect(!provider.location.contains(scratch.password) && provider.location.contains(scratch.name))
        let first = try borrow(provider)
        #expect(provider.idleCount == 1)
        let again = try borrow(provider)
        #expect(again === first)
        // A body that fails inside a transaction: rolled back, the connection goes back.
        #expect(throws: StoreError.self) {
            try provider.withStore({ (store: PostgresStore) throws(StoreError) in
                try store.inTransaction { () throws(StoreError) in try store.database.execute("SELEC") }
            }, unavailable: { $0 })
        }
        #expect(provider.idleCount == 1)
        // A connection whose server session ended is dropped, and the next borrower gets a new one.
        let killer = try scratch.connect()
        #expect(throws: StoreError.self) {
            try provider.withStore({ (store: PostgresStore) throws(StoreError) in
                let pid = try store.database.statement("SELECT pg_backend_pid()").first { $0.int64(0) } ?? 0
                try killer.statement("SELECT pg_terminate_backend(?1::integer)").run([.integer(pid)])
                try store.database.statement("SELECT 1").run()
            }, unavailable: { $0 })
        }
        #expect(provider.idleCount == 0)
        let fresh = try borrow(provider)
        #expect(fresh !== first && !fresh.database.isBroken)
        // A connection left inside a transaction (a body that began one by hand) is not pooled.
        try provider.withStore({ (store: PostgresStore) throws(StoreError) in try store.database.execute("BEGIN") },
                               unavailable: { $0 })
        #expect(provider.idleCount == 0)
    }

    @Test func manyThreadsBorrowAtOnceAndThePoolStaysBounded() throws {
        let scratch = try PostgresScratch()
        let provider = PostgresStoreProvider(connectionString: scratch.connectionString, idleLimit: 3)
        try provider.withStore({ (store: PostgresStore) throws(StoreError) in
            try store.database.execute("CREATE TABLE t (x BIGINT NOT NULL)")
        }, unavailable: { $0 })
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<20 {
                do {
                    try provider.withStore({ (store: PostgresStore) throws(StoreError) in
                        try store.inTransaction { () throws(StoreError) in
                            try store.database.statement("INSERT INTO t VALUES (?1)").run([.integer(Int64(thread * 100 + i))])
                        }
                    }, unavailable: { $0 })
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(provider.idleCount <= 3)
        #expect(try provider.withStore({ (store: PostgresStore) throws(StoreError) in
            try store.database.statement("SELECT count(*) FROM t").first { $0.int(0) }
        }, unavailable: { $0 }) == 160)
    }

    /// The connection a borrower got (kept beyond the body only to compare identities).
    func borrow(_ provider: PostgresStoreProvider) throws -> PostgresStore {
        try provider.withStore({ (store: PostgresStore) throws(StoreError) in store }, unavailable: { $0 })
    }

    @Test func anUnreachableServerIsReportedThroughTheCallersError() throws {
        struct Unavailable: Error { let cause: StoreError }
        let provider = PostgresStoreProvider(connectionString: "host=127.0.0.1 port=1 password=s3cr3t connect_timeout=2")
        #expect {
            try provider.withStore({ (_: PostgresStore) throws(Unavailable) in 1 }, unavailable: { Unavailable(cause: $0) })
        } throws: { error in
            guard let e = error as? Unavailable else { return false }
            return e.cause.isStorageFault && !e.cause.description.contains("s3cr3t")
        }
        #expect(throws: StoreError.self) { _ = try provider.openStore(.background) }
    }
}
