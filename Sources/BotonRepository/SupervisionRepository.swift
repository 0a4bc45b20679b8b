public import BotonCore

/// One sign of life of a supervised sender, as the ingestion writer records it (inside its batch's transaction).
public struct SenderSighting: Sendable, Equatable {
    public var kind: SenderKind
    /// The device id, the DC-09 account or the gateway id.
    public var sender: String
    /// What the console shows: the line (E.164) of a phone, the site's or the gateway's name.
    public var label: String
    /// The UPC whose console lists it when it falls silent.
    public var upcCode: String
    public var intervalSeconds: Int
    public var at: Timestamp
    /// When it falls silent unless it sends again (``SenderSupervision/silentAt(lastSeen:)``).
    public var silentAt: Timestamp
    /// The last position known (a phone's fix or registered address, a site's position); kept when nil.
    public var latitude: Double?
    public var longitude: Double?
    /// Whether this sighting starts the supervision of a sender not yet supervised (a phone's `latido`, a site or
    /// gateway with an interval); otherwise it only refreshes one that is.
    public var starts: Bool

    public init(kind: SenderKind, sender: String, label: String, upcCode: String, intervalSeconds: Int,
                at: Timestamp, silentAt: Timestamp, latitude: Double?, longitude: Double?, starts: Bool) {
        self.kind = kind
        self.sender = sender
        self.label = label
        self.upcCode = upcCode
        self.intervalSeconds = intervalSeconds
        self.at = at
        self.silentAt = silentAt
        self.latitude = latitude
        self.longitude = longitude
        self.starts = starts
    }
}

/// A supervised sender as stored: when it was last seen and, once the supervision pass found it silent, since when.
public struct SupervisedSender: Sendable, Equatable {
    public var kind: SenderKind
    public var sender: String
    public var label: String
    public var upcCode: String
    public var intervalSeconds: Int
    public var lastSeenAt: Timestamp
    public var silentAt: Timestamp
    /// Set by the supervision pass (the instant it fell silent); nil while the sender is heard.
    public var silentSince: Timestamp?
    public var latitude: Double?
    public var longitude: Double?

    public init(kind: SenderKind, sender: String, label: String, upcCode: String, intervalSeconds: Int,
                lastSeenAt: Timestamp, silentAt: Timestamp, silentSince: Timestamp?, latitude: Double?,
                longitude: Double?) {
        self.kind = kind
        self.sender = sender
        self.label = label
        self.upcCode = upcCode
        self.intervalSeconds = intervalSeconds
        self.lastSeenAt = lastSeenAt
        self.silentAt = silentAt
        self.silentSince = silentSince
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// Supervision of senders (`sender_supervision`, migration 12). Every read is an index range with a limit: with a
/// million and a half phones supervised, nothing scans the table.
public protocol SupervisionRepository {
    /// The writer's batch of signs of life: each refreshes its sender's row (clearing a silence), or creates it
    /// when ``SenderSighting/starts``.
    func recordSightings(_ sightings: [SenderSighting]) throws(StoreError)
    /// Senders past their deadline at `now` and not yet marked silent, the longest overdue first, at most `limit`.
    func sendersFallingSilent(now: Timestamp, limit: Int) throws(StoreError) -> [SupervisedSender]
    /// Whether the sender may still send (a device not revoked, a site enabled with an interval, a gateway not
    /// revoked with an interval).
    func senderIsSupervisable(kind: SenderKind, sender: String) throws(StoreError) -> Bool
    /// Marks it silent since `since` if it is still past its deadline at `now` and unmarked (a frame may have come
    /// meanwhile). True when marked.
    func markSilent(kind: SenderKind, sender: String, since: Timestamp, now: Timestamp) throws(StoreError) -> Bool
    /// Stops supervising it (revoked or disabled).
    func stopSupervising(kind: SenderKind, sender: String) throws(StoreError)
    /// Silent senders of these UPCs (nil: every UPC), the longest silent first, at most `limit`.
    func silentSenders(upcs: [String]?, limit: Int) throws(StoreError) -> [SupervisedSender]
    /// How many senders are silent now, by kind.
    func silentSenderCounts() throws(StoreError) -> [SenderKind: Int]
    /// One sender's row, if supervised.
    func supervisedSender(kind: SenderKind, sender: String) throws(StoreError) -> SupervisedSender?
}
