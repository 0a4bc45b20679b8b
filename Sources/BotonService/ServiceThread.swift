import BotonNet
import Foundation
import Synchronization

/// The life of each background job of the service (the console feed, the escalation, the WAL checkpoints, the
/// monthly close, the health readings): one named thread running one loop that sleeps in ``pause(_:)`` until its
/// time passes or someone calls ``wake()``, and returns once ``stop()`` is called, which waits for it. Everything
/// the loop owns (its store connection, its state) stays on its thread; other threads only wake it.
final class ServiceThread: Sendable {
    /// What `top` and `/proc/…/comm` show: at most 15 characters.
    let name: String
    private let signal = DispatchSemaphore(value: 0)
    private let woken = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String) {
        precondition(name.utf8.count <= 15, "the kernel keeps 15 characters of a thread's name")
        self.name = name
    }

    /// Runs `loop` on a new thread. False (and nothing happens) when it was started already.
    @discardableResult
    func start(_ loop: @escaping @Sendable () -> Void) -> Bool {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        let thread = Thread { [self] in
            nameCurrentThread(name)
            loop()
            finished.signal()
        }
        thread.name = name
        thread.start()
        return true
    }

    /// Cheap, from any thread: the loop's current or next ``pause(_:)`` returns at once. Calls made before it wakes
    /// count once.
    func wake() {
        if !woken.exchange(true, ordering: .acquiringAndReleasing) { signal.signal() }
    }

    /// Sleeps until woken or `timeout` has passed (not at all for zero). False once the thread is told to stop:
    /// the loop then returns.
    func pause(_ timeout: Duration) -> Bool {
        if timeout > .zero && !stopping.load(ordering: .acquiring) {
            _ = signal.wait(timeout: .now() + .microseconds(Int(timeout / .microseconds(1))))
        }
        woken.store(false, ordering: .releasing)
        return !stopping.load(ordering: .acquiring)
    }

    /// Tells the loop to stop, wakes it and waits until it has returned. Does nothing when it never started or
    /// has been stopped already.
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        stopping.store(true, ordering: .releasing)
        signal.signal()
        finished.wait()
    }
}
