import CLinux

/// Identifies one accepted connection for the server's lifetime (never reused).
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public var description: String { String(rawValue) }
}

/// Who is on the other end of a connection.
public struct StreamPeer: Sendable {
    public let id: ConnectionID
    public let address: SocketAddress
    /// True on the TLS port (the handshake has completed before the handler sees any byte).
    public let secure: Bool
}

/// The connection's outgoing side during a handler call: bytes to send, and whether to close once they are sent.
public struct StreamOutput {
    var pending: [UInt8]
    var start = 0
    var closeWhenFlushed = false

    init() {
        pending = []
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        pending.append(contentsOf: bytes)
    }

    public mutating func write(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
    }

    /// Lets `body` append bytes to what is waiting to be sent (serializing in place, without an array of its
    /// own). `body` may only append.
    public mutating func write(with body: (inout [UInt8]) -> Void) {
        body(&pending)
    }

    /// Closes the connection once everything written so far has been sent. Input is no longer read.
    public mutating func close() { closeWhenFlushed = true }

    /// ``close()`` was called: nothing written from now on will be read by anyone who cares.
    public var isClosing: Bool { closeWhenFlushed }

    /// Bytes written but not yet accepted by the socket.
    public var unsentByteCount: Int { pending.count - start }

    /// Bytes held for the connection, sent or not (what a slow reader costs in memory).
    var heldByteCount: Int { pending.capacity }

    /// `n` more bytes went to the socket. Sent bytes are not kept: once half of the buffer (and at least 64 KiB) has
    /// been sent, the rest moves to a buffer of its own size, so a peer that reads slowly holds only what it has not
    /// read yet.
    mutating func consumed(_ n: Int) {
        start += n
        if start == pending.count {
            pending.removeAll(keepingCapacity: pending.capacity <= 64 << 10)
            start = 0
        } else if start >= 64 << 10 && start * 2 >= pending.count {
            pending = Array(pending[start...])
            start = 0
        }
    }
}

/// One connection's protocol, driven by the server's thread.
///
/// A handler is created per connection by the server's factory and only ever called on the server's thread, so it
/// needs no locks. Other threads reach it through ``StreamServer/post(_:to:)``: the message is delivered to
/// ``deliver(_:output:)`` on the server's thread, in posting order.
public protocol StreamHandler: AnyObject, SendableMetatype {
    associatedtype Message: Sendable

    /// Bytes arrived (already decrypted on the TLS port). They are only valid during the call.
    func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput)

    /// A message posted from another thread.
    func deliver(_ message: Message, output: inout StreamOutput)

    /// The peer closed its sending side. The handler may still answer what it received, then ``StreamOutput/close()``.
    func peerClosed(output: inout StreamOutput)

    /// False pauses reading from this connection (backpressure) until it turns true after a ``deliver(_:output:)``.
    var acceptsInput: Bool { get }

    /// The connection is gone (closed by either side, timed out, or the server stopped). Posted messages for it are
    /// dropped from now on.
    func closed()

    /// Everything written so far has gone to the socket (after bytes had been waiting). A handler that stopped
    /// answering because its output was over a bound goes on here.
    func drained(output: inout StreamOutput)

    /// The connection has shown it is a real client (an alert port's, once a frame authenticated): it may hold one
    /// of the slots ``StreamLimits/reservedForProven`` keeps, and is never closed to make room. Read after each
    /// call into the handler; once true it should stay true.
    var isProven: Bool { get }

    /// Called about every 250 ms with the monotonic clock (milliseconds), for deadlines of the handler's own
    /// (an HTTP request whose header does not finish in time gets a 408 and a close).
    func tick(nowMs: Int64, output: inout StreamOutput)
}

extension StreamHandler {
    public func tick(nowMs: Int64, output: inout StreamOutput) {}
    /// Proven from the start: only servers with ``StreamLimits/reservedForProven`` slots ask.
    public var isProven: Bool { true }
    public func drained(output: inout StreamOutput) {}
}

/// The monotonic clock the stream server's deadlines use, in milliseconds.
public func monotonicMilliseconds() -> Int64 { Int64(boton_monotonic_ms()) }
