/// SIA DC-09 framing: `LF crc(4 hex) 0LLL(4 hex) "id"seq[Rrcvr]Lpref#acct[data]… CR`, the CRC-16 (ARC: polynomial
/// 0xA001 reflected, initial value 0) and the length both over what lies between the length and the CR.
public enum DC09 {
    /// Longest message body (`0LLL`) accepted: far above any event (a few hundred bytes with extended data), far
    /// below the 4,095 the field can say, so one connection's buffer stays small.
    public static let maxBodyLength = 1_024
    /// Longest whole message: LF, CRC, length, body, CR.
    public static let maxMessageLength = 1 + 4 + 4 + maxBodyLength + 1

    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    /// CRC-16/ARC, as DC-09 specifies it (DC-07 Appendix B).
    public static func crc16<C: Collection<UInt8>>(_ bytes: C) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    /// Wraps `body` (from the opening quote of the id token, without CR) as a message: LF, CRC, length, body, CR.
    public static func frame(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [lf]
        out += hex4(crc16(body))
        out += hex4(UInt16(body.count))
        out += body
        out.append(cr)
        return out
    }

    static func hex4(_ value: UInt16) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(value >> 12) & 15], digits[Int(value >> 8) & 15], digits[Int(value >> 4) & 15],
                digits[Int(value) & 15]]
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// The 4 hex digits at `bytes[at..<at+4]`, or nil.
    static func hex4Value(_ bytes: ArraySlice<UInt8>, at: Int) -> Int? {
        var value = 0
        for i in at..<(at + 4) {
            guard i < bytes.endIndex, let digit = hexValue(bytes[i]) else { return nil }
            value = value << 4 | Int(digit)
        }
        return value
    }
}

/// Why a message could not be read.
public enum DC09FrameError: Error, Sendable, Equatable {
    /// The CRC does not match the body: answered NAK.
    case crc
    /// The length does not match the body (or the CR is missing where it says): answered NAK.
    case length
    /// The body is not a DC-09 header (`"id"seq…L…#acct[`): answered NAK.
    case syntax
}

/// A message's header, with every field as it was sent (the answer echoes them byte for byte), and its body.
public struct DC09Header: Sendable, Equatable {
    /// The id token had the `*` of an encrypted message.
    public var encrypted: Bool
    /// `SIA-DCS`, `ADM-CID`, `NULL`, or whatever the sender wrote.
    public var token: String
    /// The four decimal digits of the sequence number.
    public var sequence: String
    /// The receiver number after `R` (hexadecimal), nil when absent.
    public var receiver: String?
    /// The line prefix after `L` (hexadecimal). DC-09 requires it; some diallers leave it out, and the answer then
    /// leaves it out too (it echoes what came).
    public var linePrefix: String?
    /// The account after `#`, as sent.
    public var account: String
    /// What follows the `[` that opens the data: clear data, or the hexadecimal cipher text of an encrypted one.
    public var body: [UInt8]

    public var sequenceNumber: Int { Int(sequence) ?? 0 }

    /// The account in canonical form: upper-case hexadecimal (how sites are registered).
    public var canonicalAccount: String { account.uppercased() }

    /// Reads a whole message (LF … CR), checking its CRC and length.
    public static func parse(_ message: [UInt8]) -> Result<DC09Header, DC09FrameError> {
        guard message.count >= 11, message.first == DC09.lf else { return .failure(.syntax) }
        guard message.last == DC09.cr else { return .failure(.length) }
        let slice = message[...]
        guard let crc = DC09.hex4Value(slice, at: 1), let length = DC09.hex4Value(slice, at: 5) else {
            return .failure(.syntax)
        }
        let body = message[9..<(message.count - 1)]
        guard body.count == length else { return .failure(.length) }
        guard DC09.crc16(body) == UInt16(crc) else { return .failure(.crc) }
        return parseBody(Array(body)).map { .success($0) } ?? .failure(.syntax)
    }

