/// The request-target split into a path and a query (RFC 9112 §3.2). Internal.
///
/// Accepted forms: origin-form (`/a/b?q`), absolute-form (`http://host/a?q`, the authority is ignored; Host
/// is authoritative for us) and asterisk-form (`*`, OPTIONS only). Authority-form (CONNECT) is rejected.
///
/// Path rules, chosen so that ``HTTPRequest/path`` splits on `/` exactly like the raw path:
/// percent escapes must be well formed and decode to UTF-8; an encoded `/` (`%2F`), a decoded control
/// character, a `.` or `..` segment (raw or encoded) and a `#` are rejected with 400.
struct RequestTarget: Sendable, Equatable {
    var rawPath: String
    var path: String
    var queryItems: [FormField]

    static func parse(_ target: ArraySlice<UInt8>, method: HTTPMethod) throws(HTTPParseError) -> RequestTarget {
        guard !target.contains(ASCII.hash) else { throw .badRequest("fragment in request target") }
        if target.elementsEqual("*".utf8) {
            guard method == .options else { throw .badRequest("asterisk-form target is only for OPTIONS") }
            return RequestTarget(rawPath: "*", path: "*", queryItems: [])
        }
        let origin: ArraySlice<UInt8>
        if target.first == ASCII.slash {
            origin = target
        } else if let rest = afterAuthority(target) {
            origin = rest
        } else {
            throw .badRequest("unsupported request target form")
        }
        let rawPathBytes: ArraySlice<UInt8>
        let queryBytes: ArraySlice<UInt8>
        if let question = origin.firstIndex(of: ASCII.question) {
            rawPathBytes = origin[origin.startIndex..<question]
            queryBytes = origin[(question + 1)...]
        } else {
            rawPathBytes = origin
            queryBytes = []
        }
        let rawPath = rawPathBytes.isEmpty ? "/" : String(decoding: rawPathBytes, as: UTF8.self)
        let path = rawPathBytes.isEmpty ? "/" : try isPlain(rawPathBytes) ? rawPath : decodePath(rawPathBytes)
        guard let queryItems = PercentDecoding.formFields(queryBytes) else {
            throw .badRequest("malformed query string")
        }
        return RequestTarget(rawPath: rawPath, path: path, queryItems: queryItems)
    }

    /// For absolute-form `http://authority/path?query`: the part from the path on (`/` when the path is empty).
    private static func afterAuthority(_ target: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let lowered = target.prefix(8).map(ASCII.lowercased)
        let schemeLength: Int
        if lowered.starts(with: "http://".utf8) {
            schemeLength = 7
        } else if lowered.starts(with: "https://".utf8) {
            schemeLength = 8
        } else {
            return nil
        }
        let authorityStart = target.startIndex + schemeLength
        let rest = target[authorityStart...]
        let end = rest.firstIndex { $0 == ASCII.slash || $0 == ASCII.question } ?? rest.endIndex
        guard end > authorityStart else { return nil }
        let tail = target[end...]
        if tail.first == ASCII.slash { return tail }
        return ArraySlice("/".utf8) + tail
    }

    /// True when the raw path decodes to itself and passes every rule of ``decodePath(_:)``: visible ASCII only,
    /// no `%` escape, no `.` or `..` segment (throws 400 for those, as the full decoding would). The common case,
    /// checked without building the segments.
    private static func isPlain(_ raw: ArraySlice<UInt8>) throws(HTTPParseError) -> Bool {
        var length = 0
        var dots = 0
        for byte in raw.dropFirst() {
            guard ASCII.isVisible(byte), byte != ASCII.percent else { return false }
            if byte == ASCII.slash {
                if length > 0, length <= 2, dots == length { throw .badRequest("dot segment in path") }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        if length > 0, length <= 2, dots == length { throw .badRequest("dot segment in path") }
        return true
    }

    /// Decodes each `/`-separated segment of an origin-form path.
    private static func decodePath(_ raw: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        var decodedSegments: [String] = []
        for segment in raw.dropFirst().split(separator: ASCII.slash, omittingEmptySubsequences: false) {
            guard let bytes = PercentDecoding.decode(segment, plusAsSpace: false) else {
                throw .badRequest("malformed percent-encoding in path")
            }
            if bytes.contains(where: { $0 == ASCII.slash || $0 < 0x20 || $0 == 0x7F }) {
                throw .badRequest("encoded slash or control character in path")
            }
            guard let text = UTF8Text.decode(bytes) else { throw .badRequest("path is not UTF-8") }
            if text == "." || text == ".." { throw .badRequest("dot segment in path") }
            decodedSegments.append(text)
        }
        return "/" + decodedSegments.joined(separator: "/")
    }
}
