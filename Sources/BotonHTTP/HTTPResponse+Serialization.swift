public import Foundation

extension HTTPResponse {
    /// The response as HTTP/1.1 bytes: the status line, the header fields in order, then `Date` (when given),
    /// `Content-Length` and `Connection: close` (when `closeConnection`), the empty line and the body.
    ///
    /// - 1xx, 204 and 304 get neither `Content-Length` nor a body.
    /// - `headOnly` (answering HEAD) keeps `Content-Length` of the body but leaves the body out.
    /// - Fields whose name is not a token or whose value holds CR, LF or another control character are
    ///   dropped (no header injection), as are `Content-Length`, `Transfer-Encoding` and `Connection`, which
    ///   only the serializer writes, and `Date` when `date` is given.
    public func serialize(closeConnection: Bool = false, headOnly: Bool = false, date: Date? = nil) -> [UInt8] {
        serialize(connection: closeConnection ? "close" : nil, headOnly: headOnly, date: date)
    }


    /// Serializes the answer to `request`: `Connection: close` unless ``HTTPRequest/keepAlive`` (or when
    /// `closeConnection` forces it), `Connection: keep-alive` for a kept-alive HTTP/1.0 client, and no body
    /// for HEAD.
    public func serialize(answering request: HTTPRequest, closeConnection: Bool = false, date: Date? = nil)
        -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        serialize(answering: request, closeConnection: closeConnection, dateField: date.map(HTTPDate.string(from:)),
                  into: &out)
        return out
    }

    /// ``serialize(answering:closeConnection:date:)`` appended to `out` (a connection's send buffer), with the
    /// `Date` field's value already formatted (``HTTPDateCache``).
    public func serialize(answering request: HTTPRequest, closeConnection: Bool = false, dateField: String?,
                          into out: inout [UInt8]) {
        let connection: String?
        if closeConnection || !request.keepAlive {
            connection = "close"
        } else {
            connection = request.version == .http10 ? "keep-alive" : nil
        }
        serialize(connection: connection, headOnly: request.method == .head, dateField: dateField, into: &out)
    }

    private func serialize(connection: String?, headOnly: Bool, date: Date?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        serialize(connection: connection, headOnly: headOnly, dateField: date.map(HTTPDate.string(from:)), into: &out)
        return out
    }

    private func serialize(connection: String?, headOnly: Bool, dateField: String?, into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        Self.appendDecimal(status.code, to: &out)
        out.append(ASCII.space)
        out.append(contentsOf: status.reasonPhrase.utf8)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        for field in headers where Self.isWritable(field, replacingDate: dateField != nil) {
            Self.write(field.name, field.value, into: &out)
        }
        if let dateField { Self.write("Date", dateField, into: &out) }
        if status.allowsBody {
            out.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &out)
            out.append(ASCII.cr)
            out.append(ASCII.lf)
        }
        if let connection { Self.write("Connection", connection, into: &out) }
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        if status.allowsBody, !headOnly { out.append(contentsOf: body) }
    }

    /// A non-negative integer in decimal ASCII, without building a String.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: rest / divisor) + UInt8(ascii: "0"))
            rest %= divisor
            divisor /= 10
        }
    }

    static func write(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(ASCII.colon)
        out.append(ASCII.space)
        out.append(contentsOf: value.utf8)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    static let framingFields = ["Content-Length", "Transfer-Encoding", "Connection"]

    static func isWritable(_ field: HTTPHeaders.Field, replacingDate: Bool) -> Bool {
        // Only names starting with C, T or D can be one the serializer writes itself.
        switch field.name.utf8.first.map(ASCII.lowercased) {
        case UInt8(ascii: "c"), UInt8(ascii: "t"):
            if framingFields.contains(where: { ASCII.equalsIgnoringCase($0, field.name) }) { return false }
        case UInt8(ascii: "d"):
            if replacingDate, ASCII.equalsIgnoringCase(field.name, "Date") { return false }
        default: break
        }
        return isValid(field)
    }

    /// A token name and a value of visible characters, blanks and non-ASCII UTF-8 only.
    static func isValid(_ field: HTTPHeaders.Field) -> Bool {
        !field.name.isEmpty && ASCII.allBytes(of: field.name, ASCII.isTokenChar)
            && ASCII.allBytes(of: field.value) { ASCII.isFieldVisible($0) || ASCII.isBlank($0) }
    }
}
