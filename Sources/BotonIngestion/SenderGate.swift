import BotonRepository
import BotonWire
import Synchronization

/// Authenticates frames on the listener threads, before they take a place in the writer's queue: only frames that
/// carry a valid MAC of a known sender compete for the one writer. A flood of well-shaped frames (random ids, or a
/// known id with a wrong MAC: ids travel in clear) is answered, or not, where it arrives, and costs the writer
/// nothing.
///
/// The gate reads credentials through a cache; the writer still authenticates every frame against its own
/// connection, so the gate may trust what it read a little while ago:
/// - A known sender's secret never changes (a line registered again gets a new device), so a cached secret checks
///   the MAC for as long as it is cached; it is read again after ``ttlNanoseconds`` when the global read budget
///   allows, to notice a revocation early (the writer refuses a revoked device anyway). A revoked device's
///   authentic frame is answered *rechazada dada_de_baja*, signed with its key, without reaching the writer.
/// - An unknown id is remembered as unknown for ``ttlNanoseconds``: a device provisioned meanwhile is answered
///   *desconocido* for at most that long.
/// - A sender not in the cache costs one store read, taken from a per-address budget
///   (`ingest.lookups_per_address_per_second`) and a process-wide one (`ingest.lookups_per_second`). Beyond
///   either, the frame is answered *ocupado-reintente* (the client retries with backoff) and not queued.
///
/// The cache holds at most `2 × capacity` senders (sixteen shards, two generations each: when a shard's current
/// generation is full, it becomes the previous one and the one before is dropped; an entry found in the previous
/// generation moves to the current one). Every lock is held for a dictionary look-up, never across the store read.
final class SenderGate: Sendable {
    /// What the gate decided for a frame.
    enum Verdict {
        /// A known sender's valid MAC: queue it for the writer.
        case pass
        /// Unknown (or a revoked gateway): the short rejection *desconocido*.
        case unknown
        /// A revoked device's valid MAC: *rechazada dada_de_baja*, signed with the device's key (the button was
        /// switched off, and the phone can believe it).
        case revoked(key: [UInt8])
        /// A known sender, a MAC that does not verify: *rechazada clave*, signed with the sender's key (so a
        /// phone with a wrong key learns it; the answer proves nothing to whoever forged the frame).
        case forged(key: [UInt8])
        /// Not checked now (read budget spent, or the store unreadable): *ocupado-reintente*, unauthenticated.
        case unverified
        /// Not checked at all: this address sent too many frames with a wrong MAC for this sender in the last
        /// moments (`ingest.forgeries_per_address_per_second`). Dropped without an answer over UDP.
        case throttled
    }

    private struct Entry {
        /// Nil: the store does not know this sender.
        var secret: [UInt8]?
        var revoked: Bool
        var readNs: Int64
    }

    private struct Generations {
        var current: [FrameSender: Entry] = [:]
        var previous: [FrameSender: Entry] = [:]
    }

    private final class Shard: Sendable {
        let entries = Mutex(Generations())
    }

    static let ttlNanoseconds: Int64 = 10_000_000_000
    private static let shardCount = 16
    private let shards: [Shard]
    private let perShard: Int
    private let readers: any StoreProvider
    private let perAddress: SourceBuckets
    private let global: GlobalBucket
    /// Failed MAC checks per (address, sender): past the budget, frames of that pair are not verified at all.
    private let forgeries: SourceBuckets
    /// Frames dropped unverified for that reason.
    let throttled = Atomic<Int>(0)
    /// Store reads made (misses and refreshes), for `/metrics`.
    let lookups = Atomic<Int>(0)
    /// Frames answered *ocupado-reintente* because the read budget was spent.
    let overBudget = Atomic<Int>(0)

