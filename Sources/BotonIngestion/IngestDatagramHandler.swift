public import BotonNet
import BotonRuntime

/// Hands each UDP datagram to the pipeline; answers at once only when the pipeline does (malformed, busy).
public struct IngestDatagramHandler: DatagramHandler {
    let pipeline: IngestionPipeline

    public init(pipeline: IngestionPipeline) { self.pipeline = pipeline }

    public func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply? {
        // A datagram larger than our buffer cannot be a frame; it is answered as oversized by the pipeline's
        // shape check on the bytes we have (which then do not match any kind's size).
        let reply: ReplyBytes
        switch pipeline.submit(datagram, receivedAt: SystemClock.now(), route: .datagram(peer),
                               source: SourceKey(peer)) {
        case .queued, .malformed(nil), .silent: return nil
        case .answered(let bytes), .malformed(.some(let bytes)): reply = bytes
        }
        return DatagramReply(to: peer) { out in
            reply.withBytes { out.copyMemory(from: $0) }
            return reply.count
        }
    }
}
