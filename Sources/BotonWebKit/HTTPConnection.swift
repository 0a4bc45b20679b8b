import BotonHTTP
import BotonNet

/// What the worker threads and event sources post to a connection.
public enum HTTPConnectionMessage: Sendable {
    /// The serialized answer to the request in the handler; `close` after it.
    case response([UInt8], close: Bool)
    /// The head of an event stream: from now on the connection only carries events.
    case streamHead([UInt8])
    /// One encoded event (or heartbeat comment) of an open stream.
    case event([UInt8])
    /// The event source is done: close after what was written.
    case endStream
}

/// One HTTP/1.1 connection on its connection thread: parses requests as bytes arrive, answers them one at a time
/// in order — a non-blocking route at once on this thread, any other on the worker pool, and nothing after a
/// request in the pool until its answer is written (so pipelined requests are answered in order, whichever way
/// each one went) — and enforces the header-read deadline. After a parse error it answers that error (once
/// earlier requests are answered) and closes.
final class HTTPConnection: StreamHandler {
    typealias Message = HTTPConnectionMessage

    private let core: WebServerCore
    private let peer: StreamPeer
    /// The peer's address as handlers see it, formatted once.
    private let clientAddress: String
    private var dates = HTTPDateCache()
    private var parser: HTTPRequestParser
    private var waiting: [HTTPRequest] = []
    private var inHandler = false
    private var parseFailure: HTTPParseError?
    private var streaming = false
    private var peerDone = false
    /// When the first byte of the request now being received arrived (monotonic ms).
    private var requestStartedAt: Int64?

    /// Pipelined requests parsed ahead of the one in a handler; beyond this the connection is not read.
    static let maxWaiting = 16
    /// Answers waiting to be sent beyond this: no further request is answered or parsed, and the connection is not
    /// read, until the client has taken them (``drained(output:)``). A client that pipelines and never reads holds
    /// this much and its unread requests, not one answer per request.
    static let outputBound = 256 << 10
    /// Answering stopped at ``outputBound``.
    private var backlogged = false

    init(core: WebServerCore, peer: StreamPeer) {
        self.core = core
        self.peer = peer
        clientAddress = peer.address.host
        parser = HTTPRequestParser(limits: core.limits)
        core.connectionOpened()
    }

    /// An event stream keeps reading (and ignoring) input, so the client's close is seen at once.
    var acceptsInput: Bool { streaming || (parseFailure == nil && !backlogged && waiting.count < Self.maxWaiting) }

    func received(_ bytes: UnsafeRawBufferPointer, output: inout StreamOutput) {
        guard !streaming, parseFailure == nil else { return }
        if requestStartedAt == nil { requestStartedAt = monotonicMilliseconds() }
        parser.append(bytes)
        parse(&output)
        dispatchNext(&output)
    }

    /// Parses what the parser holds, up to ``maxWaiting`` requests waiting (the rest stays in the parser).
    private func parse(_ output: inout StreamOutput) {
        guard parseFailure == nil, !streaming else { return }
        do {
            while waiting.count < Self.maxWaiting, let request = try parser.next() {
                waiting.append(request)
                requestStartedAt = parser.isInsideRequest ? monotonicMilliseconds() : nil
            }
            if parser.shouldSendContinue() { output.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        } catch {
            parseFailure = error
            requestStartedAt = nil
            core.countParseError(error)
        }
    }

    func drained(output: inout StreamOutput) {
        guard backlogged else { return }
        backlogged = false
        dispatchNext(&output)
    }

    func deliver(_ message: HTTPConnectionMessage, output: inout StreamOutput) {
        switch message {
        case .response(let bytes, let close):
            output.write(bytes)
            inHandler = false
            if close {
                output.close()
                return
            }
            dispatchNext(&output)
        case .streamHead(let bytes):
            output.write(bytes)
            inHandler = false
            streaming = true
        case .event(let bytes):
            output.write(bytes)
        case .endStream:
            output.close()
        }
    }

    func peerClosed(output: inout StreamOutput) {
        peerDone = true
        if streaming || (!inHandler && waiting.isEmpty) { output.close() }
    }

    func tick(nowMs: Int64, output: inout StreamOutput) {
        guard let started = requestStartedAt, !inHandler, nowMs - started >= Int64(core.headerTimeoutMs) else { return }
        // A request that does not arrive in time (a slow-loris client): 408, then close.
        requestStartedAt = nil
        parseFailure = HTTPParseError(status: .requestTimeout, reason: "request not received in time")
        dispatchNext(&output)
    }

    func closed() {
        if streaming { core.streamClosed(peer.id) }
        core.connectionClosed()
    }

    private func dispatchNext(_ output: inout StreamOutput) {
        guard !inHandler, !streaming else { return }
        while true {
            if output.isClosing { return }
            if output.unsentByteCount > Self.outputBound {
                backlogged = true
                return
            }
            if waiting.isEmpty { parse(&output) }
            guard !waiting.isEmpty else { break }
            var request = waiting.removeFirst()
            request.clientAddress = clientAddress
            request.isSecure = peer.secure
            switch core.handle(request, from: peer.id, dates: &dates, output: &output) {
            case .answered: continue
            case .handedOff:
                inHandler = true
                return
            }
        }
        if output.isClosing { return }
        if let failure = parseFailure {
            output.write(failure.response.serialize(closeConnection: true))
            output.close()
        } else if peerDone {
            output.close()
        }
    }
}