    /// `readers`: connections to read credentials with (never the writer's). `capacity`: senders cached per
    /// generation.
    init(readers: any StoreProvider, lookupsPerSecond: Int, lookupsPerAddressPerSecond: Int,
         forgeriesPerAddressPerSecond: Int = 10, capacity: Int = 65_536) {
        forgeries = SourceBuckets(perSecond: forgeriesPerAddressPerSecond, burst: 2 * forgeriesPerAddressPerSecond)
        self.readers = readers
        perShard = max(capacity / Self.shardCount, 1)
        shards = (0 ..< Self.shardCount).map { _ in Shard() }
        global = GlobalBucket(perSecond: lookupsPerSecond)
        perAddress = SourceBuckets(perSecond: lookupsPerAddressPerSecond, burst: 2 * lookupsPerAddressPerSecond)
    }

    func check(_ bytes: UnsafeRawBufferPointer, header: FrameHeader, source: SourceKey?) -> Verdict {
        let now = monotonicNanoseconds()
        let shard = shards[Int(UInt(bitPattern: header.sender.hashValue) % UInt(Self.shardCount))]
        let cached = shard.entries.withLock { g -> Entry? in
            if let entry = g.current[header.sender] { return entry }
            guard let entry = g.previous.removeValue(forKey: header.sender) else { return nil }
            insert(entry, for: header.sender, into: &g)
            return entry
        }
        var entry: Entry
        if let cached, now - cached.readNs < Self.ttlNanoseconds {
            entry = cached
        } else if let cached, cached.secret != nil {
            // Stale but known: its secret still checks the MAC. Read again when the budget allows.
            entry = global.take(nowNs: now) ? (read(header.sender, now: now, in: shard) ?? cached) : cached
        } else {
            // Never seen, or unknown a while ago: a store read, within the sender address's and the global budget.
            if let source, !perAddress.take(source, nowNs: now) {
                overBudget.add(1, ordering: .relaxed)
                return .unverified
            }
            guard global.take(nowNs: now) else {
                overBudget.add(1, ordering: .relaxed)
                return .unverified
            }
            guard let read = read(header.sender, now: now, in: shard) else { return .unverified }
            entry = read
        }
        guard let secret = entry.secret else { return .unknown }
        if entry.revoked, case .gateway = header.sender { return .unknown }
        // A known id travels in clear: an address that keeps sending it with wrong MACs stops costing a MAC
        // check each (the flood's price), without touching the same sender from any other address.
        let pair = source?.paired(with: header.sender)
        if let pair, !forgeries.hasToken(pair, nowNs: now) {
            throttled.add(1, ordering: .relaxed)
            return .throttled
        }
        let authentic = secret.withUnsafeBytes { key in
            switch header.sender {
            case .device: return DeviceFrame.verify(bytes, secret: key)
            case .gateway: return GatewayFrame.verify(bytes, secret: key)
            }
        }
        if !authentic, let pair { _ = forgeries.take(pair, nowNs: now) }
        guard authentic else { return .forged(key: secret) }
        return entry.revoked ? .revoked(key: secret) : .pass
    }

    /// Reads the sender's credential on a borrowed connection and caches it; nil when the store cannot be read.
    private func read(_ sender: FrameSender, now: Int64, in shard: Shard) -> Entry? {
        lookups.add(1, ordering: .relaxed)
        let entry: Entry
        do {
            entry = try readers.withConnection { (store) throws(StoreError) -> Entry in
                switch sender {
                case .device(let id):
                    let credential = try store.deviceCredential(id: id.description)
                    return Entry(secret: credential?.secret, revoked: credential?.revoked ?? false, readNs: now)
                case .gateway(let id):
                    let credential = try store.gatewayCredential(id: id.description)
                    return Entry(secret: credential?.secret, revoked: credential?.revoked ?? false, readNs: now)
                }
            }
        } catch {
            return nil
        }
        shard.entries.withLock { insert(entry, for: sender, into: &$0) }
        return entry
    }

    private func insert(_ entry: Entry, for sender: FrameSender, into g: inout Generations) {
        if g.current[sender] == nil && g.current.count >= perShard {
            g.previous = g.current
            g.current = [:]
            g.current.reserveCapacity(perShard)
        }
        g.current[sender] = entry
    }

    /// Senders cached now (tests).
    var cachedSenders: Int {
        shards.reduce(0) { $0 + $1.entries.withLock { $0.current.count + $0.previous.count } }
    }
}
