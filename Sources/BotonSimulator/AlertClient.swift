public import BotonWire
import Glibc

/// A phone, as far as the protocol goes: sends one frame over UDP, TCP or TLS and waits for its answer,
/// retrying with exponential backoff with jitter (250 ms doubling up to 30 s, two minutes in all; ``RetryPolicy``)
/// like the app does. Used by `boton alert` and the tests.
///
/// With several servers (the nodes of a deployment), an attempt that gets no answer within its interval, or
/// whose connection fails, moves the next attempt to the next server in the list, with the same bytes and so the
/// same sequence number: wherever the retransmission lands, the nodes share the (sender, sequence) receipts and
/// answer it `duplicada` with the incident first named. A busy answer keeps the server (it is alive).
public struct AlertClient: Sendable {
    /// One server of the list, `HOST:PORT`.
    public struct Server: Sendable, Equatable, CustomStringConvertible {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `HOST:PORT` (`[v6]:PORT` for an IPv6 address); nil when it is not that.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (1 ... 65_535).contains(port) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Tried in order, from the first; never empty.
    public let servers: [Server]
    public let transport: AlertTransport
    /// For TLS: the CA file to verify the server with (nil accepts any certificate).
    public let caFile: String?

    public var host: String { servers[0].host }
    public var port: Int { servers[0].port }

    public init(servers: [Server], transport: AlertTransport = .udp, caFile: String? = nil) {
        precondition(!servers.isEmpty, "an alert client needs at least one server")
        self.servers = servers
        self.transport = transport
        self.caFile = caFile
    }

    public init(host: String, port: Int, transport: AlertTransport = .udp, caFile: String? = nil) {
        self.init(servers: [Server(host: host, port: port)], transport: transport, caFile: caFile)
    }

    /// The servers, for messages.
    private var serverList: String { servers.map(\.description).joined(separator: ", ") }

    public struct ClientError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// How a phone retries (the client developer's spec, BotonWire: exponential backoff with jitter from 250 ms,
    /// doubling up to 30 s, for at most a total budget).
    public struct RetryPolicy: Sendable {
        public var initialMs: Int
        public var maximumMs: Int
        /// After this long without a final answer (busy, no answer, no connection), the client gives up.
        public var budgetMs: Int

        public init(initialMs: Int = 250, maximumMs: Int = 30_000, budgetMs: Int = 120_000) {
            self.initialMs = max(initialMs, 1)
            self.maximumMs = max(maximumMs, self.initialMs)
            self.budgetMs = max(budgetMs, 0)
        }
    }

