import BotonCore
import Foundation
import Testing
@testable import BotonStore
import BotonRepository
import BotonStoreFixtures

/// SQLite's engine (`Database`) on either backend switch; PostgreSQL's engine has PostgresDatabaseTests.
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
        let store = try dir.migratedStore("a.sqlite")
        let id = try store.appendAudit(AuditEntry(at: .init(millisecondsSince1970: 1_000), actor: "operador:1",
                                                  action: "ver_ciudadano", subject: "solicitud:7"))
        #expect(throws: StoreError.self) { try store.sql.execute("UPDATE audit_log SET actor = 'x'") }
        #expect(throws: StoreError.self) { try store.sql.execute("DELETE FROM audit_log") }
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

/// SQLite-only: the WAL file, checkpoints and SQLite's write lock.
@Suite struct CheckpointAndLockTests {
    @Test func aPassiveCheckpointCopiesTheLogAndTheNextWriterStartsItAgain() throws {
        let dir = TemporaryDirectory()
        let writer = try Database(path: dir.file("a.sqlite"))
        try writer.setAutomaticCheckpoint(false)
        try writer.execute("CREATE TABLE t (x BLOB NOT NULL)")
        for _ in 0..<50 {
            try writer.inTransaction { () throws(StoreError) in
                try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([UInt8](repeating: 7, count: 3000))])
            }
        }
        // Nothing has checkpointed: another connection finds the whole log to copy, and copies it.
        let checkpointer = try Database(path: dir.file("a.sqlite"))
        let first = try checkpointer.checkpoint(.passive)
        #expect(first.logFrames >= 50)
        #expect(first.checkpointedFrames == first.logFrames)
        // The writer's next transaction writes the log from its beginning.
        try writer.inTransaction { () throws(StoreError) in
            try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([1])])
        }
        let second = try checkpointer.checkpoint(.passive)
        #expect(second.logFrames > 0 && second.logFrames < first.logFrames)
        #expect(try writer.statement("SELECT count(*) FROM t").first { $0.int(0) } == 51)
    }

    @Test func aRestartCheckpointCopiesEverything() throws {
        let dir = TemporaryDirectory()
        let writer = try Database(path: dir.file("a.sqlite"))
        try writer.setAutomaticCheckpoint(false)
        try writer.execute("CREATE TABLE t (x INTEGER)")
        for i in 0..<20 { try writer.statement("INSERT INTO t VALUES (?1)").run([.integer(Int64(i))]) }
        let result = try Database(path: dir.file("a.sqlite")).checkpoint(.restart)
        #expect(result.logFrames > 0 && result.checkpointedFrames == result.logFrames)
    }

    @Test func aLockedDatabaseIsRefusedOnceTheBusyTimeoutIsSpent() throws {
        let dir = TemporaryDirectory()
        let holder = try Database(path: dir.file("a.sqlite"))
        try holder.execute("CREATE TABLE t (x INTEGER)")
        try holder.execute("BEGIN IMMEDIATE")
        defer { try? holder.execute("ROLLBACK") }
        for timeout: Int32 in [0, 20] {
            let other = try Database(path: dir.file("a.sqlite"), options: .init(busyTimeoutMilliseconds: timeout))
            #expect {
                try other.execute("BEGIN IMMEDIATE")
            } throws: { error in
                guard let e = error as? StoreError, case .sqlite(let code, _) = e.kind else { return false }
                return code == 5  // SQLITE_BUSY
            }
        }
    }

    @Test func theBusyHandlerSleepsInShortStepsUpToTheTimeout() {
        // 50 µs steps for the first millisecond, 250 µs up to 11 ms, then 1 ms.
        #expect(Database.sleptMicroseconds(before: 0) == 0)
        #expect(Database.sleptMicroseconds(before: 1) == 50)
        #expect(Database.sleptMicroseconds(before: 20) == 1_000)
        #expect(Database.sleptMicroseconds(before: 21) == 1_250)
        #expect(Database.sleptMicroseconds(before: 60) == 11_000)
        #expect(Database.sleptMicroseconds(before: 61) == 12_000)
        let steps = (0..<5_100).map { Database.sleptMicroseconds(before: $0) }
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 })
        #expect(!Database.retryWhenBusy(after: 0, timeoutMilliseconds: 0))
        #expect(Database.retryWhenBusy(after: 0, timeoutMilliseconds: 1))
        #expect(!Database.retryWhenBusy(after: 20, timeoutMilliseconds: 1))
        #expect(!Database.retryWhenBusy(after: 5_060, timeoutMilliseconds: 5_000))
    }

    @Test func aFailedSavepointUndoesOnlyItsOwnWrites() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        try db.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        try db.inTransaction { () throws(StoreError) in
            try db.statement("INSERT INTO t VALUES (?1)").run([.integer(1)])
            #expect(throws: StoreError.self) {
                try db.inSavepoint { () throws(StoreError) in
                    try db.statement("INSERT INTO t VALUES (?1)").run([.integer(2)])
                    try db.statement("INSERT INTO t VALUES (?1)").run([.null])
                }
            }
            try db.inSavepoint { () throws(StoreError) in
                try db.statement("INSERT INTO t VALUES (?1)").run([.integer(3)])
            }
        }
        #expect(try db.statement("SELECT x FROM t ORDER BY x").rows { $0.int(0) } == [1, 3])
    }
}

@Suite struct ServerSecretTests {
    @Test func aSecretIsMadeOnceAndThenReadBack() throws {
        let dir = TemporaryDirectory()
        let database = try TestDatabase(path: dir.file("a.sqlite"))
        let store = try database.openStore()
        try store.migrate()
        let at = Timestamp(millisecondsSince1970: 1_000)
        let made = try store.serverSecret("csrf", at: at) { [1, 2, 3] }
        // Another connection (another process, a restart) gets the stored one and never calls `make`.
        let other = try database.openStore()
        let read = try other.serverSecret("csrf", at: at) { Issue.record("made twice"); return [9] }
        #expect(made == [1, 2, 3] && read == [1, 2, 3])
        #expect(try other.serverSecret("otro", at: at) { [4] } == [4])
    }
}
