/// An incremental HTTP/1.1 request parser for one connection.
///
/// Feed bytes with `append(_:)` as they arrive, in pieces of any size (one byte at
/// a time works), then call ``next()`` until it returns nil: each call yields the next complete request, so
/// pipelined requests come out in order. After an error the parser is dead: ``next()`` throws the same
/// error again and appended bytes are dropped; answer with ``HTTPParseError/status`` and close.
///
/// A value type with no I/O and no locks: own one per connection, mutate it from one thread at a time.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPLimits

    /// A chunk-size line (hex size plus ignored extensions) may be at most this long (400 beyond).
    public static let maxChunkLineBytes = 4096

    enum State: Sendable, Equatable {
        case requestLine
        case headers
        case fixedBody(Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    var buffer: [UInt8] = []
    /// The first byte not yet consumed.
    var readIndex = 0
    /// Bytes in `readIndex..<scanIndex` are known to hold no LF (so partial lines are never rescanned).
    var scanIndex = 0
    var state = State.requestLine
    var requestLine: HeadSyntax.RequestLine?
    var headers = HTTPHeaders()
    /// Header-section bytes used so far by this request (field lines, the empty line, then trailers).
    var headerBytesUsed = 0
    var headerCount = 0
    var body: [UInt8] = []
    var continuePending = false

    /// The error that killed the parser, if any.
    public private(set) var failure: HTTPParseError?

    public init(limits: HTTPLimits = .standard) {
        self.limits = limits
    }

    /// Bytes received and not yet consumed by a returned request.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True while part of a request has been received (useful to tell an idle keep-alive connection from a
    /// slow client).
    public var isInsideRequest: Bool { state != .requestLine || bufferedByteCount > 0 }

    /// Adds received bytes. Ignored once the parser has failed.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes. Ignored once the parser has failed.
    public mutating func append(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            continuePending = false
            buffer = []
            readIndex = 0
            scanIndex = 0
            throw error
        }
    }

    /// True exactly once per request whose head carried `Expect: 100-continue` (HTTP/1.1) while its body
    /// has not fully arrived: the caller then writes `HTTP/1.1 100 Continue\r\n\r\n`. Call it after
    /// ``next()`` returned nil. A request whose Content-Length is over the limit fails in ``next()`` first.
    public mutating func shouldSendContinue() -> Bool {
        guard continuePending else { return false }
        continuePending = false
        return true
    }

    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if readIndex >= 4096, readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
        } else {
            return
        }
        scanIndex -= readIndex
        readIndex = 0
    }

    private mutating func step() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch state {
            case .requestLine:
                guard try skipEmptyLines(), readIndex < buffer.count else { return nil }
                // Reject obvious garbage (such as a TLS handshake) before a whole line arrives.
                guard ASCII.isTokenChar(buffer[readIndex]) else { throw .badRequest("invalid method") }
                guard let line = try takeLine(maxLength: limits.requestLineBytes, tooLong: .requestLineTooLong)
                else { return nil }
                requestLine = try HeadSyntax.requestLine(line)
                state = .headers
            case .headers:
                guard let line = try takeHeaderLine() else { return nil }
                if line.isEmpty {
                    if let request = try finishHead() { return request }
                } else {
                    try countField()
                    headers.add(field: try HeadSyntax.fieldLine(line))
                }
            case .fixedBody(let length):
                guard buffer.count - readIndex >= length else { return nil }
                body = Array(buffer[readIndex..<(readIndex + length)])
                consume(upTo: readIndex + length)
                return complete()
            case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
                guard let request = try stepChunked() else { return nil }
                return request
            }
        }
    }

    /// Skips the empty lines RFC 9112 §2.2 lets a client send before a request line. False: need more bytes.
    private mutating func skipEmptyLines() throws(HTTPParseError) -> Bool {
        while readIndex < buffer.count, buffer[readIndex] == ASCII.cr || buffer[readIndex] == ASCII.lf {
            guard buffer[readIndex] == ASCII.cr else { throw .badRequest("line not terminated by CRLF") }
            guard readIndex + 1 < buffer.count else { return false }
            guard buffer[readIndex + 1] == ASCII.lf else { throw .badRequest("line not terminated by CRLF") }
            consume(upTo: readIndex + 2)
        }
        return true
    }

    /// The next line without its CRLF, consumed; nil when it has not fully arrived. A bare LF is an error.
    mutating func takeLine(maxLength: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        guard let lineFeed = buffer[scanIndex...].firstIndex(of: ASCII.lf) else {
            scanIndex = buffer.count
            if buffer.count - readIndex > maxLength + 1 { throw tooLong }
            return nil
        }
        // Same rule as above, so the verdict does not depend on how the bytes were split.
        if lineFeed - readIndex > maxLength + 1 { throw tooLong }
        guard lineFeed > readIndex, buffer[lineFeed - 1] == ASCII.cr else {
            throw .badRequest("line not terminated by CRLF")
        }
        let line = buffer[readIndex..<(lineFeed - 1)]
        consume(upTo: lineFeed + 1)
        return line
    }

    /// A field line (or the empty line) charged to the header-section budget.
    mutating func takeHeaderLine() throws(HTTPParseError) -> ArraySlice<UInt8>? {
        let remaining = limits.headerBytes - headerBytesUsed
        guard let line = try takeLine(maxLength: remaining - 2,
                                      tooLong: .headersTooLarge("header section too large")) else { return nil }
        headerBytesUsed += line.count + 2
        return line
    }

    mutating func countField() throws(HTTPParseError) {
        headerCount += 1
        if headerCount > limits.headerCount { throw .headersTooLarge("too many header fields") }
    }

    mutating func consume(upTo index: Int) {
        readIndex = index
        scanIndex = max(scanIndex, index)
    }

    /// Host and framing checks once the empty line has arrived; returns the request when it has no body.
    private mutating func finishHead() throws(HTTPParseError) -> HTTPRequest? {
        guard let requestLine else { preconditionFailure("head finished without a request line") }
        let hosts = headers.count(of: "Host")
        if hosts > 1 { throw .badRequest("repeated Host header") }
        if hosts == 0, requestLine.version == .http11 { throw .badRequest("missing Host header") }
        let expectsContinue = requestLine.version == .http11
            && headers.tokens(for: "Expect").contains("100-continue")
        switch try BodyFraming.of(headers, version: requestLine.version, limit: limits.bodyBytes) {
        case .length(0):
            return complete()
        case .length(let length):
            state = .fixedBody(length)
        case .chunked:
            state = .chunkSize
        }
        continuePending = expectsContinue
        return nil
    }

    /// Builds the finished request and resets for the next one.
    mutating func complete() -> HTTPRequest {
        guard let line = requestLine else { preconditionFailure("request completed without a request line") }
        let request = HTTPRequest(method: line.method, target: line.target, parsedTarget: line.parsedTarget,
                                  version: line.version, headers: headers, body: body)
        state = .requestLine
        requestLine = nil
        headers = HTTPHeaders()
        headerBytesUsed = 0
        headerCount = 0
        body = []
        continuePending = false
        return request
    }
}

extension HTTPHeaders {
    mutating func add(field: Field) { add(name: field.name, value: field.value) }
}
