public import BotonCore

/// A site that reports over SIA DC-09 (an alarm panel or a hardware panic button), registered by
/// `boton dc09 account add`. Its alerts are those of a synthetic line, ``lineE164`` (`dc09:<account>`), so the
/// console, escalation and false-alarm rules treat a site like any registered line.
public struct SiteRecord: Sendable, Equatable {
    /// The DC-09 account, upper-case hexadecimal (3 to 16 digits).
    public var account: String
    /// The AES key (16, 24 or 32 bytes), or nil: the site sends in clear.
    public var key: [UInt8]?
    public var name: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    /// Who answers for the site, E.164.
    public var contactE164: String
    public var createdAt: Timestamp
    public var disabledAt: Timestamp?
    /// The panel's poll interval in seconds (`--supervision-s`): silent past it plus `supervision.grace_s`, the
    /// site is listed "Sin señal". Nil: not supervised.
    public var supervisionSeconds: Int?

    public init(account: String, key: [UInt8]?, name: String, address: String, latitude: Double, longitude: Double,
                contactE164: String, createdAt: Timestamp, disabledAt: Timestamp? = nil,
                supervisionSeconds: Int? = nil) {
        self.supervisionSeconds = supervisionSeconds
        self.account = account
        self.key = key
        self.name = name
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.contactE164 = contactE164
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    /// The synthetic line the site's alerts belong to.
    public var lineE164: String { Self.line(account: account) }

    public static func line(account: String) -> String { "dc09:\(account)" }
}

/// What an alert from a site shows on the console: the site and the event that opened the alert.
public struct IncidentSite: Sendable, Equatable {
    public var account: String
    public var name: String
    public var address: String
    public var contactE164: String
    /// The event code as sent (`SIA PA`, `CID 120`) and its Spanish meaning.
    public var eventCode: String
    public var eventMeaning: String

    public init(account: String, name: String, address: String, contactE164: String, eventCode: String,
                eventMeaning: String) {
        self.account = account
        self.name = name
        self.address = address
        self.contactE164 = contactE164
        self.eventCode = eventCode
        self.eventMeaning = eventMeaning
    }
}

/// DC-09 sites: registered by the CLI, read by the receiver's listeners (keys) and the ingestion writer.
public protocol SiteRepository {
    /// Registers a site; its synthetic line is created with the site's position (`subcircuit`: where it falls).
    /// Fails with a constraint error when the account exists.
    func addSite(_ site: SiteRecord, subcircuit: String?) throws(StoreError)
    func site(account: String) throws(StoreError) -> SiteRecord?
    func sites() throws(StoreError) -> [SiteRecord]
    /// True when the site existed and was enabled.
    func disableSite(account: String, at: Timestamp) throws(StoreError) -> Bool
    /// Marks an alert as the site's, with the event that opened it.
    func tagSiteIncident(_ id: Int64, account: String, eventCode: String, eventMeaning: String) throws(StoreError)
    /// A receipt with when it was stored (DC-09 sequences wrap at 9999, so an old receipt is not a retransmission).
    func receiptWithTime(sender: [UInt8], sequence: UInt64) throws(StoreError) -> (FrameReceipt, Timestamp)?
    /// Stores a receipt, replacing an older one of the same sender and sequence.
    func replaceReceipt(sender: [UInt8], sequence: UInt64, kind: String, receipt: FrameReceipt, at: Timestamp)
        throws(StoreError)
}
