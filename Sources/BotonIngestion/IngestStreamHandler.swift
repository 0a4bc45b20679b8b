public import BotonNet
import BotonWire
import BotonRuntime

/// An answer for a stream connection's `slot`-th frame, posted by the writer after its commit.
public struct StreamReply: Sendable {
    let slot: UInt32
    let bytes: ReplyBytes
}

/// One TCP or TLS connection of the ingestion port: length-prefixed frames in, answers out in the same order.
///
/// Each frame gets the next slot number and goes to the pipeline. Answers come back in any order (an immediate
/// *ocupado-reintente* can be ready before an earlier frame's commit), so each is parked in its slot and the
/// connection writes the longest answered prefix. At most ``maxOutstanding`` frames wait for answers; beyond that
/// the handler stops reading (TCP's window then slows the client) until answers drain.
///
/// Garbage (a bad length prefix, or bytes that are not a frame) is answered with a *rechazada/malformada* frame
/// after the answers owed for earlier frames, and the connection is closed: the stream cannot be trusted to be in
/// sync any more. Other connections are unaffected.
public final class IngestStreamHandler: StreamHandler {
    public typealias Message = StreamReply

    static let maxOutstanding = 64

    private let pipeline: IngestionPipeline
    private let connection: ConnectionID
    private var framer = LengthPrefixedFramer()
    private var parked = [ReplyBytes?](repeating: nil, count: maxOutstanding)
    /// The next slot to give a frame, and the oldest slot not yet written.
    private var nextSlot: UInt32 = 0
    private var nextToWrite: UInt32 = 0
    /// After this slot's answer the connection closes (garbage, or the peer finished sending).
    private var closeAfterSlot: UInt32?
    private var peerDone = false
    /// A frame of this connection passed the pipeline's authentication (it was queued for the writer).
    public private(set) var isProven = false

    private let source: SourceKey

    public init(pipeline: IngestionPipeline, peer: StreamPeer) {
        self.pipeline = pipeline
        connection = peer.id
        source = SourceKey(peer.address)
    }

    private var outstanding: Int { Int(nextSlot &- nextToWrite) }

    public var acceptsInput: Bool { closeAfterSlot == nil && !peerDone && outstanding < Self.maxOutstanding }

    public func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput) {
        framer.append(bytes)
        submitBufferedFrames(output: &output)
    }

    public func deliver(_ message: StreamReply, output: inout StreamOutput) {
        park(message.bytes, in: message.slot)
        writeAnswered(output: &output)
        // Frames that arrived while the connection was paused are still in the framer.
        submitBufferedFrames(output: &output)
    }

    public func peerClosed(output: inout StreamOutput) {
        peerDone = true
        if outstanding == 0 { output.close() }
    }

    public func closed() {}

    private func submitBufferedFrames(output: inout StreamOutput) {
        let now = SystemClock.now()
        while closeAfterSlot == nil && outstanding < Self.maxOutstanding {
            let slot = nextSlot
            let submitted: Submission?
            do {
                submitted = try framer.withNextFrame { frame in
                    pipeline.submit(frame, receivedAt: now, route: .stream(connection, slot: slot), source: source)
                }
            } catch {
                // A length of 0 or above 128: not our protocol, and no way back into sync.
                nextSlot &+= 1
                refuse(slot: slot)
                break
            }
            guard let submitted else { break }
            nextSlot &+= 1
            switch submitted {
            case .queued: isProven = true
            case .answered(let reply): park(reply, in: slot)
            case .silent: refuse(slot: slot)  // only datagrams go unanswered; never here
            case .malformed(let reply):
                if let reply { park(reply, in: slot) } else { refuse(slot: slot) }
                closeAfterSlot = slot
            }
        }
        writeAnswered(output: &output)
    }

    private func refuse(slot: UInt32) {
        park(ReplyBytes { ShortRejection(reason: .malformada).encode(into: $0) }, in: slot)
        closeAfterSlot = slot
    }

    private func park(_ reply: ReplyBytes, in slot: UInt32) {
        parked[Int(slot % UInt32(Self.maxOutstanding))] = reply
    }

    /// Writes answers in frame order, as far as they are ready; closes when the last owed answer is out.
    private func writeAnswered(output: inout StreamOutput) {
        var prefixed = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                        UInt64(0), UInt64(0))
        while nextToWrite != nextSlot, let reply = parked[Int(nextToWrite % UInt32(Self.maxOutstanding))] {
            parked[Int(nextToWrite % UInt32(Self.maxOutstanding))] = nil
            withUnsafeMutableBytes(of: &prefixed) { buffer in
                let n = reply.withBytes { LengthPrefixedFramer.writeFrame($0, into: buffer) }
                output.write(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
            }
            if let last = closeAfterSlot, last == nextToWrite {
                nextToWrite &+= 1
                output.close()
                return
            }
            nextToWrite &+= 1
        }
        if peerDone && outstanding == 0 { output.close() }
    }
}
