/// Encodes server-sent events and the response head that starts a stream.
///
/// The stream has no Content-Length: the head says `Connection: close` and the body ends when the server
/// closes the connection, so an SSE connection is never reused for another request.
public enum ServerSentEvents {
    /// `: ping\n\n`, a comment line that keeps proxies and the client's timeout from closing an idle stream.
    public static let heartbeat: [UInt8] = comment("ping")

    /// `id:`, `event:`, `retry:`, then one `data:` per line, then the empty line that dispatches the event.
    public static func encode(_ event: ServerSentEvent) -> [UInt8] {
        var out = ""
        if let id = event.id { out += "id: \(id)\n" }
        if let name = event.event?.filter({ $0 != "\n" && $0 != "\r" && $0 != "\r\n" }), !name.isEmpty {
            out += "event: \(name)\n"
        }
        if let retry = event.retryMilliseconds { out += "retry: \(retry)\n" }
        if event.data.utf8.contains(where: { $0 == ASCII.lf || $0 == ASCII.cr }) {
            for line in lines(event.data) { out += "data: \(line)\n" }
        } else {
            // One line (a JSON document always is): no split. The console feed writes thousands a second.
            out += "data: \(event.data)\n"
        }
        out += "\n"
        return Array(out.utf8)
    }

    /// A comment (`: text`), one comment line per line of `text`, then an empty line.
    public static func comment(_ text: String) -> [UInt8] {
        Array((lines(text).map { ": \($0)\n" }.joined() + "\n").utf8)
    }

    /// `HTTP/1.1 200 OK` with `Content-Type: text/event-stream`, `Cache-Control: no-store`, the given
    /// extra fields (request id, security headers), `Connection: close` and no Content-Length.
    /// Framing fields in `headers` and invalid fields are dropped, as in ``HTTPResponse/serialize(closeConnection:headOnly:date:)``.
    public static func responseHead(headers: HTTPHeaders = [:]) -> [UInt8] {
        var out = Array("HTTP/1.1 200 OK\r\n".utf8)
        HTTPResponse.write("Content-Type", "text/event-stream", into: &out)
        HTTPResponse.write("Cache-Control", "no-store", into: &out)
        for field in headers where HTTPResponse.isWritable(field, replacingDate: false)
            && !ASCII.equalsIgnoringCase(field.name, "Content-Type")
            && !ASCII.equalsIgnoringCase(field.name, "Cache-Control") {
            HTTPResponse.write(field.name, field.value, into: &out)
        }
        HTTPResponse.write("Connection", "close", into: &out)
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        return out
    }

    /// The request's `Last-Event-ID` as a number; nil when absent or not 1–20 decimal digits within UInt64.
    public static func lastEventID(of request: HTTPRequest) -> UInt64? {
        request.header("Last-Event-ID").flatMap(parseLastEventID)
    }

    /// Decimal digits only (surrounding blanks allowed), within UInt64.
    public static func parseLastEventID(_ value: String) -> UInt64? {
        let digits = ASCII.trimmingBlanks(Substring(value))
        guard !digits.isEmpty, digits.utf8.allSatisfy(ASCII.isDigit) else { return nil }
        return UInt64(digits)
    }

    /// Splits on CRLF, CR and LF (the SSE line terminators); an empty string is one empty line.
    private static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    }
}
