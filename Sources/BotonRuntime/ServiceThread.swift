import Synchronization

/// The life of each background job of the service (the console feed, the escalation, the WAL checkpoints, the
/// monthly close, the health readings, the event streams' heartbeat): one named thread running
/// one loop that sleeps in ``pause(_:)`` until its time passes or someone calls ``wake()``, and returns once
/// ``stop()`` is called, which joins it. Everything the loop owns (its store connection, its state) stays on its
/// thread; other threads only wake it.
///
/// A loop that returns before it was told to stop has died: ``failure`` then says so (with the reason the loop gave
/// through ``fail(_:)``, if any), and the component that owns the thread reports it (`/salud` answers 503).
public final class ServiceThread: @unchecked Sendable {
    /// What `top` and `/proc/…/comm` show: at most 15 characters.
    public let name: String
    private let condition = ThreadCondition()
    /// Set by ``wake()``, cleared by ``pause(_:)``. An atomic, so that wake-ups while one is pending cost no lock
    /// (the console feed is woken after every commit); it is set before the condition is signalled under its lock,
    /// and read under that lock before waiting, so no wake-up is lost.
    private let woken = Atomic<Bool>(false)
    // Guarded by `condition`.
    private var stopping = false
    private var thread: JoinableThread?
    private let failed = Mutex<String?>(nil)

    public init(name: String) {
        precondition(name.utf8.count <= 15, "the kernel keeps 15 characters of a thread's name")
        self.name = name
    }

    /// Runs `loop` on a new thread. False (and nothing happens) when it was started already or has been stopped.
    @discardableResult
    public func start(_ loop: @escaping @Sendable () -> Void) -> Bool {
        condition.withLock { () -> Bool in
            guard thread == nil, !stopping else { return false }
            thread = JoinableThread(named: name) { [self] in
                loop()
                let told = condition.withLock { stopping }
                if !told { fail("the loop ended without being told to stop") }
            }
            return true
        }
    }

    /// Cheap, from any thread: the loop's current or next ``pause(_:)`` returns at once. Calls made before it wakes
    /// count once.
    public func wake() {
        guard !woken.exchange(true, ordering: .acquiringAndReleasing) else { return }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    /// Sleeps until woken or `timeout` has passed (not at all for zero). False once the thread is told to stop:
    /// the loop then returns.
    public func pause(_ timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if timeout > .zero {
            let deadline = ContinuousClock.now + timeout
            while !woken.load(ordering: .acquiring) && !stopping {
                let left = deadline - ContinuousClock.now
                if left <= .zero || !condition.wait(timeout: left) { break }
            }
        }
        woken.store(false, ordering: .releasing)
        return !stopping
    }

    /// Tells the loop to stop, wakes it and joins its thread. Does nothing when it never started or has been stopped
    /// already.
    public func stop() {
        condition.lock()
        let thread = self.thread
        let first = !stopping
        stopping = true
        self.thread = nil
        condition.signal()
        condition.unlock()
        if first { thread?.join() }
    }

    /// Records why the loop is giving up (call just before returning from it); the first reason is kept.
    public func fail(_ reason: String) {
        failed.withLock { if $0 == nil { $0 = reason } }
    }

    /// Nil while the loop runs or after it was stopped; why it died otherwise.
    public var failure: String? { failed.withLock { $0 } }
}
