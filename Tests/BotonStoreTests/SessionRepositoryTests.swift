import BotonCore
import Foundation
import Testing
@testable import BotonStore
import BotonRepository

@Suite struct SessionRepositoryTests {
    private func store(_ dir: TemporaryDirectory) throws -> any SQLStore {
        try dir.migratedStore("s.sqlite")
    }

    private func addOperator(_ store: any SQLStore, _ name: String) throws -> Int64 {
        try store.insertOperator(OperatorRecord(username: name, displayName: name, role: .administrador,
                                                upcCode: nil, districtCode: nil, passwordHash: [1], passwordSalt: [2],
                                                passwordRounds: 1, createdAt: Timestamp(millisecondsSince1970: 1)))
    }

    @Test func aSessionLivesUntilItsExpiryOrItsDeletion() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        let ana = try addOperator(store, "ana"), beto = try addOperator(store, "beto")
        let t = { (ms: Int64) in Timestamp(millisecondsSince1970: ms) }
        let hashA = [UInt8](repeating: 0xA1, count: 32), hashB = [UInt8](repeating: 0xB2, count: 32)
        try store.insertSession(OperatorSessionRecord(tokenHash: hashA, operatorID: ana, createdAt: t(1_000),
                                                      expiresAt: t(5_000), clientAddress: "203.0.113.4"))
        try store.insertSession(OperatorSessionRecord(tokenHash: hashB, operatorID: beto, createdAt: t(1_000),
                                                      expiresAt: t(9_000), clientAddress: nil))
        let live = try #require(try store.liveSession(tokenHash: hashA, at: t(4_999)))
        #expect(live.operator.username == "ana" && live.session.clientAddress == "203.0.113.4")
        // Expired at its instant, unknown hashes are nothing.
        #expect(try store.liveSession(tokenHash: hashA, at: t(5_000)) == nil)
        #expect(try store.liveSession(tokenHash: [UInt8](repeating: 0, count: 32), at: t(2_000)) == nil)
        // A disabled account's sessions stop at once.
        try store.sql.execute("UPDATE operator SET disabled_at = 3000 WHERE username = 'beto'")
        #expect(try store.liveSession(tokenHash: hashB, at: t(3_000)) == nil)
        try store.sql.execute("UPDATE operator SET disabled_at = NULL")

        #expect(try store.deleteExpiredSessions(at: t(6_000)) == 1)
        #expect(try store.liveSession(tokenHash: hashB, at: t(6_000)) != nil)
        #expect(try store.deleteSession(tokenHash: hashB))
        #expect(try !store.deleteSession(tokenHash: hashB))
        try store.insertSession(OperatorSessionRecord(tokenHash: hashA, operatorID: ana, createdAt: t(1),
                                                      expiresAt: t(99_000), clientAddress: nil))
        #expect(try store.deleteSessions(operatorID: ana) == 1)
        #expect(try store.sql.prepared("SELECT count(*) FROM operator_session").first { $0.int(0) } == 0)
    }
}
