public import BotonCore

/// A police operator account as stored. The password is kept only as a PBKDF2 hash with its salt and rounds.
public struct OperatorRecord: Sendable, Equatable {
    public var id: Int64?
    public var username: String
    public var displayName: String
    /// The officer's rank (`grado`), e.g. `Sbte.`; nil for accounts made before ranks were kept.
    public var rank: String?
    /// `operador_upc`, `supervisor_distrito` or `administrador`.
    public var role: OperatorRole
    public var upcCode: String?
    public var districtCode: String?
    public var passwordHash: [UInt8]
    public var passwordSalt: [UInt8]
    public var passwordRounds: Int
    public var failedLogins: Int
    public var lockedUntil: Timestamp?
    public var createdAt: Timestamp
    public var disabledAt: Timestamp?

    public init(id: Int64? = nil, username: String, displayName: String, rank: String? = nil, role: OperatorRole,
                upcCode: String?,
                districtCode: String?, passwordHash: [UInt8], passwordSalt: [UInt8], passwordRounds: Int,
                failedLogins: Int = 0, lockedUntil: Timestamp? = nil, createdAt: Timestamp,
                disabledAt: Timestamp? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.rank = rank
        self.role = role
        self.upcCode = upcCode
        self.districtCode = districtCode
        self.passwordHash = passwordHash
        self.passwordSalt = passwordSalt
        self.passwordRounds = passwordRounds
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

extension OperatorRecord {
    /// How a person reads the operator in histories: rank and name (`Sbte. Andrade`), or the name alone.
    public var shownName: String { OperatorIdentity.shownName(rank: rank, name: displayName) }
}

/// Operator accounts and the territory facts their scopes refer to.
public protocol OperatorRepository {
    func insertOperator(_ record: OperatorRecord) throws(StoreError) -> Int64
    func operatorRecord(username: String) throws(StoreError) -> OperatorRecord?
    func operatorRecord(id: Int64) throws(StoreError) -> OperatorRecord?
    /// Stores the failure count and, when the account is being locked, until when.
    func recordLoginFailure(operatorID: Int64, failedLogins: Int, lockedUntil: Timestamp?) throws(StoreError)
    /// Every account, by username (`boton operator list`).
    func operatorRecords() throws(StoreError) -> [OperatorRecord]
    /// The shown names (``OperatorRecord/shownName``) of the accounts with these ids; unknown ids are left out.
    func operatorNames(ids: Set<Int64>) throws(StoreError) -> [Int64: String]
    /// Disables the account at `at` (nil enables it again).
    func setOperatorDisabled(id: Int64, at: Timestamp?) throws(StoreError)
    /// Replaces the password hash (a reset): also clears the failure count.
    func setOperatorPassword(id: Int64, hash: [UInt8], salt: [UInt8], rounds: Int) throws(StoreError)
    /// Clears the failure count and any lock.
    func recordLoginSuccess(operatorID: Int64) throws(StoreError)
    /// The name of the UPC with `code`, if it exists.
    func upcName(code: String) throws(StoreError) -> String?
    /// The name of the distrito with `code`, if it exists.
    func districtName(code: String) throws(StoreError) -> String?
}
