import Glibc

/// A mutex with a condition variable: the service's one way for a thread to sleep until another changes something
/// (a queue gains work, a job is woken, a reply arrives). With `Mutex` and `Atomic` from the standard library's
/// Synchronization module it is the whole lock vocabulary of the service.
///
/// The shape is POSIX's (and Foundation's `NSCondition`'s): ``lock()``, then ``wait()`` or ``wait(timeout:)`` in a
/// loop over the guarded predicate, ``signal()`` or ``broadcast()`` after changing it, ``unlock()``. Timed waits run
/// on the monotonic clock, so a step of the wall clock never shortens or stretches them. Callers never hold it
/// across I/O: they copy what they need out, unlock, then work.
public final class ThreadCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the lock and sleeps until signalled (or woken spuriously: loop over the predicate), then takes the
    /// lock again. Call holding the lock.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// ``wait()`` for at most `timeout`. False when the time ran out. Call holding the lock.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0, attoseconds >= 0 else { return false }
        let nanos = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += Int(min(seconds, Int64(Int32.max))) + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }

    /// Wakes one waiter.
    public func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter.
    public func broadcast() { pthread_cond_broadcast(condition) }
}
