import Foundation
import Testing
@testable import BotonStore
import BotonRepository

/// The singleton jobs' lock against a real server (`BOTON_TEST_POSTGRES`), each test in its own database (advisory
/// locks belong to one database, so tests running at once never meet).
@Suite(.enabled(if: TestPostgres.isConfigured, TestPostgres.skipReason))
struct PostgresLeaderLockTests {
    @Test func ofTwoSessionsOnlyOneHoldsTheLockAndClosingItsConnectionHandsItOver() throws {
        let scratch = try PostgresScratch()
        var a: PostgresLeaderLock? = try PostgresLeaderLock(connectionString: scratch.connectionString)
        let b = try PostgresLeaderLock(connectionString: scratch.connectionString)
        #expect(try a!.tryAcquire())
        #expect(try a!.tryAcquire(), "taking it again keeps it")
        #expect(try a!.isHeld())
        #expect(try !b.tryAcquire())
        #expect(try !b.isHeld())
        // The holder's connection closes (as when its process dies): the server ends its session and the lock goes.
        // The server ends the session a moment after the client closed it: b polls (10 s at most, a guard).
        a = nil
        let deadline = ContinuousClock.now + .seconds(10)
        var taken = try b.tryAcquire()
        while !taken && ContinuousClock.now < deadline { taken = try b.tryAcquire() }
        #expect(taken)
        #expect(try b.isHeld())
        let c = try PostgresLeaderLock(connectionString: scratch.connectionString)
        #expect(try !c.tryAcquire())
    }

    @Test func releaseHandsTheLockOverAndOtherKeysAreOtherLocks() throws {
        let scratch = try PostgresScratch()
        let a = try PostgresLeaderLock(connectionString: scratch.connectionString)
        let b = try PostgresLeaderLock(connectionString: scratch.connectionString)
        let other = try PostgresLeaderLock(connectionString: scratch.connectionString, key: 42)
        #expect(try a.tryAcquire())
        #expect(try other.tryAcquire(), "another key is another lock")
        #expect(try !b.tryAcquire())
        a.release()
        #expect(try !a.isHeld())
        #expect(try b.tryAcquire())
        #expect(try !a.tryAcquire())
        a.release()  // not held: nothing happens
        #expect(try b.isHeld())
    }

    @Test func aSessionTheServerEndsLosesTheLockAtTheNextCheck() throws {
        let scratch = try PostgresScratch()
        let a = try PostgresLeaderLock(connectionString: scratch.connectionString)
        let b = try PostgresLeaderLock(connectionString: scratch.connectionString)
        #expect(try a.tryAcquire())
        let pid = try #require(try a.database.statement("SELECT pg_backend_pid()").first([]) { $0.int64(0) })
        // What a server restart or a failover does to the session, from another connection.
        let admin = try scratch.connect()
        #expect(try admin.statement("SELECT pg_terminate_backend(?1::int)").first([.integer(pid)]) { $0.bool(0) }
            == true)
        #expect(throws: StoreError.self) { try a.isHeld() }
        #expect(try !a.isHeld(), "once broken it holds nothing")
        #expect(a.database.isBroken)
        #expect(try b.tryAcquire())
        #expect(!a.location.contains(scratch.password) || scratch.password.isEmpty)
    }

    @Test func sqliteAlwaysHoldsIt() {
        let lock = SQLiteLeaderLock(path: "/tmp/x.sqlite")
        #expect(lock.tryAcquire() && lock.isHeld())
        lock.release()
        #expect(lock.isHeld())
    }
}
