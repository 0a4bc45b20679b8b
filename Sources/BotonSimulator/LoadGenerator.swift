public import BotonGeo
public import BotonWire
import Foundation
import Glibc

/// A simulated phone's credential and registered address.
public struct LoadDevice: Sendable {
    public let id: DeviceID
    public let secret: [UInt8]
    public let home: GeoPoint

    public init(id: DeviceID, secret: [UInt8], home: GeoPoint) {
        self.id = id
        self.secret = secret
        self.home = home
    }
}

/// What `boton alert load` does: how fast, how long, over what.
public struct LoadPlan: Sendable {
    public var transport: AlertTransport
    public var host: String
    public var port: Int
    /// Alerts per second, spread evenly over ``duration``.
    public var rate: Int
    public var duration: Double
    /// After the last first send, how long unanswered frames keep being retried before they count as lost.
    public var grace: Double
    /// CA file to verify the TLS port with; nil accepts any certificate (self-signed development pairs).
    public var caFile: String?
    /// More nodes after `host:port`: when the current one falls silent (nothing answered for a second while
    /// alerts wait) or its connection cannot be made, the load moves to the next and resends what is in flight,
    /// same bytes (answered `duplicada` where the first node had stored it).
    public var failover: [AlertClient.Server]

    public init(transport: AlertTransport, host: String, port: Int, rate: Int, duration: Double, grace: Double = 30,
                caFile: String? = nil, failover: [AlertClient.Server] = [])
    {
        self.failover = failover
        self.transport = transport
        self.host = host
        self.port = port
        self.rate = rate
        self.duration = duration
        self.grace = grace
        self.caFile = caFile
    }
}

/// One alert the server acknowledged (*aceptada* or *duplicada*), as the phone saw it.
public struct AcknowledgedAlert: Sendable {
    public let device: DeviceID
    public let sequence: UInt64
    public let status: AckStatus
    public let incidentID: UInt64
    public let upcCode: String?
}

/// Counts and latencies of a load run. Latency runs from an alert's first send to its verified answer, retries
/// included: what the person pressing the button waits.
public struct LoadReport: Sendable {
    public var transport: AlertTransport
    public var seconds = 0.0
    /// Alerts sent (each counted once, however many times it was retransmitted).
    public var sent = 0
    public var transmissions = 0
    public var acknowledged = 0
    /// Alerts whose verified answer was *duplicada* (an earlier copy was stored but its answer was lost).
    public var duplicates = 0
    /// Alerts rejected by the server (reason → count).
    public var rejected: [String: Int] = [:]
    /// *ocupado-reintente* answers received (each followed by a retry).
    public var busyAnswers = 0
    /// Alerts still unanswered when the grace period ended.
    public var lost = 0
    public var reconnects = 0
    /// Moves to the next node (``LoadPlan/failover``).
    public var failovers = 0
    /// Answers that did not verify with the device's key or matched no alert in flight.
    public var unverifiedAnswers = 0
    /// Milliseconds, sorted.
    var latencies: [Double] = []

    public func percentile(_ p: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1
        return latencies[min(max(rank, 0), latencies.count - 1)]
    }

    public var text: String {
        func ms(_ p: Double) -> String { percentile(p).map { String(format: "%.2f ms", $0) } ?? "-" }
        let rejectedText = rejected.isEmpty ? "0"
            : rejected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return """
        transporte:   \(transport.rawValue)
        duración:     \(String(format: "%.1f", seconds)) s
        enviadas:     \(sent) (\(transmissions) transmisiones, \(reconnects) reconexiones, \(failovers) cambios de nodo)
        aceptadas:    \(acknowledged - duplicates)
        duplicadas:   \(duplicates)
        rechazadas:   \(rejectedText)
        ocupado:      \(busyAnswers) respuestas ocupado-reintente
        perdidas:     \(lost)
        latencia:     p50 \(ms(50))  p90 \(ms(90))  p99 \(ms(99))  p99.9 \(ms(99.9))

        """
    }