    /// Sends `frame` until a final answer arrives or the policy's budget is spent; returns the answer and how many
    /// sends it took. Busy answers (authenticated or not), silence and a connection that fails are retried after
    /// the whole backoff interval (with jitter); an unauthenticated short rejection is advisory and retried too,
    /// and returned only once ``advisoriesShown`` of them have come (a forged one must not silence an alert); as
    /// many `rechazada`/`clave` answers that do not verify with this key end it with "check the device's secret".
    /// When the budget runs out, the error says why: the server kept answering busy, an answer said the secret is
    /// wrong (`rechazada`/`clave` that does not verify with this key), or nothing answered at all.
    public func send(_ frame: [UInt8], key: [UInt8], policy: RetryPolicy = RetryPolicy()) throws -> (ServerReply, Int) {
        var current = 0
        var channel: FrameChannel
        do {
            channel = try FrameChannel(transport, host: servers[0].host, port: servers[0].port, caFile: caFile)
        } catch {
            throw ClientError(description: "\(transport.rawValue) \(servers[0]): \(error)")
        }
        let began = Self.monotonicMs()
        var intervalMs = policy.initialMs
        var attempt = 0
        var busy = 0, wrongKey = 0, advisories = 0, advisory: ServerReply?
        var lastError = ""
        while true {
            attempt += 1
            let sentAt = Self.monotonicMs()
            if !channel.isConnected {
                do { try channel.reconnect() } catch { lastError = " (\(servers[current]): \(error))" }
            }
            let connected = channel.isConnected
            channel.send(frame)
            var answered = false
            // The whole interval, jitter included, passes before the next send, however soon an answer came.
            let waitMs = intervalMs + Int.random(in: 0 ... intervalMs)
            while true {
                let leftMs = waitMs - (Self.monotonicMs() - sentAt)
                if leftMs <= 0 { break }
                if !channel.isConnected {
                    Self.sleep(milliseconds: leftMs)  // a phone backing off: nothing to read on a closed connection
                    break
                }
                for reply in channel.receive(timeoutMs: leftMs) {
                    answered = true
                    switch Self.classify(reply, key: key) {
                    case .final(let decoded): return (decoded, attempt)
                    case .busy: busy += 1
                    case .wrongKey:
                        // Unverifiable too: only repeated ones end the retries.
                        wrongKey += 1
                        if wrongKey >= Self.advisoriesShown { throw wrongKeyError(wrongKey) }
                    case .advisory(let decoded):
                        // Anyone can forge one: only repeated ones are shown to the user (the spec).
                        advisories += 1
                        if advisories >= Self.advisoriesShown { return (decoded, attempt) }
                        advisory = decoded
                    case .noise: break
                    }
                }
            }
            intervalMs = min(intervalMs * 2, policy.maximumMs)
            if Self.monotonicMs() - began + intervalMs > policy.budgetMs { break }
            // Silence or a failed connection: the next attempt goes to the next server, same bytes.
            if servers.count > 1 && (!answered || !connected || !channel.isConnected) {
                current = (current + 1) % servers.count
                let next = servers[current]
                do {
                    channel = try FrameChannel(transport, host: next.host, port: next.port, caFile: caFile)
                } catch {
                    lastError = " (\(next): \(error))"
                }
            }
        }
        if wrongKey > 0 { throw wrongKeyError(wrongKey) }
        if let advisory, case .shortRejection(let r) = advisory {
            throw ClientError(description: "\(serverList) refused the frame without authenticating "
                              + "(motivo=\(r.reason.rawValue)) on every attempt for \(policy.budgetMs / 1000) s")
        }
        if busy > 0 {
            throw ClientError(description: "\(serverList) answered ocupado-reintente (busy) \(busy) time(s) in "
                              + "\(policy.budgetMs / 1000) s over \(transport.rawValue): nothing was stored, "
                              + "try again later")
        }
        throw ClientError(description: "no answer from \(serverList) over \(transport.rawValue) in "
                          + "\(policy.budgetMs / 1000) s (\(attempt) attempts)\(lastError)")
    }

    private func wrongKeyError(_ count: Int) -> ClientError {
        ClientError(description: "\(count) answer(s) from \(serverList) said the frame's key is wrong "
                    + "(rechazada/clave) and did not verify with this secret: check the device's secret")
    }

    /// Short rejections (or unverifiable rechazada/clave answers) before the client reports one
    /// (``send(_:key:policy:)``).
    public static let advisoriesShown = 3

    enum Classified {
        /// An authenticated answer other than busy: the phone is done.
        case final(ServerReply)
        /// ocupado-reintente, authenticated or not.
        case busy
        /// rechazada/clave signed with a key this client does not have.
        case wrongKey
        /// An unauthenticated short rejection: kept, but the phone goes on retrying.
        case advisory(ServerReply)
        /// Not an answer to this frame.
        case noise
    }

    static func classify(_ reply: [UInt8], key: [UInt8]) -> Classified {
        let decoded: ServerReply
        do {
            decoded = try ServerReply.decode(reply, key: key)
        } catch .badMAC {
            // Unverifiable: read its status and reason as advice (anyone can forge them).
            guard reply.count > 5 else { return .noise }
            if reply[4] == AckStatus.ocupadoReintente.wireValue { return .busy }
            if reply[4] == AckStatus.rechazada.wireValue && reply[5] == RejectReason.clave.wireValue {
                return .wrongKey
            }
            return .noise
        } catch {
            return .noise
        }
        switch decoded {
        case .acknowledgement(let ack) where ack.status == .ocupadoReintente: return .busy
        case .acknowledgement: return .final(decoded)
        case .shortRejection: return .advisory(decoded)
        }
    }

    static func monotonicMs() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }

    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
