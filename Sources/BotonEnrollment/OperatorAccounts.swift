public import BotonCore
import BotonCrypto
public import BotonRepository
public import BotonRuntime

/// What ``OperatorAccounts`` needs of the store.
public typealias OperatorStore = Transactional & OperatorRepository & AuditLogRepository & SessionRepository

/// Why an account operation failed, with the Spanish sentence to show and a kind the web layer maps to a status.
///
/// Kinds: a wrong field is `invalid` (`field` says which); a taken username `conflict`; a wrong username or
/// password (never saying which), or a disabled account, `unauthorized`; too many failures from one address
/// `locked` until `lockedUntil`; a store failure `unavailable`, with the cause in `detail`.
public struct OperatorAccountError: Refusal, Equatable, CustomStringConvertible {
    /// See ``RefusalKind``.
    public typealias Kind = RefusalKind

    public let kind: Kind
    public let mensaje: String
    /// The input at fault, for `invalid`: `usuario`, `nombre`, `rol`, `upc`, `distrito`, `contrasena`.
    public let field: String?
    public let lockedUntil: Timestamp?
    /// Technical detail for logs (never shown to the person).
    public let detail: String?

    package init(_ kind: Kind, _ mensaje: String, field: String? = nil, lockedUntil: Timestamp? = nil, detail: String? = nil) {
        self.kind = kind
        self.mensaje = mensaje
        self.field = field
        self.lockedUntil = lockedUntil
        self.detail = detail
    }

    package static func storage(_ error: StoreError) -> OperatorAccountError {
        OperatorAccountError(.unavailable, "El servicio no está disponible en este momento. Intente de nuevo en unos minutos.",
                             detail: error.description)
    }

    public var description: String { "\(kind.rawValue): \(mensaje)" + (detail.map { " (\($0))" } ?? "") }
}

/// Operator accounts: creation and password sign-in with lockout.
///
/// - Passwords: at least ``minimumPasswordLength`` characters (at most 256), hashed with PBKDF2-HMAC-SHA256,
///   ``defaultPasswordRounds`` rounds and a 16-byte random salt; the hash, salt and rounds are stored in
///   `operator` (a later increase of rounds applies to new passwords; old ones verify with their own rounds).
/// - Sign-in compares hashes in constant time. Unknown usernames cost the same PBKDF2 work (and the same audit
///   write) as known ones and get the same answer as a wrong password. Failures are throttled per (username,
///   client address) by the service's ``SignInThrottle``: an address that failed too often must wait, the wait
///   growing; no account is ever locked against its owner's other addresses. The persisted count of failures in a
///   row (`operator.failed_logins`, from any address) only raises an alarm; success or `boton operator unlock`
///   clears it, and that lifts the waits of the account's addresses too. (`operator.locked_until`, the old hard
///   lock, is no longer written nor honoured; unlock clears it.)
/// - Audit: `crear_operador`, `inicio_sesion`, `inicio_sesion_fallido` (also for unknown usernames, as
///   `usuario:desconocido`), `cuenta_bajo_ataque` (every ``attackAlarmFailures`` failures in a row),
///   `desbloquear_cuenta`.
///
/// Like ``EnrollmentService``, a value of this type works on the one connection it was given; make one per
/// request, over the connection lent to it. The PBKDF2 work (about half a second) runs outside any transaction, so it never holds
/// the database's write lock.
public struct OperatorAccounts {
    public static let minimumPasswordLength = 12
    public static let maximumPasswordLength = 256
    public static let defaultPasswordRounds = 600_000
    public static let saltLength = 16
    /// Failures in a row of one account, from any addresses, between two `cuenta_bajo_ataque` audit entries.
    public static let attackAlarmFailures = 50

    public let store: any OperatorStore
    public let passwordRounds: Int
    /// Shared by every sign-in of the service; nil (the command line, which never signs in) throttles nothing.
    public let throttle: SignInThrottle?

