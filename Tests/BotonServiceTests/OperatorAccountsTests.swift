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

    @Test func fiveFailuresLockTheAccountForFifteenMinutes() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        let t0 = f.now()
        for i in 1...4 {
            let e = failure { try f.accounts.authenticate(username: "andrade", password: "equivocada-\(i)",
                                                          at: t0.adding(seconds: Int64(i))) }
            #expect(e?.kind == .unauthorized && e?.mensaje == "Usuario o contraseña incorrectos.")
        }
        #expect(try f.store.operatorRecord(id: officer.id)?.failedLogins == 4)
        let fifth = failure { try f.accounts.authenticate(username: "andrade", password: "x", at: t0.adding(seconds: 5)) }
        #expect(fifth?.kind == .locked)
        #expect(fifth?.lockedUntil == t0.adding(seconds: 5 + 15 * 60))
        #expect(fifth?.mensaje.hasPrefix("Demasiados intentos fallidos: la cuenta quedó bloqueada hasta las ") == true)
        // Locked: even the right password is refused, until the 15 minutes are over.
        let during = failure { try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1",
                                                           at: t0.adding(seconds: 5 + 14 * 60)) }
        #expect(during?.kind == .locked && during?.mensaje.contains("está bloqueada") == true)
        let after = try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1",
                                                at: t0.adding(seconds: 5 + 15 * 60))
        #expect(after.id == officer.id)
        let record = try f.store.operatorRecord(id: officer.id)
        #expect(record?.failedLogins == 0 && record?.lockedUntil == nil)
        let actions = try f.store.auditEntries(subject: "operador:\(officer.id)", limit: 20).reversed().map(\.action)
        #expect(actions == ["crear_operador"] + Array(repeating: "inicio_sesion_fallido", count: 5)
            + ["cuenta_bloqueada", "inicio_sesion"])
    }

    @Test func successClearsTheFailureCount() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        for _ in 1...4 { _ = failure { try f.accounts.authenticate(username: "andrade", password: "no", at: f.now()) } }
        _ = try f.accounts.authenticate(username: "andrade", password: "contraseña-segura-1", at: f.now())
        for _ in 1...4 { _ = failure { try f.accounts.authenticate(username: "andrade", password: "no", at: f.now()) } }
        #expect(try f.store.operatorRecord(id: officer.id)?.lockedUntil == nil)
    }

    @Test func unknownUsersAndDisabledAccountsGetTheSameAnswer() throws {
        let f = try F()
        let officer = try f.officer("andrade", upc: F.places.a.upc)
        let unknown = failure { try f.accounts.authenticate(username: "nadie", password: "contraseña-segura-1",
                                                            at: f.now()) }
        #expect(unknown == OperatorAccountError(.unauthorized, "Usuario o contraseña incorrectos."))
        try f.store.database.execute("UPDATE operator SET disabled_at = 1 WHERE id = \(officer.id)")
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
