import Synchronization

/// At most `limit` holders at once, taken without waiting: for work that must not occupy every worker (a
/// password hash takes about half a second of a core). A caller that finds no slot answers at once (503 with
/// `Retry-After`) instead of queueing behind the others.
public final class ConcurrencyLimit: Sendable {
    public let limit: Int
    private let inUse = Atomic<Int>(0)

    public init(_ limit: Int) { self.limit = max(limit, 1) }

    /// Takes a slot; false when all are taken.
    public func tryAcquire() -> Bool {
        var current = inUse.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = inUse.compareExchange(expected: current, desired: current + 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives a slot back.
    public func release() { inUse.subtract(1, ordering: .releasing) }

    /// Slots taken now.
    public var current: Int { inUse.load(ordering: .relaxed) }
}
