// A small, strict JSON parser (RFC 8259) over UTF-8 bytes that writes a flat "tape" of nodes: one pass, no
// recursion (an explicit stack, depth-limited), one growing array. Containers know where their subtree ends, so a
// reader can walk or skip children without building a tree of Swift values. Strings stay as byte ranges until asked.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct JSONSyntaxError: Error {
    enum Kind { case syntax, truncated }
    let kind: Kind
    /// Byte offset of the problem.
    let offset: Int
    /// Path of the value being read when the problem was found (`features[3].geometry`), "" at top level.
    let path: String
    /// Index into the top-level `features` array, when inside it.
    let featureIndex: Int?
    let detail: String
}

struct JSONTape {
    enum Kind: UInt8 { case object, array, string, number, bool, null }

    struct Node {
        var kind: Kind
        /// Strings: contains a backslash escape. Bools: the value.
        var flag: Bool
        /// Byte range of the token (for strings, the contents between the quotes).
        var start: Int32
        var end: Int32
        /// Index of the first node after this subtree.
        var next: Int32
        /// Containers: number of elements (objects: members; each member is a key node then a value subtree).
        var count: Int32
        var number: Double
    }

    let bytes: [UInt8]
    private(set) var nodes: ContiguousArray<Node> = []

    static let maxDepth = 64

