import BotonTestSupport

/// Seeded random HTTP/1.x requests, valid or broken in a known way, for the oracle and fuzz tests.
struct RequestGenerator {
    /// What a generated case is expected to do in both parsers.
    enum Kind: String, CaseIterable {
        /// Well-formed: both parsers accept with the same method, target and body.
        case valid
        /// A valid request cut short: both parsers wait for more bytes.
        case truncated
        /// Broken in a way both parsers reject.
        case bothReject
        /// Broken in a way only we reject (deliberate strictness, see the DocC page).
        case stricter
        /// Random byte edits: anything we accept, h11 must accept identically.
        case mutated
    }

    struct Case {
        var bytes: [UInt8]
        var kind: Kind
        var label: String
    }

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private static let unreserved = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*,;=:@".utf8)
    private static let valueChars = Array("abcXYZ0189 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t".utf8)
    private static let tokenChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".utf8)

    struct Parts {
        var method = "GET"
        var target = "/"
        var version = "HTTP/1.1"
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var chunked = false
        var chunkSizes: [Int] = []
        var extensions: [String] = []
        var trailers: [(String, String)] = []
        var contentLengthText: String?

        func serialized(lineEnd: String = "\r\n") -> [UInt8] {
            var head = "\(method) \(target) \(version)\(lineEnd)"
            for (name, value) in headers { head += "\(name): \(value)\(lineEnd)" }
            head += lineEnd
            var out = Array(head.utf8)
            guard chunked else { return out + body }
            var offset = 0
            for (index, size) in chunkSizes.enumerated() {
                out += Array("\(String(size, radix: 16))\(extensions[index])\r\n".utf8)
                out += body[offset..<(offset + size)]
                out += Array("\r\n".utf8)
                offset += size
            }
            out += Array("0\r\n".utf8)
            for (name, value) in trailers { out += Array("\(name): \(value)\r\n".utf8) }
            out += Array("\r\n".utf8)
            return out
        }
    }

    mutating func token(_ length: ClosedRange<Int>) -> String {
        String(decoding: (0..<random.int(length)).map { _ in random.pick(Self.tokenChars) }, as: UTF8.self)
    }

    /// A query name: letters and digits only (so it needs no escaping).
    mutating func name() -> String {
        String(decoding: (0..<random.int(1...5)).map { _ in random.pick(Array("abcxyz019".utf8)) }, as: UTF8.self)
    }

    mutating func segment() -> String {
        var out = ""
        for _ in 0..<random.int(1...8) {
            switch random.int(0...9) {
            case 0: out += random.pick(["%20", "%C3%B1", "%2C", "%41", "%e2%82%ac"])
            default: out.append(Character(Unicode.Scalar(random.pick(Self.unreserved))))
            }
        }
        return out == "." || out == ".." ? "x" : out
    }

    mutating func target() -> String {
        var path = (0..<random.int(0...4)).map { _ in segment() }.joined(separator: "/")
        path = "/" + path
        if random.chance(0.4) {
            let pairs = (0..<random.int(0...3)).map { _ in "\(name())=\(random.pick(["", "1", "a+b", "%C3%A9", "x%20y"]))" }
            path += "?" + pairs.joined(separator: "&")
        }
        if random.chance(0.05) { return "http://example.ec" + path }
        return path
    }

    mutating func headerValue() -> String {
        var value = String(decoding: (0..<random.int(0...24)).map { _ in random.pick(Self.valueChars) }, as: UTF8.self)
        if random.chance(0.1) { value += "ñandú" }
        value = String(value.drop { $0 == " " || $0 == "\t" })
        while value.last == " " || value.last == "\t" { value.removeLast() }
        return random.pick(["", " ", "  ", "\t"]) + value + random.pick(["", "", " ", "\t "])
    }

