import Foundation
import Glibc
import Synchronization
import BotonTestSupport
import Testing
@testable import BotonNet

/// Line protocol for the tests: every "\n"-terminated line is answered "ok:<line>\n" at once; a line "later"
/// is answered only when the test posts a message; "bye" answers "bye\n" and closes. While a "later" is
/// unanswered the handler accepts no input (backpressure).
final class LineHandler: StreamHandler {
    typealias Message = String
    var buffer: [UInt8] = []
    var waiting = false
    let registry: Registry

    final class Registry: Sendable {
        let connections = Mutex<[ConnectionID]>([])
        let closed = Mutex(0)
    }

    init(peer: StreamPeer, registry: Registry) {
        self.registry = registry
        registry.connections.withLock { $0.append(peer.id) }
    }

    var acceptsInput: Bool { !waiting }

    func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput) {
        buffer.append(contentsOf: bytes)
        answerLines(&output)
    }

    func deliver(_ message: String, output: inout StreamOutput) {
        output.write(Array("\(message)\n".utf8))
        waiting = false
        answerLines(&output)
    }

    func peerClosed(output: inout StreamOutput) { output.close() }

    func closed() { registry.closed.withLock { $0 += 1 } }

    private func answerLines(_ output: inout StreamOutput) {
        while !waiting, let newline = buffer.firstIndex(of: 10) {
            let line = String(decoding: buffer[..<newline], as: UTF8.self)
            buffer.removeSubrange(...newline)
            switch line {
            case "later": waiting = true
            case "bye":
                output.write(Array("bye\n".utf8))
                output.close()
                return
            default: output.write(Array("ok:\(line)\n".utf8))
            }
        }
    }
}

/// A server on loopback ports 0 with a fresh self-signed certificate.
final class LineServer {
    let registry = LineHandler.Registry()
    let server: StreamServer<LineHandler>
    let directory: String
    let clientContext: TLSContext

