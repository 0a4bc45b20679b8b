import BotonRuntime

/// A fixed set of threads running HTTP handlers, so a slow handler (a database query, a 600,000-round password
/// check) never stalls the connection thread. Jobs run in submission order on the first free thread; the queue is
/// unbounded but fed only by connections, each of which has at most one request in a handler at a time.
final class WorkerPool: @unchecked Sendable {
    private let condition = ThreadCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private var running = 0
    private var threads: [JoinableThread] = []
    private let count: Int
    private let name: String

    /// `name` and the thread's number name each thread for the kernel (15 bytes are kept). No thread runs before
    /// ``start()``.
    init(threads count: Int, name: String) {
        self.count = max(count, 1)
        self.name = name
    }

    /// Starts the threads (once; jobs submitted before wait for them).
    func start() {
        condition.withLock {
            guard threads.isEmpty, !stopping else { return }
            threads = (0 ..< count).map { index in
                JoinableThread(named: "\(name)-\(index)") { [self] in work() }
            }
        }
    }

    /// Jobs waiting or running.
    var load: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head + running
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs what was submitted, then stops the threads and waits for them.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        let threads = self.threads
        self.threads = []
        condition.unlock()
        for thread in threads { thread.join() }
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            running += 1
            condition.unlock()
            job()
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }
}
