import BotonRuntime

/// The bounded queue between the listeners and the one writer; it also carries the alerts that the console feed has
/// shown (to be marked *notificada* by the writer, the only connection that writes under alert load).
///
/// `offer` never blocks: when the queue is full (or closed for shutdown) it returns false and the caller answers
/// *ocupado-reintente* at once. `takeBatch` blocks the writer until a frame is there, then keeps collecting
/// until the batch holds `maxFrames` or `window` has passed since the first frame was queued: a frame that
/// arrived while the writer was committing the previous batch has already waited, and does not wait a whole
/// window again. The lock guards only the ring's indices and is never held across I/O.
///
/// One sender address may hold at most `sharePerAddress` of the queued frames (counted per ``SourceKey`` slot):
/// a flood of authenticated frames from one address (a compromised phone, a misbehaving gateway) fills its own
/// share, not the queue that every other sender needs.
final class CommitQueue: @unchecked Sendable {
    private let condition = ThreadCondition()
    private var ring: [IngestRequest?]
    /// When each slot's frame was queued.
    private var queuedAt: [ContinuousClock.Instant]
    private var head = 0
    private var count = 0
    private var closed = false
    /// Alerts shown on a console of their UPC, not yet marked notificada.
    private var shown: [Int64] = []
    private let maxFrames: Int
    /// Frames queued per sender address slot.
    private var queuedBySource: [Int32]
    private let sharePerAddress: Int

    init(capacity: Int, maxFrames: Int, sharePerAddress: Int = .max) {
        ring = Array(repeating: nil, count: max(capacity, 1))
        queuedAt = Array(repeating: ContinuousClock.now, count: max(capacity, 1))
        self.maxFrames = max(maxFrames, 1)
        queuedBySource = Array(repeating: 0, count: SourceKey.slots)
        self.sharePerAddress = max(sharePerAddress, 1)
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Why ``offer(_:)`` refused a frame.
    enum Refusal: Error { case full, addressShare, closed }

    func offer(_ request: IngestRequest) -> Result<Void, Refusal> {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return .failure(.closed) }
        guard count < ring.count else { return .failure(.full) }
        if request.sourceSlot >= 0 {
            let slot = Int(request.sourceSlot)
            guard Int(queuedBySource[slot]) < sharePerAddress else { return .failure(.addressShare) }
            queuedBySource[slot] += 1
        }
        ring[(head + count) % ring.count] = request
        queuedAt[(head + count) % ring.count] = ContinuousClock.now
        count += 1
        if count == 1 || count >= maxFrames { condition.broadcast() }
        return .success(())
    }

    /// Queues alerts to mark notificada with the next batch (at once when no frame is waiting). False once closed.
    func offer(shown ids: [Int64]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        let wasIdle = count == 0 && shown.isEmpty
        shown += ids
        if wasIdle { condition.broadcast() }
        return true
    }

    /// Refuses new frames; the writer still takes what is queued.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Fills `batch` and `shown` (emptied first). Returns false once closed and empty: the writer stops. Alerts to
    /// mark alone do not wait for the window: they are committed at once. With `idle`, waits at most that long for
    /// the first frame and returns true with both empty when none came (the writer, without a connection, tries to
    /// reconnect even when nobody sends).
    func takeBatch(into batch: inout [IngestRequest], shown marks: inout [Int64], window: Double,
                   idle: Duration? = nil) -> Bool {
        batch.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        if let idle {
            let deadline = ContinuousClock.now + idle
            while count == 0 && shown.isEmpty && !closed {
                let left = deadline - ContinuousClock.now
                if left <= .zero || !condition.wait(timeout: left) { break }
            }
            if count == 0 && shown.isEmpty { return !closed }
        }
        while count == 0 && shown.isEmpty && !closed { condition.wait() }
        if count == 0 && shown.isEmpty { return false }
        swap(&marks, &shown)
        if count > 0 && window > 0 && count < maxFrames && !closed {
            let deadline = queuedAt[head] + .nanoseconds(Int64(window * 1e9))
            while count < maxFrames && !closed {
                let left = deadline - ContinuousClock.now
                if left <= .zero || !condition.wait(timeout: left) { break }
            }
        }
        let n = min(count, maxFrames)
        for _ in 0..<n {
            let request = ring[head]!
            if request.sourceSlot >= 0 { queuedBySource[Int(request.sourceSlot)] -= 1 }
            batch.append(request)
            ring[head] = nil
            head = (head + 1) % ring.count
            count -= 1
        }
        return true
    }
}
