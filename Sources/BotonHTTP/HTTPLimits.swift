/// Size limits the request parser enforces. Exceeding one ends the connection with the status in
/// ``HTTPParseError``.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, without its CRLF (414 beyond). Default 8 KiB.
    public var requestLineBytes: Int
    /// Largest header section: every field line with its CRLF plus the final empty line (431 beyond).
    /// Trailers of a chunked body share this budget with the header section. Default 16 KiB.
    public var headerBytes: Int
    /// Most header fields (431 beyond); trailer fields count too. Default 100.
    public var headerCount: Int
    /// Largest body, by Content-Length or by the sum of the chunk sizes (413 beyond). Default 1 MiB.
    public var bodyBytes: Int

    public init(requestLineBytes: Int = 8 * 1024, headerBytes: Int = 16 * 1024, headerCount: Int = 100,
                bodyBytes: Int = 1024 * 1024) {
        precondition(requestLineBytes > 0 && headerBytes > 0 && headerCount > 0 && bodyBytes >= 0,
                     "HTTPLimits must be positive")
        self.requestLineBytes = requestLineBytes
        self.headerBytes = headerBytes
        self.headerCount = headerCount
        self.bodyBytes = bodyBytes
    }

    /// 8 KiB request line, 16 KiB of headers, 100 header fields, 1 MiB body.
    public static let standard = HTTPLimits()
}