    public var json: String {
        func number(_ p: Double) -> String { percentile(p).map { String(format: "%.3f", $0) } ?? "null" }
        let rejectedJSON = rejected.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
            .joined(separator: ",")
        return "{\"transport\":\"\(transport.rawValue)\",\"seconds\":\(String(format: "%.3f", seconds)),"
            + "\"sent\":\(sent),\"transmissions\":\(transmissions),\"acknowledged\":\(acknowledged),"
            + "\"duplicates\":\(duplicates),\"rejected\":{\(rejectedJSON)},\"busy_answers\":\(busyAnswers),"
            + "\"lost\":\(lost),\"reconnects\":\(reconnects),\"failovers\":\(failovers),\"unverified_answers\":\(unverifiedAnswers),"
            + "\"p50_ms\":\(number(50)),\"p90_ms\":\(number(90)),\"p99_ms\":\(number(99)),"
            + "\"p999_ms\":\(number(99.9))}"
    }
}

/// Sends alerts at a steady rate from many devices and retries each like a phone until it is answered.
///
/// One thread: every loop it sends the alerts now due, retransmits those whose retry time has come
/// (250 ms doubling to 8 s, with jitter; at once after a reconnect), and reads answers for up to 1 ms. Every
/// alert has its own sequence number (per device increasing), so an answer is matched to its alert by the
/// sequence it carries and verified with that device's key.
public final class LoadGenerator {
    private let plan: LoadPlan
    private let devices: [LoadDevice]

    public init(plan: LoadPlan, devices: [LoadDevice]) {
        precondition(!devices.isEmpty, "a load needs at least one device")
        self.plan = plan
        self.devices = devices
    }

    private struct InFlight {
        let device: Int
        let frame: [UInt8]
        let firstSent: Int64
        var nextRetry: Int64
        var delay: Int64
    }

