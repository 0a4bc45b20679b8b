/// Splits a TCP or TLS byte stream into frames. Each frame is preceded by its length as a 2-byte big-endian
/// prefix; a connection carries any number of frames in each direction.
///
/// Feed whatever the socket returned with ``append(_:)-(UnsafeRawBufferPointer)`` (any split, down to single
/// bytes), then drain complete frames with ``nextFrame()`` or ``withNextFrame(_:)`` until they return nil. One
/// growable buffer is reused across calls. A length of 0 or above ``maximumFrameLength`` throws
/// ``WireError/badLengthPrefix(_:)``; the stream cannot be resynchronized after that, so the framer stays failed
/// and the connection must be closed.
///
/// A value type with no shared state: one framer per connection.
public struct LengthPrefixedFramer: Sendable {
    /// The largest frame accepted (every v1 frame is at most 72 bytes).
    public static let maximumFrameLength = 128

    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: WireError?

    public init() {
        buffer.reserveCapacity(4096)
    }

    /// Bytes received but not yet returned as frames (a partial frame, or frames not drained yet).
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds bytes read from the connection. Ignored once the framer has failed.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Calls `body` with the next complete frame (without its prefix) and returns its result, or returns nil when
    /// no complete frame is buffered yet. The bytes are only valid inside `body`. No allocation.
    ///
    /// If `body` throws, the frame is consumed and the error rethrown; the framer stays usable (the stream is still
    /// in sync). Only a bad length prefix makes it fail for good.
    public mutating func withNextFrame<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R)
        throws(WireError) -> R?
    {
        if let failure { throw failure }
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard length > 0, length <= Self.maximumFrameLength else {
            failure = .badLengthPrefix(length)
            throw .badLengthPrefix(length)
        }
        guard available >= 2 + length else { return nil }
        let frameStart = start + 2
        start = frameStart + length
        let result: Result<R, WireError> = buffer.withUnsafeBytes { raw in
            do throws(WireError) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: raw[frameStart ..< frameStart + length])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The next complete frame (without its prefix), or nil when none is buffered yet.
    public mutating func nextFrame() throws(WireError) -> [UInt8]? {
        try withNextFrame { (frame) throws(WireError) in [UInt8](frame) }
    }

    /// Drops consumed bytes so the buffer does not grow with the connection's lifetime.
    private mutating func compact() {
        guard start > 0 else { return }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else {
            buffer.removeSubrange(0 ..< start)
        }
        start = 0
    }

    /// Writes `frame` with its 2-byte length prefix into the start of `buffer` and returns the bytes written
    /// (`frame.count + 2`). `frame` must be 1…``maximumFrameLength`` bytes and `buffer` large enough. No
    /// allocation.
    @discardableResult
    public static func writeFrame(_ frame: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition((1 ... maximumFrameLength).contains(frame.count), "frame length \(frame.count) out of range")
        precondition(buffer.count >= frame.count + 2, "buffer too small for a length-prefixed frame")
        buffer.wirePut(UInt16(frame.count), at: 0)
        UnsafeMutableRawBufferPointer(rebasing: buffer[2 ..< 2 + frame.count]).copyMemory(from: frame)
        return frame.count + 2
    }

    /// `frame` preceded by its 2-byte big-endian length. `frame` must be 1…``maximumFrameLength`` bytes.
    public static func prefixed(_ frame: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: frame.count + 2)
        frame.withUnsafeBytes { f in out.withUnsafeMutableBytes { o in _ = writeFrame(f, into: o) } }
        return out
    }
}
