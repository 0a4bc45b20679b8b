import CLinux
import Glibc

/// Starts a joinable POSIX thread running `body`. The listeners own their threads (rather than using Dispatch or
/// the Swift concurrency pool) because each one blocks in `epoll_wait` for its whole life.
func spawnThread(named name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        let name: String
        init(_ body: @escaping @Sendable () -> Void, name: String) {
            self.body = body
            self.name = name
        }
    }
    let box = Unmanaged.passRetained(Box(body, name: name))
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        boton_set_thread_name(box.name)
        box.body()
        return nil
    }, box.toOpaque())
    precondition(rc == 0, "pthread_create failed: \(rc)")
    return thread
}

/// Names the calling thread for the kernel (`top -H`, `perf`, `/proc/PID/task/TID/comm`, which Scripts/bench
/// console reads), as ``spawnThread(named:_:)`` does for its threads: Foundation's `Thread.name` does not reach the
/// kernel on Linux. The kernel keeps 15 bytes.
public func nameCurrentThread(_ name: String) {
    boton_set_thread_name(name)
}
