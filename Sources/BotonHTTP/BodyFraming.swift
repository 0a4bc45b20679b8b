/// How a request's body is delimited (RFC 9112 §6.3), with the request-smuggling defences. Internal.
enum BodyFraming: Equatable {
    case length(Int)
    case chunked

    /// Rules, each answered with 400 unless noted:
    /// - Transfer-Encoding together with Content-Length;
    /// - Transfer-Encoding in an HTTP/1.0 request;
    /// - Transfer-Encoding other than exactly one field whose value is `chunked` (case-insensitive;
    ///   `gzip, chunked`, `chunked, chunked` and two Transfer-Encoding fields are all refused);
    /// - Content-Length values (every field, every comma-separated element) that are not all the same
    ///   string of digits; a length over `limit` is 413.
    static func of(_ headers: HTTPHeaders, version: HTTPVersion, limit: Int) throws(HTTPParseError) -> BodyFraming {
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else { throw .badRequest("both Content-Length and Transfer-Encoding") }
            guard version == .http11 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            guard transferEncodings.count == 1, transferEncodings[0].lowercased() == "chunked" else {
                throw .badRequest("unsupported Transfer-Encoding")
            }
            return .chunked
        }
        guard !contentLengths.isEmpty else { return .length(0) }
        var seen: Substring?
        for field in contentLengths {
            for element in field.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = ASCII.trimmingBlanks(element)
                guard !digits.isEmpty, digits.utf8.allSatisfy(ASCII.isDigit) else {
                    throw .badRequest("invalid Content-Length")
                }
                if let seen, seen != digits { throw .badRequest("conflicting Content-Length values") }
                seen = digits
            }
        }
        guard let digits = seen else { throw .badRequest("invalid Content-Length") }
        let significant = digits.drop { $0 == "0" }
        guard significant.count <= 18, let length = Int(significant.isEmpty ? "0" : significant),
              length <= limit
        else { throw .tooLarge("body larger than \(limit) bytes") }
        return .length(length)
    }
}
