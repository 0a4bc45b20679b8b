/// One event of a `text/event-stream` (WHATWG HTML, "Server-sent events").
public struct ServerSentEvent: Sendable, Equatable {
    /// Written as `id:`; the client echoes the last one in `Last-Event-ID` when it reconnects.
    public var id: UInt64?
    /// Written as `event:` (CR and LF removed; omitted when empty).
    public var event: String?
    /// Written as one `data:` line per line (split on CRLF, CR or LF).
    public var data: String
    /// Written as `retry:`, the client's reconnection delay in milliseconds.
    public var retryMilliseconds: UInt32?

    public init(id: UInt64? = nil, event: String? = nil, data: String, retryMilliseconds: UInt32? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retryMilliseconds = retryMilliseconds
    }
}