    /// Runs the load. `acknowledged` is called for every alert the server confirmed, as it is confirmed.
    public func run(acknowledged: (AcknowledgedAlert) -> Void = { _ in }) throws -> LoadReport {
        let servers = [AlertClient.Server(host: plan.host, port: plan.port)] + plan.failover
        var current = 0
        var channel = try FrameChannel(plan.transport, host: plan.host, port: plan.port, caFile: plan.caFile)
        var report = LoadReport(transport: plan.transport)
        var lastAnswer = Self.nowUs()
        let total = max(Int((Double(plan.rate) * plan.duration).rounded()), 0)
        report.latencies.reserveCapacity(total)
        // Sequence numbers: above anything this device sent before (milliseconds × 1000), one per alert.
        let base = UInt64(Date().timeIntervalSince1970 * 1000) * 1000
        var inFlight: [Int: InFlight] = [:]
        var generator = SystemRandomNumberGenerator()
        let start = Self.nowUs()
        let lastSendDeadline = start + Int64(plan.duration * 1_000_000)
        let giveUp = lastSendDeadline + Int64(plan.grace * 1_000_000)
        var nextIndex = 0
        var reconnectAt: Int64 = 0
        var reconnectDelay: Int64 = 100_000

        func transmit(_ entry: inout InFlight, now: Int64) {
            channel.send(entry.frame)
            report.transmissions += 1
            let jitter = Int64.random(in: 0 ... entry.delay / 4, using: &generator)
            entry.nextRetry = now + entry.delay + jitter
            entry.delay = min(entry.delay * 2, 8_000_000)
        }

        /// The next node: a new channel, and everything in flight is resent to it at once.
        func failOver(now: Int64) {
            current = (current + 1) % servers.count
            let next = servers[current]
            if let moved = try? FrameChannel(plan.transport, host: next.host, port: next.port, caFile: plan.caFile) {
                channel = moved
            }
            report.failovers += 1
            lastAnswer = now
            for key in inFlight.keys { inFlight[key]!.nextRetry = now }
        }

        while true {
            let now = Self.nowUs()
            if now >= giveUp { break }
            if nextIndex >= total && inFlight.isEmpty { break }
            // A broken stream: reconnect with backoff, then resend everything in flight at once; with other
            // nodes, the next one instead.
            if !channel.isConnected && now >= reconnectAt {
                do {
                    try channel.reconnect()
                    report.reconnects += 1
                    reconnectDelay = 100_000
                    for key in inFlight.keys { inFlight[key]!.nextRetry = now }
                } catch {
                    if servers.count > 1 {
                        failOver(now: now)
                    } else {
                        reconnectAt = now + reconnectDelay
                        reconnectDelay = min(reconnectDelay * 2, 2_000_000)
                    }
                }
            }
            // A silent node (nothing answered for a second while alerts wait for an answer): the next one.
            if servers.count > 1, now - lastAnswer > 1_000_000,
               let oldest = inFlight.values.map(\.firstSent).min(), now - oldest > 1_000_000 {
                failOver(now: now)
            }
            // New alerts due by now.
            let due = min(total, Int(Double(now - start) / 1_000_000 * Double(plan.rate)) + 1)
            while nextIndex < due && channel.isConnected {
                let deviceIndex = nextIndex % devices.count
                let device = devices[deviceIndex]
                var entry = InFlight(device: deviceIndex,
                                     frame: try frame(for: device, sequence: base + UInt64(nextIndex)),
                                     firstSent: now, nextRetry: now, delay: 250_000)
                transmit(&entry, now: now)
                inFlight[nextIndex] = entry
                report.sent += 1
                nextIndex += 1
            }
            if nextIndex < due && !channel.isConnected {
                // The phone cannot reach the server: the alert is pressed now and waits for the connection.
                while nextIndex < due {
                    let device = devices[nextIndex % devices.count]
                    inFlight[nextIndex] = InFlight(device: nextIndex % devices.count,
                                                   frame: try frame(for: device, sequence: base + UInt64(nextIndex)),
                                                   firstSent: now, nextRetry: now, delay: 250_000)
                    report.sent += 1
                    nextIndex += 1
                }
            }
            // Retransmissions.
            if channel.isConnected {
                for key in inFlight.keys where inFlight[key]!.nextRetry <= now {
                    transmit(&inFlight[key]!, now: now)
                }
            }
            // Answers.
            for reply in channel.receive(timeoutMs: 1) {
                lastAnswer = Self.nowUs()
                guard reply.count == Acknowledgement.length else {
                    report.unverifiedAnswers += 1  // a short rejection names no alert
                    continue
                }
                let sequence = reply.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
                guard sequence >= base, let entry = inFlight[Int(sequence - base)] else {
                    report.unverifiedAnswers += 1
                    continue
                }
                let device = devices[entry.device]
                guard case .acknowledgement(let ack)? = try? ServerReply.decode(reply, key: device.secret) else {
                    // Unauthenticated: only an early ocupado-reintente may be; the retry schedule stands.
                    if reply[4] == AckStatus.ocupadoReintente.wireValue {
                        report.busyAnswers += 1
                    } else {
                        report.unverifiedAnswers += 1
                    }
                    continue
                }
                let received = Self.nowUs()
                switch ack.status {
                case .ocupadoReintente:
                    report.busyAnswers += 1
                    continue
                case .aceptada, .duplicada:
                    report.acknowledged += 1
                    if ack.status == .duplicada { report.duplicates += 1 }
                    report.latencies.append(Double(received - entry.firstSent) / 1000)
                    acknowledged(AcknowledgedAlert(device: device.id, sequence: sequence, status: ack.status,
                                                   incidentID: ack.incidentID, upcCode: ack.upcCode?.text))
                case .rechazada:
                    report.rejected[ack.reason.rawValue, default: 0] += 1
                }
                inFlight[Int(sequence - base)] = nil
            }
        }
        report.lost = inFlight.count + (total - nextIndex)
        report.seconds = Double(Self.nowUs() - start) / 1_000_000
        report.latencies.sort()
        return report
    }

    private func frame(for device: LoadDevice, sequence: UInt64) throws -> [UInt8] {
        try Self.alertFrame(for: device, sequence: sequence)
    }

    /// An *alerta* from `device`, pressed now at home with a good fix a few metres off its registered point.
    public static func alertFrame(for device: LoadDevice, sequence: UInt64) throws -> [UInt8] {
        let position = try FramePosition(latitude: device.home.latitude + Double.random(in: -0.0001 ... 0.0001),
                                         longitude: device.home.longitude + Double.random(in: -0.0001 ... 0.0001),
                                         accuracyMeters: 10, fixAgeSeconds: 1)
        let frame = try DeviceFrame(kind: .alerta, deviceID: device.id, sequence: sequence,
                                    clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000),
                                    batteryPercent: 80, position: position)
        return frame.encode(secret: device.secret)
    }

    static func nowUs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}
