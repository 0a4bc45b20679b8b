/// The grammar of the request line and of field lines (RFC 9112 §3 and §5). Internal, stateless.
enum HeadSyntax {
    struct RequestLine {
        var method: HTTPMethod
        var target: String
        var parsedTarget: RequestTarget
        var version: HTTPVersion
    }

    /// `method SP request-target SP HTTP-version`, single spaces, nothing else.
    static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> RequestLine {
        guard let firstSpace = line.firstIndex(of: ASCII.space) else { throw .badRequest("malformed request line") }
        let methodBytes = line[line.startIndex..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(ASCII.isTokenChar) else {
            throw .badRequest("invalid method")
        }
        let afterMethod = line[(firstSpace + 1)...]
        guard let secondSpace = afterMethod.firstIndex(of: ASCII.space) else {
            throw .badRequest("malformed request line")
        }
        let targetBytes = afterMethod[afterMethod.startIndex..<secondSpace]
        guard !targetBytes.isEmpty, targetBytes.allSatisfy(ASCII.isVisible) else {
            throw .badRequest("invalid request target")
        }
        let version = try httpVersion(line[(secondSpace + 1)...])
        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        let parsedTarget = try RequestTarget.parse(targetBytes, method: method)
        return RequestLine(method: method, target: String(decoding: targetBytes, as: UTF8.self),
                           parsedTarget: parsedTarget, version: version)
    }

    /// `HTTP/` DIGIT `.` DIGIT: 1.0 and 1.1 are accepted, other well-formed versions get 505, anything
    /// else 400.
    static func httpVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let start = bytes.startIndex
        guard bytes.count == 8, bytes[start..<(start + 5)].elementsEqual("HTTP/".utf8), ASCII.isDigit(bytes[start + 5]),
              bytes[start + 6] == UInt8(ascii: "."), ASCII.isDigit(bytes[start + 7])
        else { throw .badRequest("malformed HTTP version") }
        switch (bytes[start + 5], bytes[start + 7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http10
        default: throw .versionNotSupported
        }
    }

    /// `field-name ":" OWS field-value OWS`. Rejects obs-fold (a line starting with SP/HTAB), whitespace
    /// before the colon, an empty or non-token name, and any control character in the value other than HTAB.
    static func fieldLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaders.Field {
        guard let first = line.first else { throw .badRequest("empty header line") }
        if ASCII.isBlank(first) { throw .badRequest("obsolete line folding") }
        guard let colon = line.firstIndex(of: ASCII.colon) else { throw .badRequest("header line without colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty else { throw .badRequest("empty header name") }
        for byte in name where !ASCII.isTokenChar(byte) {
            throw .badRequest(ASCII.isBlank(byte) ? "whitespace before colon in header" : "invalid header name")
        }
        let value = ASCII.trimmingBlanks(line[(colon + 1)...])
        for byte in value where !(ASCII.isFieldVisible(byte) || ASCII.isBlank(byte)) {
            throw .badRequest("control character in header value")
        }
        return HTTPHeaders.Field(name: String(decoding: name, as: UTF8.self), value: ASCII.string(value))
    }
}