    mutating func validParts() -> Parts {
        var parts = Parts()
        parts.method = random.chance(0.9)
            ? random.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) : token(1...8)
        parts.target = target()
        let http11 = random.chance(0.85)
        parts.version = http11 ? "HTTP/1.1" : "HTTP/1.0"
        var headers: [(String, String)] = []
        if http11 || random.chance(0.5) { headers.append((random.pick(["Host", "host", "HOST"]), "example.ec")) }
        for _ in 0..<random.int(0...6) {
            let name = random.chance(0.5)
                ? random.pick(["Accept", "User-Agent", "Cookie", "X-Request-Id", "Connection", "Accept-Language"])
                : "X-" + token(1...10)
            headers.append((name, headerValue()))
        }
        if http11, random.chance(0.1) { headers.append(("Expect", "100-continue")) }
        let hasBody = ["POST", "PUT", "PATCH"].contains(parts.method) || random.chance(0.15)
        if hasBody {
            parts.body = (0..<random.int(0...300)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if http11, random.chance(0.4) {
                parts.chunked = true
                var remaining = parts.body.count
                while remaining > 0 {
                    let size = random.int(1...remaining)
                    parts.chunkSizes.append(size)
                    parts.extensions.append(random.pick(["", "", ";a=b", ";ext", ";q=\"x y\"", ";z "]))
                    remaining -= size
                }
                if random.chance(0.3) { parts.trailers = [("X-Checksum", token(1...8))] }
                headers.append(("Transfer-Encoding", random.pick(["chunked", "Chunked", "chunked "])))
            } else {
                let length = String(parts.body.count)
                headers.append(("Content-Length", random.chance(0.1) ? "\(length), \(length)" : length))
            }
        }
        // Shuffle header order so Host, framing and the rest appear anywhere.
        headers.shuffle(using: &random)
        parts.headers = headers
        return parts
    }

    mutating func nextCase() -> Case {
        let parts = validParts()
        switch random.int(0...99) {
        case 0..<35:
            return Case(bytes: parts.serialized(), kind: .valid, label: "valid")
        case 35..<45:
            let full = parts.serialized()
            return Case(bytes: Array(full[..<random.int(1...(full.count - 1))]), kind: .truncated, label: "truncated")
        case 45..<70:
            let (label, bytes) = bothReject(parts)
            return Case(bytes: bytes, kind: .bothReject, label: label)
        case 70..<85:
            let (label, bytes) = stricter(parts)
            return Case(bytes: bytes, kind: .stricter, label: label)
        default:
            return Case(bytes: mutate(parts.serialized()), kind: .mutated, label: "mutated")
        }
    }

    private mutating func bothReject(_ original: Parts) -> (String, [UInt8]) {
        var parts = original
        let label = random.pick(["space-before-colon", "conflicting-cl", "non-numeric-cl", "te-gzip", "te-gzip-chunked",
                                 "two-te", "missing-host", "double-host", "bad-chunk-size", "chunk-too-long",
                                 "nul-in-value", "double-space", "lowercase-version", "bad-header-name",
                                 "empty-header-name", "fold-at-start", "vt-in-value", "cr-in-value",
                                 "version-junk"])
        parts.version = "HTTP/1.1"
        if !parts.headers.contains(where: { $0.0.lowercased() == "host" }) { parts.headers.append(("Host", "a")) }
        switch label {
        case "space-before-colon": parts.headers.append(("X-Space ", "v"))
        case "conflicting-cl":
            parts.dropFraming()
            parts.body = Array("abcdef".utf8)
            parts.headers += [("Content-Length", "3"), ("Content-Length", "6")]
        case "non-numeric-cl":
            parts.dropFraming()
            parts.headers.append(("Content-Length", random.pick(["abc", "-1", "+3", "3a", "0x3", "1.0"])))
        case "te-gzip", "te-gzip-chunked":
            parts.dropFraming()
            parts.headers.append(("Transfer-Encoding", label == "te-gzip" ? "gzip" : "gzip, chunked"))
        case "two-te":
            parts.dropFraming()
            parts.headers += [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]
        case "missing-host": parts.headers.removeAll { $0.0.lowercased() == "host" }
        case "double-host": parts.headers.append(("Host", "b"))
        case "bad-chunk-size", "chunk-too-long":
            parts.dropFraming()
            parts.headers.append(("Transfer-Encoding", "chunked"))
            let chunk = label == "bad-chunk-size" ? "zz\r\nab\r\n0\r\n\r\n" : "2\r\nabc\r\n0\r\n\r\n"
            return (label, parts.serialized() + Array(chunk.utf8))
        case "nul-in-value": parts.headers.append(("X-Nul", "a\u{0}b"))
        case "vt-in-value": parts.headers.append(("X-Vt", "a\u{B}b"))
        case "cr-in-value": parts.headers.append(("X-Cr", "a\rb"))
        case "double-space": parts.method += " "
        case "lowercase-version": parts.version = "http/1.1"
        case "version-junk": parts.version = random.pick(["HTTP/1.1x", "HTTP/11", "HTTP/1.", "HTTPS/1.1"])
        case "bad-header-name": parts.headers.append(("X(Y)", "z"))
        case "empty-header-name": parts.headers.append(("", "z"))
        case "fold-at-start": parts.headers.insert((" Folded", "v"), at: 0)
        default: preconditionFailure(label)
        }
        return (label, parts.serialized())
    }

