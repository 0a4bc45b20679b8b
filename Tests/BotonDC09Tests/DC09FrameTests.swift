import BotonCrypto
import BotonDC09
import BotonIngestion
import Testing

@Suite struct DC09FrameTests {
    static func frame(_ body: String) -> [UInt8] { DC09.frame(Array(body.utf8)) }

    /// An encrypted message as a panel builds it: pad (none of `[`, `]`, `|`), `|`, data, `]`, timestamp.
    static func encrypted(account: String, data: String, key: [UInt8], time: Int64, pad: Int = 5) -> [UInt8] {
        var clear = Array("|\(data)]_\(DC09Content.formatTimestamp(time))".utf8)
        let padLength = (16 - (clear.count + pad) % 16) % 16 + pad
        clear = [UInt8](repeating: UInt8(ascii: "x"), count: padLength) + clear
        let cipher = AESCBC.apply(key: key, data: clear, encrypt: true)!
        let hex = cipher.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return frame("\"*SIA-DCS\"0042R1L1#\(account)[\(hex)")
    }

    @Test func theCRCIsCRC16ARC() {
        // The check value of CRC-16/ARC.
        #expect(DC09.crc16(Array("123456789".utf8)) == 0xBB3D)
        // The example of siadc09's documentation.
        let message = Array("\n8C860043\"SIA-DCS\"9876R579BDFL789ABC#123456A[#123456A|NFA129][M1234567890AB]\r".utf8)
        guard case .success(let h) = DC09Header.parse(message) else { Issue.record("not parsed"); return }
        #expect(h.token == "SIA-DCS" && h.sequence == "9876" && h.receiver == "579BDF" && h.linePrefix == "789ABC"
                    && h.account == "123456A")
    }

    @Test func theACKEchoesSequenceReceiverLineAndAccountByteForByte() {
        guard case .success(let h) = DC09Header.parse(Self.frame("\"SIA-DCS\"0007R0075L0001#001465[#001465|NPA1]"))
        else { Issue.record("not parsed"); return }
        #expect(DC09Answer.ack(to: h, key: nil, now: 0) == Self.frame("\"ACK\"0007R0075L0001#001465[]"))
        #expect(DC09Answer.duh(to: h) == Self.frame("\"DUH\"0007R0075L0001#001465[]"))
        #expect(DC09Answer.nak(now: 1_785_000_000) == Self.frame("\"NAK\"0000R0L0A0[]_17:20:00,07-25-2026"))
    }

    @Test func wrongCRCLengthAndSyntaxAreTold() {
        var bad = Self.frame("\"NULL\"0001L0#1234[]")
        bad[1] = bad[1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(DC09Header.parse(bad) == .failure(.crc))
        var short = Self.frame("\"NULL\"0001L0#1234[]")
        short.remove(at: 12)
        #expect(DC09Header.parse(short) == .failure(.length))
        #expect(DC09Header.parse(Self.frame("NULL0001L0#1234[]")) == .failure(.syntax))
        #expect(DC09Header.parse(Self.frame("\"NULL\"01L0#1234[]")) == .failure(.syntax))
    }

    @Test func encryptedMessagesDecryptWithEveryKeyLengthAndAWrongKeyIsBadPadding() {
        for length in [16, 24, 32] {
            let key = (0..<length).map { UInt8($0) }
            let message = Self.encrypted(account: "A1", data: "#A1|Nri1/PA501", key: key, time: 1_785_000_000)
            // A 2-digit account is not DC-09: 3 at least.
            #expect(DC09Header.parse(message) == .failure(.syntax))
            let good = Self.encrypted(account: "ABC", data: "#ABC|Nri1/PA501", key: key, time: 1_785_000_000)
            guard case .success(let h) = DC09Header.parse(good) else { Issue.record("not parsed"); continue }
            guard case .success(let c) = DC09Content.decode(h, key: key) else { Issue.record("not decoded"); continue }
            #expect(String(decoding: c.data, as: UTF8.self) == "#ABC|Nri1/PA501" && c.timestamp == 1_785_000_000)
            let wrong = (0..<length).map { UInt8(255 - $0) }
            #expect(DC09Content.decode(h, key: wrong) == .failure(.padding))
            #expect(DC09Content.decode(h, key: nil) == .failure(.noKey))
            // The ACK to it is encrypted with the same key and carries our time.
            let ack = DC09Answer.ack(to: h, key: key, now: 1_785_000_001)
            guard case .success(let a) = DC09Header.parse(ack), case .success(let ac) = DC09Content.decode(a, key: key)
            else { Issue.record("ACK unreadable"); continue }
            #expect(a.token == "ACK" && a.encrypted && a.sequence == "0042" && ac.timestamp == 1_785_000_001)
        }
    }

    @Test func extendedDataGivesThePositionAndTheTimestampRoundTrips() {
        guard case .success(let h) = DC09Header.parse(Self.frame(
            "\"SIA-DCS\"0001L0#1234[#1234|NPA1][X-78.4678][Y-0.1807]_10:11:12,01-02-2026")),
            case .success(let c) = DC09Content.decode(h, key: nil) else { Issue.record("not read"); return }
        #expect(c.position?.latitude == -0.1807 && c.position?.longitude == -78.4678)
        #expect(c.timestamp.map(DC09Content.formatTimestamp) == "10:11:12,01-02-2026")
    }

    @Test func aMessageSplitAtEveryByteIsFramedOnceAndGarbageIsSkipped() {
        let message = Self.frame("\"SIA-DCS\"0001L0#1234[#1234|NPA1]")
        let stream = Array("garbage\r".utf8) + message + Array("\n\u{1}zz".utf8) + message
        for cut in 0...stream.count {
            var framer = DC09Framer()
            var found: [[UInt8]] = []
            for part in [Array(stream[..<cut]), Array(stream[cut...])] {
                framer.append(part)
                loop: while true {
                    switch framer.next() {
                    case .message(let m): found.append(m)
                    case .needMore: break loop
                    default: continue
                    }
                }
            }
            #expect(found == [message, message], "cut at \(cut)")
        }
        // Byte by byte.
        var framer = DC09Framer()
        var count = 0
        for byte in stream {
            framer.append([byte])
            while true {
                let next = framer.next()
                if case .message = next { count += 1 }
                if next == .needMore { break }
            }
        }
        #expect(count == 2)
    }

    @Test func anOversizedLengthStopsTheStreamWithoutHoldingIt() {
        var framer = DC09Framer()
        framer.append(Array("\n1234FFFF\"SIA-DCS\"".utf8))
        #expect(framer.next() == .oversized)
        #expect(framer.buffered == 0)
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var rng = SystemRandomNumberGenerator()
        let seed = Self.frame("\"SIA-DCS\"0001R1L1#1234[#1234|Nri1/PA501][X-78.1][Y-0.2]_10:11:12,01-02-2026")
        let key = [UInt8](repeating: 7, count: 16)
        for round in 0..<5_000 {
            var bytes = seed
            // Mutate a few bytes, truncate or extend, sometimes pure noise.
            if round % 10 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if round % 3 == 0 { bytes.removeLast(Int.random(in: 0...bytes.count / 2, using: &rng)) }
            }
            var framer = DC09Framer()
            framer.append(bytes)
            var steps = 0
            while steps < 1_000 {
                steps += 1
                switch framer.next() {
                case .message(let m):
                    if case .success(let h) = DC09Header.parse(m) {
                        _ = DC09Content.decode(h, key: h.encrypted ? key : nil)
                        _ = DC09Answer.ack(to: h, key: key, now: 0)
                    }
                    continue
                case .needMore, .oversized: steps = 1_000
                default: continue
                }
            }
            // Recomputing the CRC over a mutated body reaches the body's parsers too.
            if bytes.count > 10 {
                let body = Array(bytes[9..<(bytes.count - 1)])
                if case .success(let h) = DC09Header.parse(DC09.frame(body)) {
                    _ = DC09Content.decode(h, key: key)
                    _ = DC09Codes.events(token: h.token, data: h.body)
                }
            }
        }
    }
}

