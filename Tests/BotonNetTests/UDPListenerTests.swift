import Glibc
import Synchronization
import Testing
@testable import BotonNet

/// Echoes "ok:<payload>" at once, and hands datagrams that start with "later" to a queue answered from
/// another thread.
final class EchoHandler: DatagramHandler {
    let deferred = Mutex<[(SocketAddress, [UInt8])]>([])
    func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply? {
        let bytes = Array(datagram)
        if truncated { return DatagramReply(to: peer) { out in out.copyBytes(from: Array("truncated".utf8)); return 9 } }
        if bytes.starts(with: Array("later".utf8)) {
            deferred.withLock { $0.append((peer, bytes)) }
            return nil
        }
        let answer = Array("ok:".utf8) + bytes
        return DatagramReply(to: peer) { out in
            out.copyBytes(from: answer)
            return answer.count
        }
    }
}

/// A blocking UDP client on loopback.
struct Client {
    let fd: Int32
    init(to port: Int) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
    }
    func close() { _ = Glibc.close(fd) }
}

@Suite struct UDPListenerTests {
    @Test func answersImmediatelyAndFromAnotherThreadOnAnEphemeralPort() throws {
        let handler = EchoHandler()
        let listener = try UDPListener(host: "127.0.0.1", port: 0, handler: handler)
        #expect(listener.address.port != 0)
        listener.start()
        defer { listener.stop() }
        let client = Client(to: listener.address.port)
        defer { client.close() }

        for i in 0..<200 {
            client.send(Array("frame-\(i)".utf8))
            #expect(client.receive() == "ok:frame-\(i)")
        }

        client.send(Array("later-1".utf8))
        client.send(Array("ping".utf8))
        #expect(client.receive() == "ok:ping")  // the deferred one has not been answered yet
        let waiting = handler.deferred.withLock { $0 }
        #expect(waiting.count == 1)
        listener.send(waiting.map { peer, bytes in
            DatagramReply(to: peer) { out in
                let answer = Array("done:".utf8) + bytes
                out.copyBytes(from: answer)
                return answer.count
            }
        })
        #expect(client.receive() == "done:later-1")
        #expect(listener.counts.received == 202)
    }

    @Test func anOversizedDatagramIsSeenAsTruncated() throws {
        let listener = try UDPListener(host: "127.0.0.1", port: 0, handler: EchoHandler())
        listener.start()
        defer { listener.stop() }
        let client = Client(to: listener.address.port)
        defer { client.close() }
        client.send([UInt8](repeating: 7, count: 3000))
        #expect(client.receive() == "truncated")
    }
}
