public import BotonWire
import Glibc

/// A phone, as far as the protocol goes: sends one frame over UDP, TCP or TLS and waits for its answer,
/// retrying with exponential backoff (250 ms doubling, with jitter) like the app does. Used by `boton alert` and
/// the tests.
public struct AlertClient: Sendable {
    public let host: String
    public let port: Int
    public let transport: AlertTransport
    /// For TLS: the CA file to verify the server with (nil accepts any certificate).
    public let caFile: String?

    public init(host: String, port: Int, transport: AlertTransport = .udp, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.transport = transport
        self.caFile = caFile
    }

    public struct ClientError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Sends `frame` until an answer arrives or `attempts` run out; returns the decoded answer and how many
    /// sends it took.
    public func send(_ frame: [UInt8], key: [UInt8], attempts: Int = 6) throws -> (ServerReply, Int) {
        let channel: FrameChannel
        do {
            channel = try FrameChannel(transport, host: host, port: port, caFile: caFile)
        } catch {
            throw ClientError(description: "\(transport.rawValue) \(host):\(port): \(error)")
        }
        var delayMs = 250
        var unverifiable = 0
        var lastError = ""
        for attempt in 1...max(attempts, 1) {
            if !channel.isConnected {
                do { try channel.reconnect() } catch { lastError = " (\(error))" }
            }
            channel.send(frame)
            let jitter = Int.random(in: 0...(delayMs / 4))
            for reply in channel.receive(timeoutMs: delayMs + jitter) {
                let decoded: ServerReply
                do {
                    decoded = try ServerReply.decode(reply, key: key)
                } catch .badMAC {
                    // Unauthenticated (e.g. an early ocupado-reintente): advisory only, keep trying.
                    unverifiable += 1
                    continue
                } catch {
                    continue
                }
                if case .acknowledgement(let ack) = decoded, ack.status == .ocupadoReintente, attempt < attempts {
                    continue
                }
                return (decoded, attempt)
            }
            delayMs = min(delayMs * 2, 8_000)
        }
        if unverifiable > 0 {
            throw ClientError(description: "\(unverifiable) answer(s) from \(host):\(port) did not verify with this "
                              + "secret: check the device's secret (a frame with a wrong key is refused as 'clave')")
        }
        throw ClientError(description: "no answer from \(host):\(port) over \(transport.rawValue) after \(attempts) "
                          + "attempts\(lastError)")
    }
}
