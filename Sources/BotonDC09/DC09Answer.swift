import BotonCrypto

/// The receiver's answers, as DC-09 writes them.
///
/// - ACK echoes the message's sequence, receiver, line prefix and account: `"ACK"seq[Rrcvr]Lpref#acct[]`; to an
///   encrypted message, `"*ACK"…#acct[` and the hexadecimal cipher text of pad, `]` and `_timestamp`.
/// - NAK carries our time so the sender corrects its clock: `"NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY` (never
///   encrypted; the text of DC-09-2013 §5.5.2.2).
/// - DUH echoes like ACK and says we cannot handle the message: `"DUH"seq[Rrcvr]Lpref#acct[]` (never encrypted).
public enum DC09Answer {
    public static func ack(to header: DC09Header, key: [UInt8]?, now: Int64) -> [UInt8] {
        let encrypt = header.encrypted && key.map { [16, 24, 32].contains($0.count) } == true
        var body = Array("\"\(encrypt ? "*" : "")ACK\"".utf8) + echo(header)
        if encrypt, let key {
            var clear = Array("]_\(DC09Content.formatTimestamp(now))".utf8)
            clear = pad(clear)
            let cipher = AESCBC.apply(key: key, data: clear, encrypt: true) ?? []
            body += hex(cipher)
        } else {
            body += Array("]".utf8)
        }
        return DC09.frame(body)
    }

    public static func nak(now: Int64) -> [UInt8] {
        DC09.frame(Array("\"NAK\"0000R0L0A0[]_\(DC09Content.formatTimestamp(now))".utf8))
    }

    public static func duh(to header: DC09Header) -> [UInt8] {
        DC09.frame(Array("\"DUH\"".utf8) + echo(header) + Array("]".utf8))
    }

    /// `seq[Rrcvr]Lpref#acct[` as received.
    static func echo(_ h: DC09Header) -> [UInt8] {
        Array("\(h.sequence)\(h.receiver.map { "R\($0)" } ?? "")\(h.linePrefix.map { "L\($0)" } ?? "")#\(h.account)[".utf8)
    }

    /// Random pad bytes before `clear` to fill whole AES blocks, at least one byte, none of `[`, `]`, `|`: printable
    /// characters, as panels send them.
    static func pad(_ clear: [UInt8]) -> [UInt8] {
        let padLength = 16 - clear.count % 16
        var random = (try? Digest.randomBytes(padLength)) ?? [UInt8](repeating: 0x41, count: padLength)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for i in random.indices { random[i] = alphabet[Int(random[i]) % alphabet.count] }
        return random + clear
    }

    static func hex(_ bytes: [UInt8]) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return out
    }
}