@Suite struct DC09CodesTests {
    @Test(arguments: [
        ("PA", SiteEventClass.alerta), ("HA", .alerta), ("RP", .prueba), ("RX", .prueba), ("TX", .prueba),
        ("OC", .cancelacion), ("OR", .cancelacion), ("BC", .cancelacion), ("OP", .cancelacion), ("HU", .otro),
        ("BA", .otro), ("FA", .otro), ("CL", .otro), ("YS", .otro), ("ZZ", .otro),
    ])
    func siaCodes(code: String, expected: SiteEventClass) {
        let events = DC09Codes.events(token: "SIA-DCS", data: Array("#1234|Nri1id2^Juan^ti10:11:12\(code)501".utf8))
        #expect(events.count == 1 && events[0].code == "SIA \(code)" && events[0].eventClass == expected)
        #expect(!events[0].meaning.isEmpty)
    }

    @Test(arguments: [
        ("1120", SiteEventClass.alerta), ("1121", .alerta), ("1122", .alerta), ("1123", .alerta), ("1124", .alerta),
        ("1125", .alerta), ("1601", .prueba), ("1602", .prueba), ("1406", .cancelacion), ("1400", .cancelacion),
        ("1401", .cancelacion), ("1407", .cancelacion), ("1409", .cancelacion), ("3120", .otro), ("6120", .otro),
        ("3401", .otro), ("1130", .otro), ("1110", .otro), ("1999", .otro),
    ])
    func contactIDCodes(event: String, expected: SiteEventClass) {
        let events = DC09Codes.events(token: "ADM-CID", data: Array("#1234|\(event) 01 015".utf8))
        #expect(events.count == 1 && events[0].eventClass == expected, "\(events)")
    }

    @Test func severalEventsInOneMessageAreDecidedByTheAlert() {
        let events = DC09Codes.events(token: "SIA-DCS", data: Array("Nri1/BA2/PA3/RP".utf8))
        #expect(events.map(\.code) == ["SIA BA", "SIA PA", "SIA RP"])
        #expect(DC09Codes.decisive(events)?.code == "SIA PA")
    }
}
