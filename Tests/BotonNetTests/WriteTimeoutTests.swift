import Foundation
import Synchronization
import Testing
@testable import BotonNet

/// A peer that stops reading cannot hold a connection's output for ever: with bytes waiting and none let through
/// for `writeTimeoutMs`, the connection is closed and said so.
@Suite struct WriteTimeoutTests {
    /// Answers any input with 32 MiB: more than loopback's socket buffers hold for a peer that does not read.
    final class Flood: StreamHandler {
        typealias Message = Never
        let gone: DispatchSemaphore
        init(gone: DispatchSemaphore) { self.gone = gone }
        var acceptsInput: Bool { true }
        func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput) {
            if output.unsentByteCount == 0 { output.write([UInt8](repeating: 0x61, count: 32 << 20)) }
        }
        func deliver(_ message: Never, output: inout StreamOutput) {}
        func peerClosed(output: inout StreamOutput) { output.close() }
        func closed() { gone.signal() }
    }

    @Test func aPeerThatStopsReadingIsClosedAfterTheWriteTimeout() throws {
        let closed = DispatchSemaphore(value: 0)
        let events = Mutex<[String]>([])
        let server = try StreamServer<Flood>(
            plain: ("127.0.0.1", 0), secure: nil,
            limits: StreamLimits(idleTimeoutMs: 600_000, maxUnsentBytes: 1 << 30, writeTimeoutMs: 300),
            onEvent: { event in
                if case .writeTimedOut(_, let unsent) = event { events.withLock { $0.append("write_timeout \(unsent)") } }
            },
            makeHandler: { _ in Flood(gone: closed) })
        server.start()
        defer { server.stop() }
        let client = try StreamClient(host: "127.0.0.1", port: try #require(server.plainAddress).port, tls: nil,
                                      timeoutMs: 2_000)
        try client.write(Array("dame\n".utf8))  // and never read
        #expect(closed.wait(timeout: .now() + 30) == .success, "the server closed the connection")
        let seen = events.withLock { $0 }
        #expect(seen.count == 1 && seen[0].hasPrefix("write_timeout "))
        withExtendedLifetime(client) {}
    }
}
