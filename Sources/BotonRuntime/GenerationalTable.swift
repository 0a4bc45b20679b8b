import Synchronization

/// A value per key (a client address; a user name and an address) in bounded memory, for the limiters that must
/// not grow with what an attacker names, shared by BotonWebKit's `RateLimiter` and BotonEnrollment's
/// `SignInThrottle`.
///
/// Every operation costs O(1) and takes one lock for one dictionary look-up: the keys are spread over
/// ``shardCount`` shards by their hash (Swift's `Hasher`, seeded anew in every process, so nobody can aim at one
/// shard), each behind its own mutex, and each shard keeps two generations of at most `maxKeys / shardCount`
/// entries. When the current generation is full and a new key comes, it becomes the previous one and the one
/// before is dropped whole; an entry updated while in the previous generation moves to the current one. A dropped
/// entry is as if its key had never been seen: callers choose what that means (a full bucket, a pair with no
/// failures), and make an entry only for what costs the sender something.
public final class GenerationalTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Generations {
        var current: [Key: Value] = [:]
        var previous: [Key: Value] = [:]
    }

    /// One shard's entries behind its own lock (a class: a `Mutex` cannot sit in an array).
    private final class Shard: Sendable {
        let entries = Mutex(Generations())
    }

    public static var shardCount: Int { 16 }
    private let perShard: Int
    private let shards: [Shard]

    /// `maxKeys`: entries per generation, all shards together (at most twice as many are held).
    public init(maxKeys: Int) {
        perShard = max(maxKeys / Self.shardCount, 1)
        shards = (0 ..< Self.shardCount).map { _ in Shard() }
    }

    /// `body` reads the entry of `key` (nil: none) without moving it between generations.
    public func peek<R>(_ key: Key, _ body: (Value?) -> R) -> R {
        shard(key).entries.withLock { g in body(g.current[key] ?? g.previous[key]) }
    }

    /// `body` reads the entry of `key` (nil: none) without moving it between generations, and says whether to
    /// forget it. A read never makes room: only ``update(_:_:)`` of a key the current generation lacks can drop the
    /// older generation, so whatever bounds the making of entries (a password check) also bounds how often that
    /// happens.
    public func peek<R>(_ key: Key, forgetting body: (Value?) -> (result: R, forget: Bool)) -> R {
        shard(key).entries.withLock { g in
            let (result, forget) = body(g.current[key] ?? g.previous[key])
            if forget {
                g.current[key] = nil
                g.previous[key] = nil
            }
            return result
        }
    }

    /// `body` gets the entry of `key` (nil: none) and leaves what must be kept: nil removes it, a value is stored in
    /// the current generation.
    public func update<R>(_ key: Key, _ body: (inout Value?) -> R) -> R {
        shard(key).entries.withLock { g in
            var value = g.current[key] ?? g.previous.removeValue(forKey: key)
            let result = body(&value)
            guard let value else {
                g.current[key] = nil
                return result
            }
            if g.current[key] == nil && g.current.count >= perShard {
                g.previous = g.current
                g.current = [:]
                g.current.reserveCapacity(perShard)
            }
            g.current[key] = value
            return result
        }
    }

    /// Forgets `key`.
    public func remove(_ key: Key) {
        shard(key).entries.withLock { g in
            g.current[key] = nil
            g.previous[key] = nil
        }
    }

    /// Entries held now, in every shard and generation (for tests and metrics).
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.entries.withLock { $0.current.count + $0.previous.count } }
    }

    private func shard(_ key: Key) -> Shard {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
    }
}
