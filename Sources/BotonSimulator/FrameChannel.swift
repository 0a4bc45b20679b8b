import BotonNet
import BotonWire

/// How a simulated phone reaches the ingestion ports.
public enum AlertTransport: String, Sendable, CaseIterable {
    case udp, tcp, tls
}

public struct ChannelError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The client side of one ingestion transport, as a phone uses it: frames out, answers in.
///
/// UDP is a connected datagram socket (an ICMP "port unreachable" while the server is down is ignored: the
/// phone just retries). TCP and TLS carry length-prefixed frames over one connection; when it breaks, the
/// channel reports it and ``reconnect()`` opens a new one (frames in flight on the old one must be resent, since
/// their answers will not come). One thread uses a channel.
final class FrameChannel {
    let transport: AlertTransport
    let host: String
    let port: Int
    private let tls: TLSContext?
    private var datagram: DatagramClient?
    private var stream: StreamClient?
    private var framer = LengthPrefixedFramer()
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(_ transport: AlertTransport, host: String, port: Int, caFile: String? = nil) throws {
        self.transport = transport
        self.host = host == "localhost" ? "127.0.0.1" : host
        self.port = port
        tls = transport == .tls ? try TLSContext(clientVerifying: caFile) : nil
        if transport == .udp {
            datagram = try DatagramClient(host: self.host, port: port, receiveBuffer: 4 << 20)
        } else {
            try? reconnect()
        }
    }

    /// False while a stream connection is down (UDP is always "connected").
    var isConnected: Bool { transport == .udp || stream != nil }

    /// Opens a new stream connection (TCP/TLS). Throws when the server cannot be reached yet.
    func reconnect() throws {
        guard transport != .udp else { return }
        stream = nil
        framer = LengthPrefixedFramer()
        stream = try StreamClient(host: host, port: port, tls: tls, timeoutMs: 2_000)
    }

    /// Sends one frame. On a broken stream the channel turns disconnected and the frame is not sent.
    func send(_ frame: [UInt8]) {
        if let datagram {
            datagram.send(frame)
            return
        }
        guard let stream else { return }
        do {
            try stream.write(LengthPrefixedFramer.prefixed(frame), timeoutMs: 2_000)
        } catch {
            self.stream = nil
        }
    }

    /// Waits up to `timeoutMs` for answers and returns those that arrived (each without its length prefix).
    func receive(timeoutMs: Int) -> [[UInt8]] {
        if let datagram { return datagram.receive(timeoutMs: timeoutMs) }
        var replies: [[UInt8]] = []
        guard let stream else { return [] }
        do {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0, timeoutMs: timeoutMs) }
            buffer.withUnsafeBytes { framer.append(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
            while let reply = try framer.nextFrame() { replies.append(reply) }
        } catch {
            // Closed, reset, or garbage: what arrived before is kept; the connection is gone.
            self.stream = nil
        }
        return replies
    }
}
