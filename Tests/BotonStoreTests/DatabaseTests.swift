import Foundation
import Testing
@testable import BotonStore

@Suite struct DatabaseTests {
    @Test func errorsCarryTheSQLAndTheResultCode() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        try db.statement("INSERT INTO t (name) VALUES (?1)").run([.text("a")])
        #expect {
            try db.statement("INSERT INTO t (name) VALUES (?1)").run([.text("a")])
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.isConstraintViolation && e.sql == "INSERT INTO t (name) VALUES (?1)"
                && e.description.contains("UNIQUE constraint failed: t.name")
        }
        #expect {
            _ = try db.statement("SELEC nonsense")
        } throws: { error in
            (error as? StoreError)?.sql == "SELEC nonsense"
        }
    }

    @Test func transactionsCommitOrRollBackWhole() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        try db.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        try db.inTransaction { () throws(StoreError) in
            try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])
        }
        #expect(throws: StoreError.self) {
            try db.inTransaction { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(2)])
                try db.statement("INSERT INTO t VALUES (?1)").run([.null])  // NOT NULL fails
            }
        }
        #expect(try db.statement("SELECT x FROM t ORDER BY x").rows { $0.int(0) } == [1])
    }

    @Test func statementsAreCachedAndValuesRoundTrip() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        let insert = try db.statement("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        #expect(try db.statement("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)") === insert)
        try insert.run([.integer(-7), .real(1.5), .text("Cañaribamba ñ"), .blob([0, 1, 255]), .null])
        try insert.run([.integer(0), .real(0), .text(""), .blob([]), .null])
        let rows = try db.statement("SELECT i, r, s, b, n FROM t ORDER BY i").rows { s in
            "\(s.int64(0)) \(s.double(1)) [\(s.text(2))] \(s.blob(3)) \(s.optionalText(4) ?? "nil") \(s.isNull(3))"
        }
        #expect(rows == ["-7 1.5 [Cañaribamba ñ] [0, 1, 255] nil false", "0 0.0 [] [] nil false"])
    }

    @Test func theAuditLogIsAppendOnly() throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        try store.migrate()
        let id = try store.appendAudit(AuditEntry(at: .init(millisecondsSince1970: 1_000), actor: "operador:1",
                                                  action: "ver_ciudadano", subject: "solicitud:7"))
        #expect(throws: StoreError.self) { try store.database.execute("UPDATE audit_log SET actor = 'x'") }
        #expect(throws: StoreError.self) { try store.database.execute("DELETE FROM audit_log") }
        let entries = try store.auditEntries(subject: "solicitud:7", limit: 10)
        #expect(entries.map(\.id) == [id])
        #expect(entries.first?.actor == "operador:1")
    }

    @Test func cannotOpenAFileThatIsNotADatabase() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("not.sqlite")
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("this is not sqlite, it is plain text and long enough for a header".utf8))
        #expect {
            let db = try Database(path: path)
            _ = try db.userVersion()
        } throws: { error in
            (error as? StoreError)?.isStorageFault == true
        }
    }
}
