public import BotonWire
import Glibc

/// A phone, as far as the protocol goes: sends one frame over UDP and waits for its answer, retrying with
/// exponential backoff (250 ms doubling, with jitter) like the app does. Used by `boton alert` and the tests.
public struct AlertClient: Sendable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ClientError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Sends `frame` until an answer arrives or `attempts` run out; returns the decoded answer and how many
    /// sends it took.
    public func send(_ frame: [UInt8], key: [UInt8], attempts: Int = 6) throws -> (ServerReply, Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw ClientError(description: "not an IPv4 address: \(host)")
        }
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ClientError(description: "connect: \(String(cString: strerror(errno)))") }
        var delayMs = 250
        var unverifiable = 0
        var buffer = [UInt8](repeating: 0, count: 256)
        for attempt in 1...max(attempts, 1) {
            _ = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let jitter = Int.random(in: 0...(delayMs / 4))
            if poll(&pollfd, 1, Int32(delayMs + jitter)) == 1 {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 {
                    let reply: ServerReply
                    do {
                        reply = try ServerReply.decode(Array(buffer[0..<n]), key: key)
                    } catch .badMAC {
                        // Unauthenticated (e.g. an early ocupado-reintente): advisory only, keep trying.
                        unverifiable += 1
                        delayMs = min(delayMs * 2, 8_000)
                        continue
                    }
                    if case .acknowledgement(let ack) = reply, ack.status == .ocupadoReintente, attempt < attempts {
                        delayMs = min(delayMs * 2, 8_000)
                        continue
                    }
                    return (reply, attempt)
                }
            }
            delayMs = min(delayMs * 2, 8_000)
        }
        if unverifiable > 0 {
            throw ClientError(description: "\(unverifiable) answer(s) from \(host):\(port) did not verify with this "
                              + "secret: check the device's secret (a frame with a wrong key is refused as 'clave')")
        }
        throw ClientError(description: "no answer from \(host):\(port) after \(attempts) attempts")
    }
}