    /// `"id"seq[Rrcvr]Lpref#acct[…`
    static func parseBody(_ b: [UInt8]) -> DC09Header? {
        guard b.count >= 2, b[0] == UInt8(ascii: "\"") else { return nil }
        guard let close = b[1...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        var tokenBytes = b[1..<close]
        let encrypted = tokenBytes.first == UInt8(ascii: "*")
        if encrypted { tokenBytes = tokenBytes.dropFirst() }
        guard !tokenBytes.isEmpty, tokenBytes.count <= 16,
              tokenBytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: "\"") }) else { return nil }
        var i = close + 1
        guard i + 4 <= b.count, b[i..<(i + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let sequence = String(decoding: b[i..<(i + 4)], as: UTF8.self)
        i += 4
        func hexRun(from start: Int) -> Int {
            var j = start
            while j < b.count, DC09.hexValue(b[j]) != nil { j += 1 }
            return j
        }
        var receiver: String?
        if i < b.count, b[i] == UInt8(ascii: "R") {
            let end = hexRun(from: i + 1)
            guard end > i + 1, end - i - 1 <= 6 else { return nil }
            receiver = String(decoding: b[(i + 1)..<end], as: UTF8.self)
            i = end
        }
        var line: String?
        if i < b.count, b[i] == UInt8(ascii: "L") {
            let lineEnd = hexRun(from: i + 1)
            guard lineEnd > i + 1, lineEnd - i - 1 <= 6 else { return nil }
            line = String(decoding: b[(i + 1)..<lineEnd], as: UTF8.self)
            i = lineEnd
        }
        guard i < b.count, b[i] == UInt8(ascii: "#") else { return nil }
        let accountEnd = hexRun(from: i + 1)
        guard accountEnd - i - 1 >= 3, accountEnd - i - 1 <= 16 else { return nil }
        let account = String(decoding: b[(i + 1)..<accountEnd], as: UTF8.self)
        i = accountEnd
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
        return DC09Header(encrypted: encrypted, token: String(decoding: tokenBytes, as: UTF8.self),
                          sequence: sequence, receiver: receiver, linePrefix: line, account: account,
                          body: Array(b[(i + 1)...]))
    }
}

/// Splits a byte stream into DC-09 messages: bytes before an LF are skipped; a header that cannot start a message
/// skips its LF; a length above ``DC09/maxBodyLength`` stops the stream (it cannot be trusted any more). At most
/// ``DC09/maxMessageLength`` bytes are held.
public struct DC09Framer: Sendable {
    public enum Next: Sendable, Equatable {
        /// A whole message, LF to CR (its CRC is not checked yet).
        case message([UInt8])
        /// Bytes that were not the start of a message, dropped.
        case skipped(Int)
        /// Framed by its length, but its last byte is not CR: answered NAK, and the stream resynchronises on the
        /// next LF.
        case badLength
        /// A length above the limit: the stream is not DC-09 or not in sync.
        case oversized
        /// Nothing complete yet.
        case needMore
    }

    private var buffer: [UInt8] = []

    public init() {}

    public var buffered: Int { buffer.count }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
    public mutating func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    public mutating func next() -> Next {
        guard !buffer.isEmpty else { return .needMore }
        if buffer[0] != DC09.lf {
            let n = buffer.firstIndex(of: DC09.lf) ?? buffer.count
            buffer.removeFirst(n)
            return .skipped(n)
        }
        // LF, then 4 hex (CRC) and 4 hex (length): check what has arrived.
        let available = min(buffer.count, 9)
        for i in 1..<available where DC09.hexValue(buffer[i]) == nil {
            buffer.removeFirst(1)
            return .skipped(1)
        }
        guard buffer.count >= 9, let length = DC09.hex4Value(buffer[...], at: 5) else { return .needMore }
        guard length <= DC09.maxBodyLength else {
            buffer.removeAll()
            return .oversized
        }
        let total = 9 + length + 1
        guard buffer.count >= total else { return .needMore }
        guard buffer[total - 1] == DC09.cr else {
            buffer.removeFirst(1)
            return .badLength
        }
        let message = Array(buffer[0..<total])
        buffer.removeFirst(total)
        return .message(message)
    }
}
