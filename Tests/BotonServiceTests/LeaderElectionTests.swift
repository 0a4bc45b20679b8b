import Foundation
import Synchronization
import Testing
@testable import BotonApp
import BotonRepository
import BotonRuntime

/// The leader election in process, over a lock the test controls: the role is taken at start, kept while the
/// session answers, lost at once when it breaks and taken again by a new session, and handed over when the leader
/// stops. Synchronised on the election's own role changes, never on sleeps.
@Suite("Leader election")
struct LeaderElectionTests {
    /// What the server would hold: who has the lock, and which sessions are broken.
    final class Server: Sendable {
        let state = Mutex<(holder: Int?, broken: Set<Int>, sessions: Int)>((nil, [], 0))

        func open() -> Lock { Lock(server: self, id: state.withLock { $0.sessions += 1; return $0.sessions }) }
        func breakSession() {
            state.withLock { s in
                guard let holder = s.holder else { return }
                s.broken.insert(holder)
                s.holder = nil
            }
        }
        var sessions: Int { state.withLock { $0.sessions } }
    }

    final class Lock: LeaderLock {
        let server: Server
        let id: Int
        init(server: Server, id: Int) {
            self.server = server
            self.id = id
        }
        var location: String { "test" }
        func tryAcquire() throws(StoreError) -> Bool {
            try server.state.withLock { (s) throws(StoreError) -> Bool in
                if s.broken.contains(id) { throw StoreError(kind: .invalidData, message: "session \(id) is gone") }
                if s.holder == nil { s.holder = id }
                return s.holder == id
            }
        }
        func isHeld() throws(StoreError) -> Bool {
            try server.state.withLock { (s) throws(StoreError) -> Bool in
                if s.broken.contains(id) { throw StoreError(kind: .invalidData, message: "session \(id) is gone") }
                return s.holder == id
            }
        }
        func release() { server.state.withLock { s in if s.holder == id { s.holder = nil } } }
    }

    /// The roles an election went through, awaited with a deadline.
    final class Roles: Sendable {
        let condition = NSCondition()
        let seen = Mutex<[Bool]>([])

        func add(_ leader: Bool) {
            condition.lock()
            seen.withLock { $0.append(leader) }
            condition.broadcast()
            condition.unlock()
        }

        func wait(count: Int) -> [Bool] {
            let deadline = Date().addingTimeInterval(30)
            condition.lock()
            defer { condition.unlock() }
            while seen.withLock({ $0.count }) < count, condition.wait(until: deadline) {}
            return seen.withLock { $0 }
        }
    }

    func election(_ server: Server, node: String) -> (LeaderElection, Roles) {
        let roles = Roles()
        let election = LeaderElection(open: { server.open() }, checkInterval: .milliseconds(5),
                                      logger: Logger(level: .error), node: node)
        election.onChange { roles.add($0) }
        return (election, roles)
    }

    @Test func theFirstNodeLeadsAtStartAndABrokenSessionLosesTheRoleThenANewOneTakesItAgain() {
        let server = Server()
        let (a, roles) = election(server, node: "a")
        a.start()
        defer { a.stop() }
        #expect(a.isLeader, "a node alone leads once start() returns")
        #expect(roles.wait(count: 1) == [true])
        server.breakSession()
        #expect(roles.wait(count: 3) == [true, false, true])
        #expect(server.sessions == 2, "a new session after the broken one")
        #expect(a.isLeader && a.role == "lider")
    }

    @Test func aFollowerTakesOverWhenTheLeaderStops() {
        let server = Server()
        let (a, aRoles) = election(server, node: "a")
        let (b, bRoles) = election(server, node: "b")
        a.start()
        b.start()
        defer { b.stop() }
        #expect(a.isLeader && !b.isLeader && b.role == "seguidor")
        a.stop()
        #expect(aRoles.wait(count: 2) == [true, false])
        #expect(bRoles.wait(count: 1) == [true])
        #expect(b.isLeader && !a.isLeader)
    }
}
