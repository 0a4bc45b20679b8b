public import BotonIngestion
public import BotonNet
import BotonRuntime

/// An answer for a DC-09 connection's `slot`-th message, posted after the commit (nil: no answer).
public struct DC09StreamReply: Sendable {
    let slot: UInt32
    let bytes: [UInt8]?
}

/// One TCP connection of the DC-09 port: messages in (split anywhere across reads, garbage skipped), answers out in
/// message order. A length above the limit closes the connection after the answers owed. At most
/// ``maxOutstanding`` messages wait for their commit; beyond, reading pauses.
public final class DC09StreamHandler: StreamHandler {
    public typealias Message = DC09StreamReply
    static let maxOutstanding: UInt32 = 32

    private enum Slot { case waiting, answered([UInt8]?) }

    private let receiver: DC09Receiver
    private let post: @Sendable (DC09StreamReply) -> Void
    private let source: SourceKey
    private let peer: String
    private var framer = DC09Framer()
    private var slots: [UInt32: Slot] = [:]
    private var nextSlot: UInt32 = 0
    private var nextToWrite: UInt32 = 0
    private var closing = false
    private var peerDone = false
    public private(set) var isProven = false

    /// `post` reaches this connection from the writer's thread (``StreamServer/post(_:to:)``).
    public init(receiver: DC09Receiver, peer: StreamPeer, post: @escaping @Sendable (DC09StreamReply) -> Void) {
        self.receiver = receiver
        self.post = post
        source = SourceKey(peer.address)
        self.peer = peer.address.description
    }

    public var acceptsInput: Bool { !closing && !peerDone && nextSlot &- nextToWrite < Self.maxOutstanding }

    public func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput) {
        framer.append(bytes)
        drain(output: &output)
    }

    public func deliver(_ message: DC09StreamReply, output: inout StreamOutput) {
        slots[message.slot] = .answered(message.bytes)
        drain(output: &output)
    }

    public func peerClosed(output: inout StreamOutput) {
        peerDone = true
        writeAnswered(output: &output)
    }

    public func closed() {}

    public func tick(nowMs: Int64, output: inout StreamOutput) {}

    private func drain(output: inout StreamOutput) {
        while !closing && nextSlot &- nextToWrite < Self.maxOutstanding {
            switch framer.next() {
            case .needMore:
                writeAnswered(output: &output)
                return
            case .skipped:
                continue
            case .oversized:
                closing = true
            case .badLength:
                let slot = take()
                slots[slot] = .answered(DC09Answer.nak(now: SystemClock.now().millisecondsSince1970 / 1000))
            case .message(let message):
                let slot = take()
                let post = self.post
                switch receiver.handle(message, source: source, peer: peer, later: { bytes in
                    post(DC09StreamReply(slot: slot, bytes: bytes))
                }) {
                case .answer(let bytes): slots[slot] = .answered(bytes)
                case .silent: slots[slot] = .answered(nil)
                case .pending:
                    isProven = true
                }
            }
        }
        writeAnswered(output: &output)
    }

    private func take() -> UInt32 {
        let slot = nextSlot
        nextSlot &+= 1
        slots[slot] = .waiting
        return slot
    }

    private func writeAnswered(output: inout StreamOutput) {
        while nextToWrite != nextSlot, case .answered(let bytes)? = slots[nextToWrite] {
            slots[nextToWrite] = nil
            if let bytes { output.write(bytes) }
            nextToWrite &+= 1
        }
        if (closing || peerDone) && nextToWrite == nextSlot { output.close() }
    }
}

/// The DC-09 UDP port: each datagram is read like a piece of stream (a datagram with two messages gets two answers).
/// Immediate answers go back at once; answers after the commit through ``UDPListener/send(_:)``. Answers to an
/// address are limited like the alert port's (`ingest.answers_per_address_per_second`): UDP sources are
/// spoofable, so the port cannot be turned against someone else.
public struct DC09DatagramHandler: DatagramHandler {
    let receiver: DC09Receiver
    let pipeline: IngestionPipeline
    let send: @Sendable (DatagramReply) -> Void
    /// Messages read from one datagram at most.
    static let maxMessages = 4

    public init(receiver: DC09Receiver, pipeline: IngestionPipeline, send: @escaping @Sendable (DatagramReply) -> Void) {
        self.receiver = receiver
        self.pipeline = pipeline
        self.send = send
    }

    public func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply? {
        guard !truncated else {
            pipeline.countDC09Answer("none", reason: "demasiado_largo")
            return nil
        }
        var framer = DC09Framer()
        framer.append(datagram)
        let source = SourceKey(peer)
        var immediate: [[UInt8]] = []
        var messages = 0
        loop: while messages < Self.maxMessages {
            switch framer.next() {
            case .needMore, .oversized: break loop
            case .skipped: continue
            case .badLength:
                messages += 1
                immediate.append(DC09Answer.nak(now: SystemClock.now().millisecondsSince1970 / 1000))
            case .message(let message):
                messages += 1
                let send = self.send
                let pipeline = self.pipeline
                switch receiver.handle(message, source: source, peer: peer.description, later: { bytes in
                    guard let bytes, bytes.count <= DatagramReply.capacity, pipeline.mayAnswerDatagram(to: source)
                    else { return }
                    send(DatagramReply(to: peer) { out in
                        out.copyBytes(from: bytes)
                        return bytes.count
                    })
                }) {
                case .answer(let bytes): immediate.append(bytes)
                case .silent, .pending: break
                }
            }
        }
        let allowed = immediate.filter { $0.count <= DatagramReply.capacity && pipeline.mayAnswerDatagram(to: source) }
        guard let first = allowed.first else { return nil }
        for extra in allowed.dropFirst() {
            send(DatagramReply(to: peer) { out in
                out.copyBytes(from: extra)
                return extra.count
            })
        }
        return DatagramReply(to: peer) { out in
            out.copyBytes(from: first)
            return first.count
        }
    }
}
