public import BotonNet
import Glibc
import Synchronization

/// One sender address (its IP, not its port) as a slot number in the per-address tables of intake.
///
/// The address is hashed with Swift's `Hasher`, seeded anew in every process, so nobody can choose addresses
/// that land on a victim's slot. Two addresses may share a slot (4,096 of them): they then share a budget, which
/// errs on the side of refusing, never of letting more through.
public struct SourceKey: Sendable, Equatable {
    static let slots = 4_096
    let slot: Int

    public init(_ address: SocketAddress) {
        var hasher = Hasher()
        address.hashHost(into: &hasher)
        slot = Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.slots))
    }

    init(slot: Int) { self.slot = slot % Self.slots }

    /// This address together with something it names (a sender id): one slot per pair.
    func paired<T: Hashable>(with other: T) -> SourceKey {
        var hasher = Hasher()
        hasher.combine(slot)
        hasher.combine(other)
        return SourceKey(slot: Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.slots)))
    }

    /// An address given as text (the HTTP server's `clientAddress`).
    public init(host: String) {
        var hasher = Hasher()
        hasher.combine(host)
        slot = Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.slots))
    }
}

/// Token buckets per sender address in a table of fixed size: O(1) per frame, no allocation, and the same memory
/// whatever the number of addresses (a spoofed flood names millions). Sixteen shards, each behind its own lock
/// held for a few arithmetic operations, so the listener threads do not take turns on one lock.
final class SourceBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedNs: Int64
    }

    private final class Shard: Sendable {
        let buckets: Mutex<[Bucket]>
        init(count: Int, burst: Double) {
            buckets = Mutex(Array(repeating: Bucket(tokens: burst, updatedNs: 0), count: count))
        }
    }

    private static let shardCount = 16
    private let shards: [Shard]
    private let perNanosecond: Double
    private let burst: Double

    /// `perSecond` tokens a second per address, `burst` at once.
    init(perSecond: Int, burst: Int) {
        self.burst = Double(max(burst, 1))
        perNanosecond = Double(max(perSecond, 1)) / 1e9
        let perShard = SourceKey.slots / Self.shardCount
        shards = (0 ..< Self.shardCount).map { _ in Shard(count: perShard, burst: Double(max(burst, 1))) }
    }

    /// Takes a token for `key` at `nowNs` (a monotonic clock); false when its bucket is empty.
    func take(_ key: SourceKey, nowNs: Int64) -> Bool { update(key, nowNs: nowNs, take: true) }

    /// Whether `key` has a token now, without taking it (to decide before paying for work that may cost one).
    func hasToken(_ key: SourceKey, nowNs: Int64) -> Bool { update(key, nowNs: nowNs, take: false) }

    private func update(_ key: SourceKey, nowNs: Int64, take: Bool) -> Bool {
        let shard = shards[key.slot % Self.shardCount]
        let index = key.slot / Self.shardCount
        return shard.buckets.withLock { buckets in
            var bucket = buckets[index]
            bucket.tokens = min(burst, bucket.tokens + Double(max(0, nowNs - bucket.updatedNs)) * perNanosecond)
            bucket.updatedNs = nowNs
            let allowed = bucket.tokens >= 1
            if allowed && take { bucket.tokens -= 1 }
            buckets[index] = bucket
            return allowed
        }
    }
}

/// One token bucket for the whole process (the store reads that unknown senders may cost, all addresses together).
final class GlobalBucket: Sendable {
    private let state: Mutex<(tokens: Double, updatedNs: Int64)>
    private let perNanosecond: Double
    private let burst: Double

    init(perSecond: Int) {
        burst = Double(max(perSecond, 1))
        perNanosecond = Double(max(perSecond, 1)) / 1e9
        state = Mutex((Double(max(perSecond, 1)), 0))
    }

    func take(nowNs: Int64) -> Bool {
        state.withLock { s in
            s.tokens = min(burst, s.tokens + Double(max(0, nowNs - s.updatedNs)) * perNanosecond)
            s.updatedNs = nowNs
            guard s.tokens >= 1 else { return false }
            s.tokens -= 1
            return true
        }
    }
}

/// Nanoseconds on the monotonic clock (the buckets' time).
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
