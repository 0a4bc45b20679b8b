import Foundation
import Testing
import BotonCore
import BotonCrypto
import BotonStore
@testable import BotonEnrollment

@Suite struct OperatorAccountsTests {
    typealias F = EnrollmentFixture

    func failure<T>(_ body: () throws -> T) -> OperatorAccountError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? OperatorAccountError
        }
    }

    @Test func passwordsAreStoredAsPBKDF2With600000RoundsAndARandomSalt() throws {
        let f = try F()
        let accounts = OperatorAccounts(store: f.store)  // the production default
        let a = F.places.a
        let added = try accounts.add(username: " Andrade ", displayName: "Sbte. Andrade", role: .operadorUPC,
                                     upc: a.upc, district: nil, password: "una clave larga", at: f.now())
        #expect(added.username == "andrade" && added.upcCode == a.upc && added.districtCode == a.district)
        let record = try #require(try f.store.operatorRecord(username: "andrade"))
        #expect(record.passwordRounds == 600_000 && record.passwordSalt.count == 16 && record.passwordHash.count == 32)
        #expect(record.passwordHash == (try Digest.pbkdf2SHA256(password: Array("una clave larga".utf8),
                                                                salt: record.passwordSalt, rounds: 600_000)))
        #expect(try f.text("SELECT count(*) FROM operator WHERE password_hash LIKE '%clave%'") == "0")
        let identity = try accounts.authenticate(username: "ANDRADE", password: "una clave larga", at: f.now())
        #expect(identity == added)
        #expect(identity.author.storageForm == "operador:\(added.id)")
        // Two accounts with the same password get different salts.
        try accounts.add(username: "benitez", displayName: "Cbo. Benítez", role: .administrador, upc: nil,
                         district: nil, password: "una clave larga", at: f.now())
        #expect(try f.store.operatorRecord(username: "benitez")?.passwordSalt != record.passwordSalt)
    }

    /// Finding 6: five wrong passwords from one address make that address wait (30 s, doubling), never the
    /// account: its owner signs in from another address at once, with the right password.
    @Test func failuresFromOneAddressMakeThatAddressWaitNotTheOwner() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        let (attacker, owner) = ("203.0.113.7", "198.51.100.20")
        let t0 = f.now()
        func at(_ s: Int64) -> Timestamp { t0.adding(seconds: s) }
        for i in 1...4 {
            let e = failure { try f.accounts.authenticate(username: "andrade", password: "equivocada-\(i)",
                                                          from: attacker, at: at(Int64(i))) }
            #expect(e?.kind == .unauthorized && e?.mensaje == "Usuario o contraseña incorrectos.")
        }
        let fifth = failure { try f.accounts.authenticate(username: "andrade", password: "x", from: attacker, at: at(5)) }
        #expect(fifth?.kind == .locked && fifth?.lockedUntil == at(5 + 30))
        #expect(fifth?.mensaje.hasPrefix("Demasiados intentos fallidos con este usuario desde su conexión. Espere 30 "
                                         + "segundos") == true)
        // The attacker's address waits, even with the right password, and without a password check.
        let checks = f.accounts.throttle!.passwordChecks
        let during = failure { try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1",
                                                           from: attacker, at: at(20)) }
        #expect(during?.kind == .locked && during?.lockedUntil == at(35))
        #expect(f.accounts.throttle!.passwordChecks == checks)
        // After the wait one more try; failing doubles the wait.
        let sixth = failure { try f.accounts.authenticate(username: "andrade", password: "y", from: attacker, at: at(35)) }
        #expect(sixth?.kind == .locked && sixth?.lockedUntil == at(35 + 60))
        // The owner, from another address, gets in at once; the account was never locked.
        let owned = try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1", from: owner,
                                                at: at(36))
        #expect(owned.id == officer.id)
        let record = try f.store.operatorRecord(id: officer.id)
        #expect(record?.failedLogins == 0 && record?.lockedUntil == nil)
        let audit = try f.store.auditEntries(subject: "operador:\(officer.id)", limit: 20).reversed()
        #expect(audit.map(\.action) == ["crear_operador"] + Array(repeating: "inicio_sesion_fallido", count: 6)
            + ["inicio_sesion"])
        #expect(audit.dropFirst().first?.detail == "intento 1 direccion=203.0.113.7")
    }

    /// A waiting address is let go by `boton operator unlock` (which clears the account's count) at its next try.
    @Test func anUnlockLiftsTheWaitOfEveryAddress() throws {
        let f = try F()
        _ = try f.officer("andrade", upc: F.places.a.upc)
        let t0 = f.now()
        for i in 1...5 {
            _ = failure { try f.accounts.authenticate(username: "andrade", password: "no", from: "10.0.0.1",
                                                      at: t0.adding(seconds: Int64(i))) }
        }
        #expect(failure { try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1",
                                                      from: "10.0.0.1", at: t0.adding(seconds: 6)) }?.kind == .locked)
        #expect(try f.accounts.unlock(username: "andrade", by: "operador:99", at: t0.adding(seconds: 7)))
        _ = try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1", from: "10.0.0.1",
                                        at: t0.adding(seconds: 8))
    }

    /// An unknown username is throttled, checked and audited exactly like a known one with a wrong password:
    /// the same errors at the same instants, one password check each.
    @Test func anUnknownUsernameGetsTheSameAnswersAndTheSameWork() throws {
        let f = try F()
        _ = try f.officer("andrade", upc: F.places.a.upc)
        let t0 = f.now()
        let throttle = f.accounts.throttle!
        for i in 1...6 {
            let at = t0.adding(seconds: Int64(i))
            let before = throttle.passwordChecks
            let known = failure { try f.accounts.authenticate(username: "andrade", password: "no", from: "10.0.0.1",
                                                              at: at) }
            #expect(throttle.passwordChecks == before + (i <= 5 ? 1 : 0))
            let unknown = failure { try f.accounts.authenticate(username: "nadie", password: "no", from: "10.0.0.1",
                                                                at: at) }
            #expect(throttle.passwordChecks == before + (i <= 5 ? 2 : 0))
            #expect(known != nil && known == unknown)
        }
        let audit = try f.store.auditEntries(subject: "usuario:desconocido", limit: 20)
        #expect(audit.count == 5 && audit.allSatisfy { $0.action == "inicio_sesion_fallido" })
    }

    /// No ceiling across addresses (it would be the lock again): failures from many addresses raise an alarm in the
    /// audit log, and the owner still gets in.
    @Test func failuresFromManyAddressesRaiseAnAlarmNotALock() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        let t0 = f.now()
        for i in 1...OperatorAccounts.attackAlarmFailures {
            _ = failure { try f.accounts.authenticate(username: "andrade", password: "no", from: "10.1.0.\(i)",
                                                      at: t0.adding(seconds: Int64(i))) }
        }
        let alarms = try f.store.auditEntries(subject: "operador:\(officer.id)", limit: 100)
            .filter { $0.action == "cuenta_bajo_ataque" }
        #expect(alarms.count == 1 && alarms.first?.detail == "50 intentos fallidos seguidos")
        _ = try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1", from: "10.2.0.1",
                                        at: t0.adding(seconds: 100))
    }

    /// Memory stays bounded however many addresses fail; an IPv6 client counts by its /64.
    @Test func theThrottleHoldsABoundedNumberOfPairs() {
        let throttle = SignInThrottle(maxKeys: 64)
        let t0 = Timestamp(millisecondsSince1970: 1_780_000_000_000)
        for i in 0 ..< 10_000 {
            throttle.recordFailure(username: "andrade", address: "10.\(i / 65_536).\(i / 256 % 256).\(i % 256)",
                                   accountFailures: i, at: t0)
        }
        #expect(throttle.heldEntries <= 128)
        #expect(SignInThrottle.addressKey("2001:db8:1:2:aaaa::1") == "2001:0db8:0001:0002::/64")
        #expect(SignInThrottle.addressKey("2001:db8:1:2:bbbb::9") == SignInThrottle.addressKey("2001:db8:1:2::1"))
        #expect(SignInThrottle.addressKey("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(SignInThrottle.addressKey("192.0.2.1") == "192.0.2.1")
        for _ in 1...5 { throttle.recordFailure(username: "x", address: "2001:db8:1:2::1", accountFailures: nil, at: t0) }
        #expect(throttle.blockedUntil(username: "x", address: "2001:db8:1:2::ffff", accountFailures: nil, at: t0)
            == t0.adding(seconds: 30))
        #expect(throttle.blockedUntil(username: "x", address: "2001:db8:1:3::1", accountFailures: nil, at: t0) == nil)
        #expect(SignInThrottle.Policy().waitSeconds(afterFailures: 4) == 0)
        #expect((5...12).map { SignInThrottle.Policy().waitSeconds(afterFailures: $0) }
            == [30, 60, 120, 240, 480, 900, 900, 900])
    }

    @Test func unknownUsersAndDisabledAccountsGetTheSameAnswer() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        let unknown = failure { try f.accounts.authenticate(username: "nadie", password: "contraseña-segura-1",
                                                            at: f.now()) }
        #expect(unknown == OperatorAccountError(.unauthorized, "Usuario o contraseña incorrectos."))
        try f.store.sql.execute("UPDATE operator SET disabled_at = 1 WHERE id = \(officer.id)")
        let disabled = failure { try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1",
                                                             at: f.now()) }
        #expect(disabled == unknown)
    }

    @Test func accountsAreCheckedBeforeTheyAreCreated() throws {
        let f = try F()
        let (a, c) = (F.places.a, F.places.c)
        func add(_ user: String = "perez", role: OperatorRole = .operadorUPC, upc: String? = nil,
                 district: String? = nil, password: String = "contraseña-segura-1") -> OperatorAccountError? {
            failure { try f.accounts.add(username: user, displayName: "Sgto. Pérez", role: role, upc: upc,
                                         district: district, password: password, at: f.now()) }
        }
        #expect(add(upc: a.upc, password: "corta12345")?.field == "contrasena")
        #expect(add(upc: a.upc, password: "corta12345")?.mensaje == "La contraseña debe tener al menos 12 caracteres.")
        #expect(add(upc: a.upc, password: String(repeating: "x", count: 257))?.field == "contrasena")
        #expect(add("1perez", upc: a.upc)?.field == "usuario")
        #expect(add("pé rez", upc: a.upc)?.field == "usuario")
        #expect(add(upc: nil)?.field == "upc")
        #expect(add(upc: "UPC-17D99C01S01")?.mensaje == "La UPC «UPC-17D99C01S01» no existe en el territorio cargado.")
        #expect(add(upc: "no es una upc")?.field == "upc")
        #expect(add(upc: a.upc, district: c.district)?.field == "distrito")
        #expect(add(role: .supervisorDistrito)?.field == "distrito")
        #expect(add(role: .supervisorDistrito, district: "17D99")?.field == "distrito")
        #expect(add(role: .supervisorDistrito, upc: a.upc, district: a.district)?.field == "upc")
        #expect(add(role: .administrador, upc: a.upc)?.field == "upc")
        #expect(try f.text("SELECT count(*) FROM operator") == "0")
        #expect(add(upc: a.upc.lowercased()) == nil)
        let duplicate = add(upc: a.upc)
        #expect(duplicate?.kind == .conflict && duplicate?.field == "usuario")
        let supervisor = try f.accounts.add(username: "jefe", displayName: "Mayor Vera", role: .supervisorDistrito,
                                            upc: nil, district: a.district.lowercased(), password: "contraseña-segura-1",
                                            at: f.now())
        #expect(supervisor.districtCode == a.district && supervisor.upcCode == nil)
    }
}
