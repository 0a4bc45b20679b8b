import CLinux
import Glibc

/// A joinable POSIX thread: the one way the service starts a thread (``ServiceThread`` for background jobs, the
/// listeners' event loops, the web server's worker pool). The service owns its threads rather than using Dispatch
/// or the Swift concurrency pool because each one blocks (in `epoll_wait`, in SQLite, on a condition) for its
/// whole life; every thread is joined when its owner stops.
public struct JoinableThread: Sendable {
    private let handle: pthread_t

    /// Starts `body` on a new thread named `name` for the kernel (at most 15 bytes are kept).
    public init(named name: String, _ body: @escaping @Sendable () -> Void) {
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
        handle = thread
    }

    /// Waits until the thread's body has returned. Call once.
    public func join() {
        pthread_join(handle, nil)
    }
}
