public import BotonCore
import BotonCrypto
public import BotonRepository
public import BotonRuntime

/// What ``OperatorAccounts`` needs of the store.
public typealias OperatorStore = Transactional & OperatorRepository & AuditLogRepository & SessionRepository

/// Why an account operation failed, with the Spanish sentence to show and a kind the web layer maps to a status.
///
/// Kinds: a wrong field is `invalid` (`field` says which); a taken username `conflict`; a wrong username or
/// password (never saying which), or a disabled account, `unauthorized`; too many failures `locked` until
/// `lockedUntil`; a store failure `unavailable`, with the cause in `detail`.
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
/// - Sign-in compares hashes in constant time. Unknown usernames cost the same PBKDF2 work as known ones and
///   get the same answer as a wrong password. After ``maximumFailures`` consecutive failures the account is
///   locked for ``lockoutSeconds`` (15 minutes); a correct password during the lock is refused too; success
///   clears the count.
/// - Audit: `crear_operador`, `inicio_sesion`, `inicio_sesion_fallido`, `cuenta_bloqueada`.
///
/// Like ``EnrollmentService``, a value of this type works on the one connection it was given; make one per
/// request, over the connection lent to it. The PBKDF2 work (about half a second) runs outside any transaction, so it never holds
/// the database's write lock.
public struct OperatorAccounts {
    public static let minimumPasswordLength = 12
    public static let maximumPasswordLength = 256
    public static let defaultPasswordRounds = 600_000
    public static let saltLength = 16
    public static let maximumFailures = 5
    public static let lockoutSeconds: Int64 = 15 * 60

    public let store: any OperatorStore
    public let passwordRounds: Int

    /// `passwordRounds` is for tests and benchmarks only; production uses the default.
    public init(store: any OperatorStore, passwordRounds: Int = OperatorAccounts.defaultPasswordRounds) {
        self.store = store
        self.passwordRounds = passwordRounds
    }

    /// Creates an account. `username` is lower-cased; an `operador_upc` needs `upc` (its distrito is taken from
    /// the UPC), a `supervisor_distrito` needs `district`, an `administrador` neither.
    @discardableResult
    public func add(username rawUsername: String, displayName rawDisplayName: String, role: OperatorRole,
                    upc: String?, district: String?, password: String, at: Timestamp, by author: Author = .sistema)
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
        guard password.count >= Self.minimumPasswordLength else {
            throw OperatorAccountError(.invalid, "La contraseña debe tener al menos \(Self.minimumPasswordLength) caracteres.",
                                       field: "contrasena")
        }
        guard password.count <= Self.maximumPasswordLength else {
            throw OperatorAccountError(.invalid, "La contraseña no puede tener más de \(Self.maximumPasswordLength) caracteres.",
                                       field: "contrasena")
        }
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
        let salt: [UInt8], hash: [UInt8]
        do {
            salt = try Digest.randomBytes(Self.saltLength)
            hash = try Digest.pbkdf2SHA256(password: Array(password.utf8), salt: salt, rounds: passwordRounds)
        } catch {
            throw OperatorAccountError(.unavailable, "No se pudo proteger la contraseña; intente de nuevo.",
                                       detail: "\(error)")
        }
        let record = OperatorRecord(username: username, displayName: displayName, role: role,
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
        return OperatorIdentity(id: id, username: username, displayName: displayName, role: role, upcCode: upcCode,
                                districtCode: districtCode)
    }

