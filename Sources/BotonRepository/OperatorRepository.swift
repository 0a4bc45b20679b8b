public import BotonCore

/// A police operator account as stored. The password is kept only as a PBKDF2 hash with its salt and rounds.
public struct OperatorRecord: Sendable, Equatable {
    public var id: Int64?
    public var username: String
    public var displayName: String
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

    public init(id: Int64? = nil, username: String, displayName: String, role: OperatorRole, upcCode: String?,
                districtCode: String?, passwordHash: [UInt8], passwordSalt: [UInt8], passwordRounds: Int,
                failedLogins: Int = 0, lockedUntil: Timestamp? = nil, createdAt: Timestamp,
                disabledAt: Timestamp? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName
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

/// Operator accounts and the territory facts their scopes refer to.
public protocol OperatorRepository {
    func insertOperator(_ record: OperatorRecord) throws(StoreError) -> Int64
    func operatorRecord(username: String) throws(StoreError) -> OperatorRecord?
    func operatorRecord(id: Int64) throws(StoreError) -> OperatorRecord?
    /// Stores the failure count and, when the account is being locked, until when.
    func recordLoginFailure(operatorID: Int64, failedLogins: Int, lockedUntil: Timestamp?) throws(StoreError)
    /// Clears the failure count and any lock.
    func recordLoginSuccess(operatorID: Int64) throws(StoreError)
    /// The name of the UPC with `code`, if it exists.
    func upcName(code: String) throws(StoreError) -> String?
    /// The name of the distrito with `code`, if it exists.
    func districtName(code: String) throws(StoreError) -> String?
}
