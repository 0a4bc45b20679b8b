import BotonCore
import BotonRepository
import BotonRuntime
import Synchronization

/// What an event from a site (SIA DC-09, decoded and decrypted by BotonDC09 on a listener thread) asks of the
/// writer.
public enum SiteEventClass: String, Sendable, CaseIterable {
    /// Panic, duress, hold-up: opens an alert (or joins the site's open one).
    case alerta
    /// A test report: a test alert, which never counts.
    case prueba
    /// A cancel, or an opening after an alarm: shown on the site's open alert as its cancellation; nothing else.
    case cancelacion
    /// Anything else: acknowledged and counted by code, not shown.
    case otro
    /// A `NULL` poll (link test): nothing but a sign of life for the site's supervision.
    case sondeo
}

/// One event from a site, ready for the writer.
public struct SiteEvent: Sendable {
    /// The DC-09 account (upper-case hexadecimal).
    public var account: String
    /// The message's sequence number (0–9999).
    public var sequence: Int
    /// A hash of what the message says (token, account, data, extended data; not the padding, not the timestamp):
    /// the same sequence with the same fingerprint is a retransmission.
    public var fingerprint: [UInt8]
    public var eventClass: SiteEventClass
    /// `SIA PA`, `CID 120`.
    public var code: String
    /// The code's meaning in Spanish.
    public var meaning: String
    /// A position sent by the site in its extended data (X/Y), which wins over the site's registered address.
    public var position: (latitude: Double, longitude: Double)?

    public init(account: String, sequence: Int, fingerprint: [UInt8], eventClass: SiteEventClass, code: String,
                meaning: String, position: (latitude: Double, longitude: Double)?) {
        self.account = account
        self.sequence = sequence
        self.fingerprint = fingerprint
        self.eventClass = eventClass
        self.code = code
        self.meaning = meaning
        self.position = position
    }
}

/// What became of a site's event, reported after the commit (or the failure).
public enum SiteOutcome: Sendable, Equatable {
    /// Committed; the alert it opened or joined, if any.
    case stored(incident: Int64?, upc: String?)
    /// A retransmission of an event already committed: acknowledge again.
    case duplicate(incident: Int64?)
    /// A `NULL` poll, its sign of life committed (for a supervised site): acknowledge. Not counted as a frame stored.
    case polled
    /// The account is not registered, or disabled (the writer's own reading).
    case unknownSite
    /// Not stored (queue full, server stopping, commit failed): the site must send again.
    case busy
}

/// A site's event waiting for the writer, with where its outcome goes.
final class SiteRequest: Sendable {
    let event: SiteEvent
    let reply: @Sendable (SiteOutcome) -> Void

    init(event: SiteEvent, reply: @escaping @Sendable (SiteOutcome) -> Void) {
        self.event = event
        self.reply = reply
    }
}

/// A site as the listener threads need it: whether it may send, and its key.
public enum SiteLookup: Sendable, Equatable {
    case known(key: [UInt8]?)
    /// Not registered, or disabled.
    case unknown
    /// Not read now (the read budget of the address or of the process is spent, or the store is unreadable).
    case unverified
}

/// Sites' keys for the listener threads, cached (ten seconds) and read within the same budgets as phones'
/// credentials (`ingest.lookups_per_address_per_second`, `ingest.lookups_per_second`): random accounts cost a
/// bounded number of store reads, whatever their rate.
final class SiteGate: Sendable {
    private struct Entry {
        var lookup: SiteLookup
        var readNs: Int64
    }

    private let cache = Mutex<[String: Entry]>([:])
    private let readers: any StoreProvider
    private let perAddress: SourceBuckets
    private let global: GlobalBucket
    private let capacity: Int
    static let ttlNanoseconds: Int64 = 10_000_000_000

    init(readers: any StoreProvider, lookupsPerSecond: Int, lookupsPerAddressPerSecond: Int, capacity: Int = 65_536) {
        self.readers = readers
        global = GlobalBucket(perSecond: lookupsPerSecond)
        perAddress = SourceBuckets(perSecond: lookupsPerAddressPerSecond, burst: 2 * lookupsPerAddressPerSecond)
        self.capacity = capacity
    }

    func lookup(account: String, source: SourceKey?) -> SiteLookup {
        let now = monotonicNanoseconds()
        if let entry = cache.withLock({ $0[account] }), now - entry.readNs < Self.ttlNanoseconds {
            return entry.lookup
        }
        if let source, !perAddress.take(source, nowNs: now) { return .unverified }
        guard global.take(nowNs: now) else { return .unverified }
        let lookup: SiteLookup
        do {
            lookup = try readers.withConnection { (store) throws(StoreError) -> SiteLookup in
                guard let site = try store.site(account: account), site.disabledAt == nil else { return .unknown }
                return .known(key: site.key)
            }
        } catch {
            return .unverified
        }
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[account] = Entry(lookup: lookup, readNs: now)
        }
        return lookup
    }
}