    /// Checks a username and password; returns the operator's identity, or throws `unauthorized` (wrong
    /// username or password, disabled account) or `locked`.
    public func authenticate(username rawUsername: String, password: String, at: Timestamp)
        throws(OperatorAccountError) -> OperatorIdentity
    {
        let username = rawUsername.trimmed.lowercased()
        let wrong = OperatorAccountError(.unauthorized, "Usuario o contraseña incorrectos.")
        let found: OperatorRecord?
        do { found = try store.operatorRecord(username: username) } catch { throw .storage(error) }
        guard let record = found, let id = record.id else {
            // Same work as a real check, so that timing does not tell which usernames exist.
            _ = try? Digest.pbkdf2SHA256(password: Array(password.utf8), salt: Array(repeating: 0, count: Self.saltLength),
                                         rounds: passwordRounds)
            throw wrong
        }
        if let until = record.lockedUntil, until > at {
            throw Self.lockedError(until: until, justNow: false)
        }
        let candidate = (try? Digest.pbkdf2SHA256(password: Array(password.utf8), salt: record.passwordSalt,
                                                  rounds: record.passwordRounds, length: record.passwordHash.count))
            ?? []
        let matches = Digest.constantTimeEqual(candidate, record.passwordHash)
        let subject = "operador:\(id)"
        let store = self.store
        if matches && record.disabledAt == nil {
            do {
                try store.inTransaction { () throws(StoreError) in
                    try store.recordLoginSuccess(operatorID: id)
                    try store.appendAudit(AuditEntry(at: at, actor: subject, action: "inicio_sesion", subject: subject))
                }
            } catch { throw .storage(error) }
            let role = record.role
            return OperatorIdentity(id: id, username: record.username, displayName: record.displayName, role: role,
                                    upcCode: record.upcCode, districtCode: record.districtCode)
        }
        // A failure: count it on the current row (another connection may have counted one meanwhile).
        let lockedUntil: Timestamp?
        do {
            lockedUntil = try store.inTransaction { () throws(StoreError) -> Timestamp? in
                guard let fresh = try store.operatorRecord(id: id) else { return nil }
                if let until = fresh.lockedUntil, until > at { return until }
                let failures = fresh.failedLogins + 1
                let lock = failures >= Self.maximumFailures ? at.adding(seconds: Self.lockoutSeconds) : nil
                try store.recordLoginFailure(operatorID: id, failedLogins: lock == nil ? failures : 0, lockedUntil: lock)
                try store.appendAudit(AuditEntry(
                    at: at, actor: subject, action: "inicio_sesion_fallido", subject: subject,
                    detail: record.disabledAt != nil ? "cuenta deshabilitada" : "intento \(failures)"))
                if let lock {
                    try store.appendAudit(AuditEntry(at: at, actor: "sistema", action: "cuenta_bloqueada",
                                                     subject: subject, detail: "hasta \(lock.millisecondsSince1970)"))
                }
                return lock
            }
        } catch { throw .storage(error) }
        if let lockedUntil { throw Self.lockedError(until: lockedUntil, justNow: true) }
        throw wrong
    }

    /// Lifts a lockout (and the count of failures) before its time, for the account's owner who called in;
    /// audited as `desbloquear_cuenta` by `actor`. False when the account was not locked.
    @discardableResult
    public func unlock(username rawUsername: String, by actor: String, at: Timestamp) throws(OperatorAccountError)
        -> Bool
    {
        let username = rawUsername.trimmed.lowercased()
        let store = self.store
        let outcome: Bool?
        do {
            outcome = try store.inTransaction { () throws(StoreError) -> Bool? in
                guard let record = try store.operatorRecord(username: username), let id = record.id else { return nil }
                let locked = (record.lockedUntil.map { $0 > at } ?? false) || record.failedLogins > 0
                try store.recordLoginSuccess(operatorID: id)
                try store.appendAudit(AuditEntry(at: at, actor: actor, action: "desbloquear_cuenta",
                                                 subject: "operador:\(id)",
                                                 detail: locked ? nil : "no estaba bloqueada"))
                return locked
            }
        } catch {
            throw .storage(error)
        }
        guard let outcome else {
            throw OperatorAccountError(.invalid, "No existe la cuenta «\(username)».", field: "usuario")
        }
        return outcome
    }

    static func lockedError(until: Timestamp, justNow: Bool) -> OperatorAccountError {
        let cuando = EcuadorTime.text(until)
        let mensaje = justNow
            ? "Demasiados intentos fallidos: la cuenta quedó bloqueada hasta las \(cuando). Espere o pida a un administrador que la desbloquee."
            : "La cuenta está bloqueada hasta las \(cuando) por intentos fallidos. Espere o pida a un administrador que la desbloquee."
        return OperatorAccountError(.locked, mensaje, lockedUntil: until)
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
