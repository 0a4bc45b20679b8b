import Glibc
import Synchronization

/// Where a long-running process's log lines go: a bounded buffer that one thread of its own (`boton-log`) writes to
/// the file descriptor, so that a full pipe, a slow journal or a stuck terminal costs the service log lines, never
/// an alert.
///
/// ``append(_:event:)`` never blocks on I/O: it copies the line into the buffer under a mutex held for the copy
/// alone, or, when the buffer is full, counts the line as dropped. A burst of one event is summarised: past
/// `burstPerSecond` lines of the same event within a second, the rest of that second is counted, not written. Once
/// the writer catches up it writes one line saying what was left out (`event=log_dropped dropped=N` with the
/// events summarised), and ``dropped`` feeds `/metrics`. ``close()`` writes what is buffered and joins the thread.
public final class LogSink: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var dropped = 0
        var summarised: [String: Int] = [:]
        /// Lines per event in the current second.
        var burst: [String: Int] = [:]
        var second: Int = 0
        var closing = false
    }

    private let fd: Int32
    private let capacity: Int
    private let burstPerSecond: Int
    private let state = Mutex(State())
    private let wake = ThreadCondition()
    private let droppedTotal = Atomic<Int>(0)
    private let thread = Mutex<JoinableThread?>(nil)
    /// The second a line is counted in, for bursts (monotonic; tests pass their own).
    private let second: @Sendable () -> Int

    /// `capacity`: the bytes held while the descriptor does not take them; `burstPerSecond`: lines of one event per
    /// second before the rest are summarised.
    public init(fileDescriptor: Int32 = 2, capacity: Int = 1 << 20, burstPerSecond: Int = 200,
                second: (@Sendable () -> Int)? = nil) {
        self.second = second ?? {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Int(now.tv_sec)
        }
        fd = fileDescriptor
        self.capacity = max(capacity, 4096)
        self.burstPerSecond = max(burstPerSecond, 1)
        state.withLock { $0.buffer.reserveCapacity(self.capacity) }
        thread.withLock { $0 = JoinableThread(named: "boton-log") { [self] in run() } }
    }

    /// Lines left out since start (buffer full, or summarised in a burst).
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }

    /// Queues one whole line (ending in a newline). Never waits for the descriptor.
    public func append(_ line: [UInt8], event: String) {
        let second = self.second()
        let queued = state.withLock { s -> Bool in
            guard !s.closing else { return false }
            if s.second != second {
                s.second = second
                s.burst.removeAll(keepingCapacity: true)
            }
            let seen = s.burst[event, default: 0] + 1
            s.burst[event] = seen
            if seen > burstPerSecond {
                s.summarised[event, default: 0] += 1
                return false
            }
            guard s.buffer.count + line.count <= capacity else {
                s.dropped += 1
                return false
            }
            s.buffer.append(contentsOf: line)
            return true
        }
        if queued {
            wake.lock()
            wake.signal()
            wake.unlock()
        } else {
            droppedTotal.add(1, ordering: .relaxed)
        }
    }

    /// Writes what is buffered, then stops the thread. Lines appended afterwards are not written.
    public func close() {
        state.withLock { $0.closing = true }
        wake.lock()
        wake.signal()
        wake.unlock()
        thread.withLock { t in
            defer { t = nil }
            return t
        }?.join()
    }

    private func run() {
        var pending: [UInt8] = []
        pending.reserveCapacity(capacity)
        while true {
            let (closing, dropped, summarised) = state.withLock { s -> (Bool, Int, [String: Int]) in
                swap(&pending, &s.buffer)
                defer {
                    s.dropped = 0
                    s.summarised.removeAll()
                }
                return (s.closing, s.dropped, s.summarised)
            }
            if !pending.isEmpty { write(pending) }
            pending.removeAll(keepingCapacity: true)
            if dropped > 0 || !summarised.isEmpty { write(Self.dropLine(dropped: dropped, summarised: summarised)) }
            if closing { return }
            wake.lock()
            if state.withLock({ $0.buffer.isEmpty && !$0.closing }) { wake.wait(timeout: .seconds(1)) }
            wake.unlock()
        }
    }

    /// `ts=… level=warning event=log_dropped dropped=N summarised="incident_escalated=120 http_request=9"`.
    static func dropLine(dropped: Int, summarised: [String: Int]) -> [UInt8] {
        var line: [UInt8] = Array("ts=".utf8)
        Logger.appendTimestamp(to: &line)
        line.append(contentsOf: " level=warning event=log_dropped dropped=\(dropped)".utf8)
        if !summarised.isEmpty {
            let text = summarised.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line.append(contentsOf: " summarised=".utf8)
            Logger.appendQuoted(text, to: &line)
        }
        line.append(0x0A)
        return line
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}
