/// One datagram to send: up to 128 bytes held inline (no heap allocation per reply) and where it goes.
public struct DatagramReply: Sendable {
    public static let capacity = 128
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    public private(set) var count: Int
    public var peer: SocketAddress

    /// `write` fills the buffer (128 bytes) and returns how many bytes it wrote.
    public init(to peer: SocketAddress, _ write: (UnsafeMutableRawBufferPointer) -> Int) {
        storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        self.peer = peer
        count = 0
        let n = withUnsafeMutableBytes(of: &storage) { write($0) }
        precondition(n >= 0 && n <= Self.capacity, "a datagram reply holds at most 128 bytes")
        count = n
    }

    /// Where the bytes sit inside a `DatagramReply` value, for handing a stored reply to `sendmmsg` in place.
    static let bytesOffset = MemoryLayout<DatagramReply>.offset(of: \DatagramReply.storage)!

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
