import Glibc

/// Reads what a child process writes to a pipe without ever waiting past a deadline: `poll(2)` on the descriptor
/// sleeps until bytes arrive, the writer closes its end, or the time left runs out (no busy-waiting). A test that
/// waits for a server's log line or a script's answer then fails with what it has read instead of hanging the suite.
public struct PipeReader {
    /// Nothing arrived before the deadline.
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String { "nothing was written to the pipe before the deadline" }
    }

    /// Neither `poll` nor `read` worked on the descriptor.
    public struct Failure: Error, CustomStringConvertible {
        public let call: String
        public let code: Int32
        public var description: String { "\(call) on the pipe failed: errno \(code)" }
    }

    private let descriptor: Int32

    /// `fileDescriptor` is the read end (`pipe.fileHandleForReading.fileDescriptor`); the caller keeps it open.
    public init(fileDescriptor: Int32) {
        descriptor = fileDescriptor
    }

    /// The bytes available now or as soon as some arrive, or nil once the writer has closed the pipe and everything
    /// was read; throws ``Timeout`` when nothing arrived before `deadline`.
    public func read(before deadline: ContinuousClock.Instant) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw Timeout() }
            let (seconds, attoseconds) = left.components
            // Rounded up, so the last wait does not end a little early and spin.
            let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "poll", code: errno)
            }
            if ready == 0 { continue }  // timed out: the loop checks the deadline
            // Readable, or the writer hung up (then read returns what is left, and 0 at the end).
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(call: "read", code: errno)
            }
            return count == 0 ? nil : Array(buffer[0 ..< count])
        }
    }
}