    /// `passwordRounds` is for tests and benchmarks only; production uses the default.
    public init(store: any OperatorStore, passwordRounds: Int = OperatorAccounts.defaultPasswordRounds,
                throttle: SignInThrottle? = nil) {
        self.store = store
        self.passwordRounds = passwordRounds
        self.throttle = throttle
    }

    /// Creates an account. `username` is lower-cased; an `operador_upc` needs `upc` (its distrito is taken from
    /// the UPC), a `supervisor_distrito` needs `district`, an `administrador` neither.
    @discardableResult
    public func add(username rawUsername: String, displayName rawDisplayName: String, rank rawRank: String? = nil,
                    role: OperatorRole, upc: String?, district: String?, password: String, at: Timestamp,
                    by author: Author = .sistema)
        throws(OperatorAccountError) -> OperatorIdentity
    {
        let username = rawUsername.trimmed.lowercased()
        let u = Array(username.utf8)
        let allowed = { (c: UInt8) in
            (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: "-")
        }
        guard (3...32).contains(u.count), u.allSatisfy(allowed), (0x61...0x7A).contains(u[0]) else {
            throw OperatorAccountError(.invalid, "El usuario debe tener de 3 a 32 caracteres: letras sin tilde, números, "
                                       + "punto, guion o guion bajo, y empezar con una letra.", field: "usuario")
        }
        let displayName = rawDisplayName.trimmed
        guard !displayName.isEmpty, displayName.count <= 100 else {
            throw OperatorAccountError(.invalid, "Ingrese el nombre del servidor policial (hasta 100 caracteres), "
                                       + "por ejemplo «Sbte. Andrade».", field: "nombre")
        }
        let rank = rawRank?.trimmed
        if let rank, rank.count > 30 || rank.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw OperatorAccountError(.invalid, "El grado es la abreviatura del grado policial (hasta 30 caracteres), "
                                       + "por ejemplo «Sbte.» o «Cbop.».", field: "grado")
        }
        try Self.checkPassword(password)
        var upcCode: String?
        var districtCode: String?
        do {
            switch role {
            case .operadorUPC:
                guard let code = upc?.trimmed.uppercased(), !code.isEmpty else {
                    throw OperatorAccountError(.invalid, "Un operador de UPC necesita el código de su UPC "
                                               + "(por ejemplo UPC-17D04C01S01).", field: "upc")
                }
                guard let parsed = try? UPCCode(code), try store.upcName(code: code) != nil else {
                    throw OperatorAccountError(.invalid, "La UPC «\(code)» no existe en el territorio cargado.",
                                               field: "upc")
                }
                let own = try SubcircuitCode(String(parsed.rawValue.dropFirst(4))).district.rawValue
                if let given = district?.trimmed.uppercased(), !given.isEmpty, given != own {
                    throw OperatorAccountError(.invalid, "La UPC \(code) pertenece al distrito \(own), no al \(given).",
                                               field: "distrito")
                }
                upcCode = code
                districtCode = own
            case .supervisorDistrito:
                if let given = upc?.trimmed, !given.isEmpty {
                    throw OperatorAccountError(.invalid, "Un supervisor de distrito no se asigna a una UPC; indique solo "
                                               + "el distrito.", field: "upc")
                }
                guard let code = district?.trimmed.uppercased(), !code.isEmpty else {
                    throw OperatorAccountError(.invalid, "Un supervisor de distrito necesita el código de su distrito "
                                               + "(por ejemplo 17D04).", field: "distrito")
                }
                guard try store.districtName(code: code) != nil else {
                    throw OperatorAccountError(.invalid, "El distrito «\(code)» no existe en el territorio cargado.",
                                               field: "distrito")
                }
                districtCode = code
            case .administrador:
                if upc?.trimmed.isEmpty == false || district?.trimmed.isEmpty == false {
                    throw OperatorAccountError(.invalid, "Un administrador no se asigna a una UPC ni a un distrito.",
                                               field: upc?.trimmed.isEmpty == false ? "upc" : "distrito")
                }
            }
        } catch let error as OperatorAccountError {
            throw error
        } catch let error as StoreError {
            throw .storage(error)
        } catch {
            throw OperatorAccountError(.invalid, "El código de UPC no es válido.", field: "upc")
        }
        let (salt, hash) = try protect(password)
        let record = OperatorRecord(username: username, displayName: displayName,
                                    rank: rank.flatMap { $0.isEmpty ? nil : $0 }, role: role,
                                    upcCode: upcCode, districtCode: districtCode, passwordHash: hash,
                                    passwordSalt: salt, passwordRounds: passwordRounds, createdAt: at)
        let store = self.store
        let id: Int64
        do {
            id = try store.inTransaction { () throws(StoreError) -> Int64 in
                guard try store.operatorRecord(username: username) == nil else { return -1 }
                let id = try store.insertOperator(record)
                try store.appendAudit(AuditEntry(at: at, actor: author.storageForm, action: "crear_operador",
                                                 subject: "operador:\(id)",
                                                 detail: "usuario=\(username) rol=\(role.rawValue)"
                                                     + (record.rank.map { " grado=\($0)" } ?? "")
                                                     + (upcCode.map { " upc=\($0)" } ?? "")
                                                     + (districtCode.map { " distrito=\($0)" } ?? "")))
                return id
            }
        } catch {
            throw .storage(error)
        }
        guard id > 0 else {
            throw OperatorAccountError(.conflict, "Ya existe un operador con el usuario «\(username)».", field: "usuario")
        }
        return OperatorIdentity(id: id, username: username, displayName: record.shownName, role: role,
                                upcCode: upcCode, districtCode: districtCode)
    }

    static func checkPassword(_ password: String) throws(OperatorAccountError) {
        guard password.count >= Self.minimumPasswordLength else {
            throw OperatorAccountError(.invalid, "La contraseña debe tener al menos \(Self.minimumPasswordLength) caracteres.",
                                       field: "contrasena")
        }
        guard password.count <= Self.maximumPasswordLength else {
            throw OperatorAccountError(.invalid, "La contraseña no puede tener más de \(Self.maximumPasswordLength) caracteres.",
                                       field: "contrasena")
        }
    }

    /// A new random salt and the PBKDF2 hash of `password` with it.
    private func protect(_ password: String) throws(OperatorAccountError) -> (salt: [UInt8], hash: [UInt8]) {
        do {
            let salt = try Digest.randomBytes(Self.saltLength)
            return (salt, try Digest.pbkdf2SHA256(password: Array(password.utf8), salt: salt, rounds: passwordRounds))
        } catch {
            throw OperatorAccountError(.unavailable, "No se pudo proteger la contraseña; intente de nuevo.",
                                       detail: "\(error)")
        }
    }

    /// Every account, by username.
    public func list() throws(OperatorAccountError) -> [OperatorRecord] {
        do { return try store.operatorRecords() } catch { throw .storage(error) }
    }

    /// Disables (`enabled: false`: its sessions end at once, sign-in is refused) or enables again an account;
    /// audited as `deshabilitar_operador` / `habilitar_operador` by `actor`. False when it already was so.
    @discardableResult
    public func setEnabled(_ enabled: Bool, username rawUsername: String, by actor: String, at: Timestamp)
        throws(OperatorAccountError) -> Bool
    {
        let username = rawUsername.trimmed.lowercased()
        return try onAccount(username) { (store, record, id) throws(StoreError) -> Bool in
            guard (record.disabledAt == nil) != enabled else { return false }
            try store.setOperatorDisabled(id: id, at: enabled ? nil : at)
            if !enabled { _ = try store.deleteSessions(operatorID: id) }
            try store.appendAudit(AuditEntry(at: at, actor: actor,
                                             action: enabled ? "habilitar_operador" : "deshabilitar_operador",
                                             subject: "operador:\(id)", detail: "usuario=\(username)"))
            return true
        }
    }

    /// Sets a new password (the owner forgot it): the failure count is cleared and every session of the account
    /// ends. Audited as `restablecer_contrasena` by `actor`.
    public func resetPassword(username rawUsername: String, password: String, by actor: String, at: Timestamp)
        throws(OperatorAccountError)
    {
        let username = rawUsername.trimmed.lowercased()
        try Self.checkPassword(password)
        let (salt, hash) = try protect(password)
        let rounds = passwordRounds
        try onAccount(username) { (store, _, id) throws(StoreError) in
            try store.setOperatorPassword(id: id, hash: hash, salt: salt, rounds: rounds)
            _ = try store.deleteSessions(operatorID: id)
            try store.appendAudit(AuditEntry(at: at, actor: actor, action: "restablecer_contrasena",
                                             subject: "operador:\(id)", detail: "usuario=\(username)"))
        }
    }

    /// Checks a username and password from `address` (the client's); returns the operator's identity, or throws
    /// `unauthorized` (wrong username or password, disabled account) or `locked` (this address must wait before
    /// it tries this username again: ``SignInThrottle``; the error's `lockedUntil` says until when).
    ///
    /// An unknown username goes through the same steps as a known one with a wrong password: the same throttle
    /// (keyed by the name as typed), one PBKDF2 check of the same cost (against a dummy salt), one audit write in
    /// a transaction, and the same error, so neither the answer nor its timing tells which usernames exist.
    public func authenticate(username rawUsername: String, password: String, from address: String = "",
                             at: Timestamp) throws(OperatorAccountError) -> OperatorIdentity
    {
        let username = rawUsername.trimmed.lowercased()
        let wrong = OperatorAccountError(.unauthorized, "Usuario o contraseña incorrectos.")
        let found: OperatorRecord?
        do { found = try store.operatorRecord(username: username) } catch { throw .storage(error) }
        let known = found.flatMap { record in record.id.map { (record, $0) } }
        if let throttle, let until = throttle.blockedUntil(username: username, address: address,
                                                            accountFailures: known?.0.failedLogins, at: at) {
            throw Self.throttledError(until: until, at: at)
        }
        // The one password check, for a known username against its hash, for an unknown one against a dummy salt
        // at the same cost.
        let salt = known?.0.passwordSalt ?? Array(repeating: 0, count: Self.saltLength)
        let rounds = known?.0.passwordRounds ?? passwordRounds
        let length = known?.0.passwordHash.count ?? 32
        throttle?.countPasswordCheck()
        let candidate = (try? Digest.pbkdf2SHA256(password: Array(password.utf8), salt: salt, rounds: rounds,
                                                  length: length)) ?? []
        let store = self.store
        guard let (record, id) = known else {
            do {
                try store.inTransaction { () throws(StoreError) in
                    _ = try store.appendAudit(AuditEntry(at: at, actor: "desconocido", action: "inicio_sesion_fallido",
                                                     subject: "usuario:desconocido",
                                                     detail: "usuario inexistente" + Self.addressDetail(address)))
                }
            } catch { throw .storage(error) }
            try throwAfterFailure(username: username, address: address, accountFailures: nil, at: at, wrong: wrong)
        }
        let matches = Digest.constantTimeEqual(candidate, record.passwordHash)
        let subject = "operador:\(id)"
        if matches && record.disabledAt == nil {
            do {
                try store.inTransaction { () throws(StoreError) in
                    try store.recordLoginSuccess(operatorID: id)
                    try store.appendAudit(AuditEntry(at: at, actor: subject, action: "inicio_sesion", subject: subject,
                                                     detail: address.isEmpty ? nil : "direccion=\(address)"))
                }
            } catch { throw .storage(error) }
            throttle?.recordSuccess(username: username, address: address)
            return OperatorIdentity(id: id, username: record.username, displayName: record.shownName,
                                    role: record.role, upcCode: record.upcCode, districtCode: record.districtCode)
        }
        // A failure: count it on the current row (another connection may have counted one meanwhile). The count
        // never locks the account (``SignInThrottle``); past every ``attackAlarmFailures`` it is audited.
        let failures: Int
        do {
            failures = try store.inTransaction { () throws(StoreError) -> Int in
                let failures = (try store.operatorRecord(id: id)?.failedLogins ?? record.failedLogins) + 1
                try store.recordLoginFailure(operatorID: id, failedLogins: failures, lockedUntil: nil)
                try store.appendAudit(AuditEntry(
                    at: at, actor: subject, action: "inicio_sesion_fallido", subject: subject,
                    detail: (record.disabledAt != nil ? "cuenta deshabilitada" : "intento \(failures)")
                        + Self.addressDetail(address)))
                if failures % Self.attackAlarmFailures == 0 {
                    try store.appendAudit(AuditEntry(at: at, actor: "sistema", action: "cuenta_bajo_ataque",
                                                     subject: subject,
                                                     detail: "\(failures) intentos fallidos seguidos"))
                }
                return failures
            }
        } catch { throw .storage(error) }
        try throwAfterFailure(username: username, address: address, accountFailures: failures, at: at, wrong: wrong)
    }

    /// Counts the failure in the throttle and throws: `locked` when the pair must now wait, else `wrong`.
    private func throwAfterFailure(username: String, address: String, accountFailures: Int?, at: Timestamp,
                                   wrong: OperatorAccountError) throws(OperatorAccountError) -> Never
    {
        if let throttle,
           let until = throttle.recordFailure(username: username, address: address, accountFailures: accountFailures,
                                              at: at).blockedUntil
        {
            throw Self.throttledError(until: until, at: at)
        }
        throw wrong
    }

    static func addressDetail(_ address: String) -> String { address.isEmpty ? "" : " direccion=\(address)" }

    /// Clears the account's count of failures in a row (and a lock left by an older version), for the account's
    /// owner who called in: the running service's ``SignInThrottle`` sees the lower count on the next attempt and
    /// lifts the wait of every address of the account. Audited as `desbloquear_cuenta` by `actor`. False when
    /// there was nothing to lift.
    @discardableResult
    public func unlock(username rawUsername: String, by actor: String, at: Timestamp) throws(OperatorAccountError)
        -> Bool
    {
        let username = rawUsername.trimmed.lowercased()
        return try onAccount(username) { (store, record, id) throws(StoreError) -> Bool in
            let locked = (record.lockedUntil.map { $0 > at } ?? false) || record.failedLogins > 0
            try store.recordLoginSuccess(operatorID: id)
            try store.appendAudit(AuditEntry(at: at, actor: actor, action: "desbloquear_cuenta",
                                             subject: "operador:\(id)", detail: locked ? nil : "no estaba bloqueada"))
            return locked
        }
    }

    /// Runs `body` in one transaction on the account called `username` (already trimmed and lower-cased), with its
    /// record and id: what an administrator's command does to one account. No such account is `invalid`, naming it.
    private func onAccount<T>(_ username: String,
                              _ body: (any OperatorStore, OperatorRecord, Int64) throws(StoreError) -> T)
        throws(OperatorAccountError) -> T
    {
        let store = self.store
        let outcome: T?
        do {
            outcome = try store.inTransaction { () throws(StoreError) -> T? in
                guard let record = try store.operatorRecord(username: username), let id = record.id else { return nil }
                return try body(store, record, id)
            }
        } catch {
            throw .storage(error)
        }
        guard let outcome else {
            throw OperatorAccountError(.invalid, "No existe la cuenta «\(username)».", field: "usuario")
        }
        return outcome
    }

    /// The refusal of an address that must wait: the same words whether or not the username exists.
    static func throttledError(until: Timestamp, at: Timestamp) -> OperatorAccountError {
        let seconds = max(1, (until.millisecondsSince1970 - at.millisecondsSince1970 + 999) / 1000)
        let espera = Spanish.wait(seconds: Int(seconds))
        return OperatorAccountError(
            .locked, "Demasiados intentos fallidos con este usuario desde su conexión. Espere \(espera) antes de "
                + "intentar de nuevo desde aquí, o pida a un administrador que desbloquee la cuenta.",
            lockedUntil: until)
    }
}

extension String {
    /// Without leading and trailing whitespace.
    package var trimmed: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let f = scalars.first, f.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
