import Testing
@testable import BotonNet

/// A connection's output keeps only what the peer has not read yet.
@Suite struct StreamOutputTests {
    @Test func sentBytesAreNotKept() {
        var output = StreamOutput()
        output.write([UInt8](repeating: 1, count: 300 << 10))
        #expect(output.heldByteCount >= 300 << 10)
        output.consumed(200 << 10)
        #expect(output.unsentByteCount == 100 << 10)
        #expect(output.heldByteCount < 150 << 10, "the 200 KiB already sent were let go")
        output.consumed(100 << 10)
        #expect(output.unsentByteCount == 0)
        #expect(output.heldByteCount == 0, "a drained buffer larger than 64 KiB is let go")
    }
}
