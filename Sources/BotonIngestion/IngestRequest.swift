import BotonCore
public import BotonNet

/// Where the answer to a frame goes.
public enum ReplyRoute: Sendable {
    /// Back to a UDP peer through the UDP listener.
    case datagram(SocketAddress)
    /// To a TCP/TLS connection, as the answer for its `slot`-th frame (answers go out in frame order).
    case stream(ConnectionID, slot: UInt32)
    /// To anything else (an HTTP request), by callback.
    case callback(@Sendable (ReplyBytes) -> Void)
}

/// What ``IngestionPipeline/submit(_:receivedAt:route:source:)`` did with a frame.
public enum Submission: Sendable {
    /// Queued for the writer: the answer will come by the frame's route after the commit.
    case queued
    /// Answered at once, and the sender may go on: *ocupado-reintente* (queue or the address's share of it full,
    /// the server stopping, the credential not readable now) unauthenticated, *desconocido* (unknown or revoked
    /// sender), or *rechazada clave* signed with the sender's key.
    case answered(ReplyBytes)
    /// Not a well-formed frame: the short rejection to send, or nil when the bytes are not our protocol at all
    /// (a datagram port then stays silent rather than reflect noise; a stream answers and closes anyway).
    case malformed(ReplyBytes?)
    /// A datagram whose answer is not sent: its address has had its share of answers this second.
    case silent
}

/// An answer's bytes, inline (an acknowledgement is 64 bytes, a short rejection 8).
public struct ReplyBytes: Sendable {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    public private(set) var count: Int

    package init(_ write: (UnsafeMutableRawBufferPointer) -> Int) {
        storage = (0, 0, 0, 0, 0, 0, 0, 0)
        count = 0
        count = withUnsafeMutableBytes(of: &storage) { write($0) }
    }

    public var bytes: [UInt8] { withBytes { Array($0) } }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// A frame waiting for the writer: its bytes inline (at most 72), when it arrived, and where to answer.
struct IngestRequest: Sendable {
    static let capacity = 80
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    let count: Int
    let receivedAt: Timestamp
    let route: ReplyRoute
    /// The sender address's slot in the queue's per-address counts, or -1 (the address is not known).
    let sourceSlot: Int32
    /// A site's event (DC-09) instead of a frame of our protocol: its bytes are then empty.
    let site: SiteRequest?

    init(site: SiteRequest, receivedAt: Timestamp, source: SourceKey?) {
        storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        count = 0
        self.receivedAt = receivedAt
        route = .callback { _ in }
        sourceSlot = source.map { Int32($0.slot) } ?? -1
        self.site = site
    }

    init(frame: UnsafeRawBufferPointer, receivedAt: Timestamp, route: ReplyRoute, source: SourceKey? = nil) {
        precondition(frame.count <= Self.capacity)
        storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        count = frame.count
        self.receivedAt = receivedAt
        self.route = route
        sourceSlot = source.map { Int32($0.slot) } ?? -1
        site = nil
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: frame) }
    }

    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes(of: storage) { (raw) throws(E) -> R in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }
}