    init(bytes: [UInt8]) throws(JSONSyntaxError) {
        self.bytes = bytes
        guard bytes.count < Int(Int32.max) else {
            throw JSONSyntaxError(kind: .syntax, offset: 0, path: "", featureIndex: nil, detail: "file too large")
        }
        let result: Result<ContiguousArray<Node>, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buf in
            var parser = Parser(buf: buf)
            parser.nodes.reserveCapacity(max(16, buf.count / 8))
            do throws(JSONSyntaxError) {
                try parser.parseDocument()
                return .success(parser.nodes)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let n): nodes = n
        case .failure(let e): throw e
        }
    }

    // MARK: Access

    subscript(_ i: Int) -> Node { nodes[i] }

    /// Members of an object as (key node, value node) pairs.
    func members(_ i: Int) -> [(key: Int, value: Int)] {
        var out: [(Int, Int)] = []
        out.reserveCapacity(Int(nodes[i].count))
        var k = i + 1
        let end = Int(nodes[i].next)
        while k < end {
            out.append((k, k + 1))
            k = Int(nodes[k + 1].next)
        }
        return out
    }

    /// Elements of an array as node indices.
    func elements(_ i: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(Int(nodes[i].count))
        var k = i + 1
        let end = Int(nodes[i].next)
        while k < end {
            out.append(k)
            k = Int(nodes[k].next)
        }
        return out
    }

    /// True when string node `i` equals `literal` (ASCII, no escapes expected in `literal`).
    func stringEquals(_ i: Int, _ literal: StaticString) -> Bool {
        let n = nodes[i]
        guard n.kind == .string else { return false }
        if n.flag { return (try? string(i)) == literal.description }
        let len = Int(n.end - n.start)
        guard len == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var k = 0
        let s = Int(n.start)
        while k < len {
            if bytes[s + k] != p[k] { return false }
            k += 1
        }
        return true
    }

    /// Raw text of a token, shortened for messages.
    func rawText(_ i: Int, limit: Int = 40) -> String {
        let n = nodes[i]
        switch n.kind {
        case .object: return "{…}"
        case .array: return "[…]"
        default:
            let s = Int(n.start), e = min(Int(n.end), s + limit)
            let text = String(decoding: bytes[s..<e], as: UTF8.self)
            return n.kind == .string ? "\"\(text)\"" : text
        }
    }

    enum StringError: Error { case invalidUTF8, badEscape }

    /// Decoded value of string node `i`. Rejects invalid UTF-8 and lone surrogates.
    func string(_ i: Int) throws(StringError) -> String {
        let n = nodes[i]
        let s = Int(n.start), e = Int(n.end)
        if !n.flag {
            let text = String(decoding: bytes[s..<e], as: UTF8.self)
            // String(decoding:) repairs invalid sequences; any repair changes the bytes.
            guard text.utf8.count == e - s, text.utf8.elementsEqual(bytes[s..<e]) else { throw .invalidUTF8 }
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var k = s
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= e else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = bytes[j]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while k < e {
            let c = bytes[k]
            guard c == 0x5C else { out.append(c); k += 1; continue }
            let esc = bytes[k + 1]
            k += 2
            switch esc {
            case 0x22, 0x5C, 0x2F: out.append(esc)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var u = hex4(k) else { throw .badEscape }
                k += 4
                if (0xD800...0xDBFF).contains(u) {
                    guard k + 6 <= e, bytes[k] == 0x5C, bytes[k + 1] == 0x75, let low = hex4(k + 2),
                          (0xDC00...0xDFFF).contains(low) else { throw .badEscape }
                    k += 6
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(u) {
                    throw .badEscape
                }
                guard let scalar = Unicode.Scalar(u) else { throw .badEscape }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw .badEscape
            }
        }
        let text = String(decoding: out, as: UTF8.self)
        guard text.utf8.elementsEqual(out) else { throw .invalidUTF8 }
        return text
    }
}

// MARK: - Parser

private struct Parser {
    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    var nodes: ContiguousArray<JSONTape.Node> = []

    struct Frame {
        var node: Int32
        var isObject: Bool
        var count: Int32
        /// Objects: node of the key being read (-1 before the first key).
        var key: Int32
    }
    var stack: [Frame] = []

    init(buf: UnsafeBufferPointer<UInt8>) {
        self.buf = buf
        stack.reserveCapacity(JSONTape.maxDepth)
    }

    // Fast path powers of ten: exact as doubles up to 1e22.
    static let pow10: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    func fail(_ kind: JSONSyntaxError.Kind, _ detail: String, at offset: Int? = nil) -> JSONSyntaxError {
        var path = ""
        var feature: Int?
        for (depth, f) in stack.enumerated() {
            if f.isObject {
                guard f.key >= 0 else { break }
                let k = nodes[Int(f.key)]
                let name = String(decoding: UnsafeBufferPointer(rebasing: buf[Int(k.start)..<Int(k.end)]),
                                  as: UTF8.self)
                path += path.isEmpty ? name : ".\(name)"
            } else {
                path += "[\(f.count)]"
                if depth == 1, path.hasPrefix("features[") { feature = Int(f.count) }
            }
        }
        return JSONSyntaxError(kind: kind, offset: offset ?? pos, path: path, featureIndex: feature, detail: detail)
    }

    func unexpected() -> JSONSyntaxError {
        if pos >= buf.count { return fail(.truncated, "end of input") }
        let c = buf[pos]
        let shown = (0x21...0x7E).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return fail(.syntax, "unexpected \(shown) at byte \(pos)")
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < buf.count {
            let c = buf[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    mutating func parseDocument() throws(JSONSyntaxError) {
        skipWhitespace()
        try parseValue()
        while true {
            // A value just finished: close containers or move to the next element.
            guard !stack.isEmpty else { break }
            skipWhitespace()
            guard pos < buf.count else { throw unexpected() }
            let c = buf[pos]
            var top = stack[stack.count - 1]
            if c == 0x2C { // ,
                pos += 1
                top.count += 1
                stack[stack.count - 1] = top
                skipWhitespace()
                if top.isObject { try parseKey() }
                try parseValue()
            } else if (c == 0x7D && top.isObject) || (c == 0x5D && !top.isObject) { // } or ]
                pos += 1
                close(count: top.count + 1)
            } else {
                throw unexpected()
            }
        }
        skipWhitespace()
        guard pos == buf.count else { throw fail(.syntax, "unexpected data after the document at byte \(pos)") }
    }

    mutating func close(count: Int32) {
        let f = stack.removeLast()
        nodes[Int(f.node)].count = count
        nodes[Int(f.node)].next = Int32(nodes.count)
        nodes[Int(f.node)].end = Int32(pos)
    }

    mutating func parseKey() throws(JSONSyntaxError) {
        guard pos < buf.count, buf[pos] == 0x22 else { throw unexpected() }
        let keyNode = Int32(nodes.count)
        try parseString()
        stack[stack.count - 1].key = keyNode
        skipWhitespace()
        guard pos < buf.count, buf[pos] == 0x3A else { throw unexpected() }
        pos += 1
        skipWhitespace()
    }

    /// Parses one value; for a container, only opens it (or opens and closes it when empty).
    mutating func parseValue() throws(JSONSyntaxError) {
        guard pos < buf.count else { throw unexpected() }
        let c = buf[pos]
        switch c {
        case 0x7B, 0x5B: // { [
            let isObject = c == 0x7B
            guard stack.count < JSONTape.maxDepth else { throw fail(.syntax, "nesting deeper than \(JSONTape.maxDepth)") }
            let index = Int32(nodes.count)
            nodes.append(.init(kind: isObject ? .object : .array, flag: false, start: Int32(pos), end: 0,
                               next: 0, count: 0, number: 0))
            pos += 1
            stack.append(Frame(node: index, isObject: isObject, count: 0, key: -1))
            skipWhitespace()
            guard pos < buf.count else { throw unexpected() }
            if buf[pos] == (isObject ? 0x7D : 0x5D) {
                pos += 1
                close(count: 0)
                return
            }
            if isObject { try parseKey() }
            try parseValue()
        case 0x22:
            try parseString()
        case 0x2D, 0x30...0x39:
            try parseNumber()
        case 0x74: try literal("true", .bool, true)
        case 0x66: try literal("false", .bool, false)
        case 0x6E: try literal("null", .null, false)
        default:
            throw unexpected()
        }
    }

    mutating func literal(_ word: StaticString, _ kind: JSONTape.Kind, _ value: Bool) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        let start = pos
        for k in 0..<n {
            guard pos < buf.count else { throw unexpected() }
            guard buf[pos] == word.utf8Start[k] else { throw unexpected() }
            pos += 1
        }
        nodes.append(.init(kind: kind, flag: value, start: Int32(start), end: Int32(pos),
                           next: Int32(nodes.count + 1), count: 0, number: 0))
    }

    mutating func parseString() throws(JSONSyntaxError) {
        pos += 1 // opening quote
        let start = pos
        var escaped = false
        while true {
            guard pos < buf.count else { throw unexpected() }
            let c = buf[pos]
            if c == 0x22 { break }
            if c == 0x5C {
                escaped = true
                pos += 1
                guard pos < buf.count else { throw unexpected() }
                switch buf[pos] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: pos += 1
                case 0x75:
                    pos += 1
                    for _ in 0..<4 {
                        guard pos < buf.count else { throw unexpected() }
                        let h = buf[pos]
                        guard (0x30...0x39).contains(h) || (0x41...0x46).contains(h) || (0x61...0x66).contains(h) else {
                            throw fail(.syntax, "bad \\u escape at byte \(pos)")
                        }
                        pos += 1
                    }
                default:
                    throw fail(.syntax, "bad escape at byte \(pos)")
                }
                continue
            }
            if c < 0x20 { throw fail(.syntax, "control character in string at byte \(pos)") }
            pos += 1
        }
        nodes.append(.init(kind: .string, flag: escaped, start: Int32(start), end: Int32(pos),
                           next: Int32(nodes.count + 1), count: 0, number: 0))
        pos += 1 // closing quote
    }

    mutating func parseNumber() throws(JSONSyntaxError) {
        let start = pos
        var negative = false
        if buf[pos] == 0x2D { negative = true; pos += 1 }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits kept in mantissa
        var exponent = 0        // decimal exponent applied to mantissa
        var exact = true        // false when digits were dropped
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < buf.count && buf[at] >= 0x30 && buf[at] <= 0x39 }
        guard isDigit(pos) else { throw unexpected() }
        if buf[pos] == 0x30 {
            pos += 1
            if isDigit(pos) { throw fail(.syntax, "leading zero in number at byte \(start)") }
        } else {
            while isDigit(pos) {
                let d = UInt64(buf[pos] - 0x30)
                if digits < 19 { mantissa = mantissa * 10 + d; if mantissa != 0 { digits += 1 } }
                else { exponent += 1; if d != 0 { exact = false } }
                pos += 1
            }
        }
        if pos < buf.count, buf[pos] == 0x2E {
            pos += 1
            guard isDigit(pos) else { throw pos >= buf.count ? unexpected() : fail(.syntax, "bad number at byte \(start)") }
            while isDigit(pos) {
                let d = UInt64(buf[pos] - 0x30)
                if digits < 19 {
                    mantissa = mantissa * 10 + d
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else if d != 0 { exact = false }
                pos += 1
            }
        }
        if pos < buf.count, buf[pos] == 0x65 || buf[pos] == 0x45 {
            pos += 1
            var expNegative = false
            if pos < buf.count, buf[pos] == 0x2B || buf[pos] == 0x2D { expNegative = buf[pos] == 0x2D; pos += 1 }
            guard isDigit(pos) else { throw pos >= buf.count ? unexpected() : fail(.syntax, "bad number at byte \(start)") }
            var e = 0
            while isDigit(pos) {
                if e < 100_000 { e = e * 10 + Int(buf[pos] - 0x30) }
                pos += 1
            }
            exponent += expNegative ? -e : e
        }
        var value: Double
        if exact, mantissa <= (1 << 53), exponent >= -22, exponent <= 22 {
            // Clinger's fast path: both operands exact, so one correctly rounded operation.
            value = Double(mantissa)
            if exponent < 0 { value /= Parser.pow10[-exponent] } else if exponent > 0 { value *= Parser.pow10[exponent] }
            if negative { value = -value }
        } else {
            value = Parser.slowParse(buf, start, pos)
        }
        nodes.append(.init(kind: .number, flag: false, start: Int32(start), end: Int32(pos),
                           next: Int32(nodes.count + 1), count: 0, number: value))
    }

    /// Correctly rounded conversion by the C library (grammar already checked).
    static func slowParse(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { tmp in
            for k in start..<end { tmp[k - start] = CChar(bitPattern: buf[k]) }
            tmp[end - start] = 0
            return strtod(tmp.baseAddress!, nil)
        }
    }
}