    private mutating func stricter(_ original: Parts) -> (String, [UInt8]) {
        var parts = original
        let label = random.pick(["cl-and-te", "obs-fold", "bare-lf", "control-in-value", "version-1.2",
                                 "te-in-1.0", "bad-percent", "dot-segment", "relative-target", "encoded-slash"])
        parts.version = "HTTP/1.1"
        if !parts.headers.contains(where: { $0.0.lowercased() == "host" }) { parts.headers.append(("Host", "a")) }
        switch label {
        case "cl-and-te":
            parts.dropFraming()
            parts.headers += [("Content-Length", "5"), ("Transfer-Encoding", "chunked")]
            return (label, parts.serialized() + Array("0\r\n\r\n".utf8))
        case "obs-fold":
            parts.headers.append(("X-Folded", "one\r\n two"))
        case "bare-lf":
            parts.dropFraming()
            return (label, parts.serialized(lineEnd: "\n"))
        case "control-in-value": parts.headers.append(("X-Ctl", "a\u{1}b"))
        case "version-1.2": parts.version = "HTTP/1.2"
        case "te-in-1.0":
            parts.dropFraming()
            parts.version = "HTTP/1.0"
            parts.headers.append(("Transfer-Encoding", "chunked"))
            return (label, parts.serialized() + Array("1\r\nx\r\n0\r\n\r\n".utf8))
        case "bad-percent": parts.target = "/a%zz"
        case "dot-segment": parts.target = random.pick(["/a/../b", "/./x", "/a/%2e%2e"])
        case "relative-target": parts.target = "abc/def"
        case "encoded-slash": parts.target = "/a%2Fb"
        default: preconditionFailure(label)
        }
        return (label, parts.serialized())
    }

    /// One to three random edits: replace, insert or delete a byte, or cut the end.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<random.int(1...3) where !bytes.isEmpty {
            let index = random.int(0...(bytes.count - 1))
            let byte = random.chance(0.5) ? random.pick(Array(" \t\r\n:;,0129aZ%\u{0}\u{7F}".utf8))
                                          : UInt8.random(in: 0...255, using: &random)
            switch random.int(0...3) {
            case 0: bytes[index] = byte
            case 1: bytes.insert(byte, at: index)
            case 2: bytes.remove(at: index)
            default: bytes.removeSubrange(index...)
            }
        }
        return bytes
    }
}

extension RequestGenerator.Parts {
    /// Removes any body framing (and the body).
    mutating func dropFraming() {
        headers.removeAll { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }
        body = []
        chunked = false
        chunkSizes = []
        extensions = []
        trailers = []
    }
}