    init(limits: StreamLimits = StreamLimits(), threads: Int = 1) throws {
        directory = NSTemporaryDirectory() + "boton-net-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try SelfSignedCertificate.write(certificatePath: directory + "/cert.pem", keyPath: directory + "/key.pem",
                                        host: "test")
        let context = try TLSContext(certificatePath: directory + "/cert.pem", keyPath: directory + "/key.pem")
        clientContext = try TLSContext(clientVerifying: directory + "/cert.pem")
        let registry = self.registry
        server = try StreamServer(plain: ("127.0.0.1", 0), secure: ("127.0.0.1", 0, context), limits: limits,
                                  threads: threads) {
            LineHandler(peer: $0, registry: registry)
        }
        server.start()
    }

    var plainPort: Int { server.plainAddress!.port }
    var securePort: Int { server.secureAddress!.port }

    func plainClient() throws -> StreamClient { try StreamClient(host: "127.0.0.1", port: plainPort) }
    func secureClient() throws -> StreamClient {
        try StreamClient(host: "127.0.0.1", port: securePort, tls: clientContext)
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Stream server (TCP and TLS)")
struct StreamServerTests {
    @Test func answersLinesSplitAcrossWrites() throws {
        let server = try LineServer()
        let client = try server.plainClient()
        try client.send("al")
        try client.send("pha\nbe")
        try client.send("ta\ngamma\n")
        #expect(try client.lines(3) == ["ok:alpha", "ok:beta", "ok:gamma"])
    }

    @Test func postedMessagesReachTheirConnectionInOrderAndResumeReading() throws {
        let server = try LineServer()
        let first = try server.plainClient()
        let second = try server.plainClient()
        try first.send("one\nlater\nafter\n")
        #expect(try first.lines(1) == ["ok:one"])
        try second.send("x\n")
        #expect(try second.lines(1) == ["ok:x"])
        let ids = server.registry.connections.withLock { $0 }
        #expect(ids.count == 2)
        // "after" is answered only once the deferred answer is out: answers keep the order of the lines.
        server.server.post("deferred", to: ids[0])
        #expect(try first.lines(2) == ["deferred", "ok:after"])
    }

    @Test func tlsHandshakeAndEcho() throws {
        let server = try LineServer()
        let client = try server.secureClient()
        #expect(client.tlsVersion == "TLSv1.3")
        try client.send("hola\nbye\n")
        #expect(try client.lines(2) == ["ok:hola", "bye"])
        #expect(client.closedByPeer())
    }

    @Test func tls12IsAcceptedAndPlainTextOnTheTLSPortIsRefused() throws {
        let server = try LineServer()
        let legacy = try TLSContext(clientVerifying: nil, maximumVersion: .tls12)
        let client = try StreamClient(host: "127.0.0.1", port: server.securePort, tls: legacy)
        #expect(client.tlsVersion == "TLSv1.2")
        try client.send("x\n")
        #expect(try client.lines(1) == ["ok:x"])
        // Not TLS at all: the handshake fails and the server closes; the TLS client above is unaffected.
        let raw = try StreamClient(host: "127.0.0.1", port: server.securePort)
        try raw.send("GET / HTTP/1.1\r\n\r\n")
        #expect(raw.closedByPeer())
        try client.send("y\n")
        #expect(try client.lines(1) == ["ok:y"])
    }

    @Test func stalledHandshakeIsDroppedWithoutBlockingOthers() throws {
        let server = try LineServer(limits: StreamLimits(handshakeTimeoutMs: 300))
        // Connects to the TLS port and never says hello.
        let stalled = try StreamClient(host: "127.0.0.1", port: server.securePort)
        // A half hello: the first bytes of a TLS record, then nothing.
        try stalled.write([0x16, 0x03, 0x01, 0x00, 0xf0, 0x01])
        let working = try server.secureClient()
        try working.send("still\n")
        #expect(try working.lines(1) == ["ok:still"])
        #expect(stalled.closedByPeer())
        #expect(server.server.counts.timedOut >= 1)
    }

    @Test func idleConnectionsAreClosed() throws {
        let server = try LineServer(limits: StreamLimits(idleTimeoutMs: 300))
        let client = try server.plainClient()
        try client.send("a\n")
        #expect(try client.lines(1) == ["ok:a"])
        #expect(client.closedByPeer())
    }

    @Test func connectionsOverTheLimitAreClosedAtOnce() throws {
        let server = try LineServer(limits: StreamLimits(maxConnections: 2))
        let a = try server.plainClient()
        let b = try server.secureClient()
        try a.send("a\n")
        #expect(try a.lines(1) == ["ok:a"])
        let c = try server.plainClient()
        #expect(c.closedByPeer())
        #expect(server.server.counts.refusedOverLimit == 1)
        try b.send("b\n")
        #expect(try b.lines(1) == ["ok:b"])
    }

    @Test func peerHalfCloseStillGetsItsAnswers() throws {
        let server = try LineServer()
        let client = try server.plainClient()
        try client.send("one\ntwo\n")
        client.shutdownSending()
        #expect(try client.lines(2) == ["ok:one", "ok:two"])
        #expect(client.closedByPeer())
    }

    @Test func severalThreadsShareTheConnectionsAndPostsFindTheirOwner() throws {
        let server = try LineServer(threads: 3)
        #expect(server.server.threadCount == 3)
        // Seven connections, plain and TLS mixed, so every thread owns some (they are dealt in turn).
        var clients: [StreamClient] = []
        for index in 0 ..< 7 {
            let client = index % 2 == 0 ? try server.plainClient() : try server.secureClient()
            try client.send("hola \(index)\nlater\nafter \(index)\n")
            #expect(try client.lines(1) == ["ok:hola \(index)"])
            clients.append(client)
        }
        let ids = server.registry.connections.withLock { $0 }
        #expect(ids.count == 7)
        // Each deferred answer reaches its own connection, whichever thread serves it; one batch, many owners.
        server.server.post(contentsOf: ids.enumerated().map { ($0.element, "deferred \($0.offset)") })
        for (index, client) in clients.enumerated() {
            #expect(try client.lines(2) == ["deferred \(index)", "ok:after \(index)"])
        }
        #expect(server.server.counts.open == 7)
        try clients[3].send("bye\n")
        #expect(try clients[3].lines(1) == ["bye"])
        #expect(clients[3].closedByPeer())
    }

    @Test func stopClosesEveryThreadsConnections() throws {
        var server: LineServer? = try LineServer(threads: 2)
        let first = try server!.plainClient()
        let second = try server!.plainClient()
        try first.send("a\n")
        try second.send("b\n")
        #expect(try first.lines(1) == ["ok:a"])
        #expect(try second.lines(1) == ["ok:b"])
        server = nil
        #expect(first.closedByPeer())
        #expect(second.closedByPeer())
    }

    @Test func stopClosesConnectionsAndFreesThePort() throws {
        var server: LineServer? = try LineServer()
        let port = server!.plainPort
        let client = try server!.plainClient()
        try client.send("x\n")
        #expect(try client.lines(1) == ["ok:x"])
        server = nil
        #expect(client.closedByPeer())
        #expect(throws: SocketError.self) { try StreamClient(host: "127.0.0.1", port: port) }
    }
}
