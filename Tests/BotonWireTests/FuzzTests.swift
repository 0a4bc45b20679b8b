import BotonTestSupport
import BotonCrypto
import BotonWire
import Testing

/// Seeded, deterministic fuzzing: nothing crashes, and whatever decodes and verifies re-encodes to the same bytes
/// (the encoding is canonical).
@Suite struct FuzzTests {
    struct Counts {
        var inputs = 0
        var verifiedDevice = 0
        var verifiedGateway = 0
        var verifiedAcks = 0
    }

    /// Runs every decoder over `bytes`; checks the round trip of everything that decodes and verifies.
    static func exercise(_ bytes: [UInt8], _ counts: inout Counts) {
        counts.inputs += 1
        if let header = try? WireFrame.peek(bytes) {
            #expect(header.kind.frameLength == bytes.count)
        }
        if let frame = try? DeviceFrame.decodeAndVerify(bytes, secret: Fixture.deviceSecret) {
            counts.verifiedDevice += 1
            #expect(frame.encode(secret: Fixture.deviceSecret) == bytes)
            #expect(frame.fingerprint(secret: Fixture.deviceSecret) == (try? WireFrame.peek(bytes))?.fingerprint)
        }
        if let frame = try? DeviceFrame.decode(bytes) {
            // Parsed without a valid MAC: re-encoding restores every byte before the MAC.
            #expect(Array(frame.encode(secret: Fixture.deviceSecret)[0 ..< 52]) == Array(bytes[0 ..< 52]))
        }
        if let frame = try? GatewayFrame.decodeAndVerify(bytes, secret: Fixture.gatewaySecret) {
            counts.verifiedGateway += 1
            #expect(frame.encode(secret: Fixture.gatewaySecret) == bytes)
        }
        if let frame = try? GatewayFrame.decode(bytes) {
            #expect(Array(frame.encode(secret: Fixture.gatewaySecret)[0 ..< 56]) == Array(bytes[0 ..< 56]))
        }
        if let ack = try? Acknowledgement.decode(bytes, key: Fixture.deviceSecret) {
            counts.verifiedAcks += 1
            #expect(ack.encode(key: Fixture.deviceSecret) == bytes)
        }
        if let rejection = try? ShortRejection.decode(bytes) {
            #expect(rejection.encode() == bytes)
        }
        _ = try? ServerReply.decode(bytes, key: Fixture.deviceSecret)
        _ = ShortRejection.answering(.badMagic, datagram: bytes)
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        switch rng.next() % 6 {
        case 0:  // flip one to four bits
            for _ in 0 ... Int(rng.next() % 4) where !out.isEmpty {
                out[Int(rng.next() % UInt64(out.count))] ^= 1 << (rng.next() % 8)
            }
        case 1:  // set a byte to an interesting value
            let values: [UInt8] = [0, 1, 0x7f, 0x80, 0xff, 100, 101, 254, 0x30, 0x39]
            if !out.isEmpty { out[Int(rng.next() % UInt64(out.count))] = values[Int(rng.next() % 10)] }
        case 2:  // truncate
            out = Array(out.prefix(Int(rng.next() % UInt64(out.count + 1))))
        case 3:  // extend
            out += (0 ..< Int(rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 4:  // randomize a run
            if !out.isEmpty {
                let start = Int(rng.next() % UInt64(out.count))
                for index in start ..< min(out.count, start + 1 + Int(rng.next() % 8)) {
                    out[index] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
        default: // swap two bytes
            if out.count > 1 {
                out.swapAt(Int(rng.next() % UInt64(out.count)), Int(rng.next() % UInt64(out.count)))
            }
        }
        return out
    }

    static func randomDeviceFrame(_ rng: inout SplitMix64) throws -> DeviceFrame {
        let kinds = FrameKind.allCases.filter(\.isDeviceKind)
        let position: FramePosition? = rng.next() % 2 == 0 ? nil : try FramePosition(
            latitudeE7: Int32.random(in: FramePosition.latitudeRangeE7, using: &rng),
            longitudeE7: Int32.random(in: FramePosition.longitudeRangeE7, using: &rng),
            accuracyMeters: UInt16.random(in: 0 ... .max, using: &rng),
            fixAgeSeconds: UInt16.random(in: 0 ... .max, using: &rng))
        return try DeviceFrame(kind: kinds[Int(rng.next() % 5)], deviceID: DeviceID(high: rng.next(), low: rng.next()),
                               sequence: rng.next(), clientTimestampMs: Int64(bitPattern: rng.next()),
                               batteryPercent: rng.next() % 3 == 0 ? nil : UInt8(rng.next() % 101),
                               position: position)
    }

    static func randomGatewayFrame(_ rng: inout SplitMix64) throws -> GatewayFrame {
        let count = Int.random(in: 8 ... 15, using: &rng)
        let digits = String((0 ..< count).map { index in
            Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(index == 0 ? 1 + rng.next() % 9 : rng.next() % 10)))
        })
        return GatewayFrame(gatewayID: GatewayID(high: rng.next(), low: rng.next()), sequence: rng.next(),
                            clientTimestampMs: Int64(bitPattern: rng.next()), isTest: rng.next() % 2 == 0,
                            line: try CallingLine(e164: digits))
    }

    @Test func randomAndMutatedInputsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x4253_0001_0135_7135)
        var counts = Counts()
        let seeds = [Fixture.alertaHex, Fixture.latidoHex, Fixture.gatewayHex, Fixture.ackAceptadaHex,
                     Fixture.ackVentanaHex, Fixture.shortDesconocidoHex].map(Fixture.bytes)

        // 1. Pure noise, every length up to 100.
        for _ in 0 ..< 6_000 {
            let length = Int(rng.next() % 101)
            var bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if length >= 4, rng.next() % 2 == 0 {   // often a plausible header, to get past the first checks
                bytes[0] = 0x42; bytes[1] = 0x53; bytes[2] = 1; bytes[3] = UInt8(rng.next() % 8)
            }
            Self.exercise(bytes, &counts)
        }
        // 2. Mutations of the vectors, chained.
        for _ in 0 ..< 8_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0 ... Int(rng.next() % 3) { bytes = Self.mutate(bytes, &rng) }
            Self.exercise(bytes, &counts)
        }
        // 3. Random valid frames, then mutated and re-sealed: authentic bytes with arbitrary field contents.
        for round in 0 ..< 8_000 {
            let device = round % 2 == 0
            var bytes = device
                ? try Self.randomDeviceFrame(&rng).encode(secret: Fixture.deviceSecret)
                : try Self.randomGatewayFrame(&rng).encode(secret: Fixture.gatewaySecret)
            Self.exercise(bytes, &counts)
            bytes = Self.mutate(bytes, &rng)
            if bytes.count == (device ? 68 : 72) {
                bytes = device
                    ? Fixture.resealed(bytes, secret: Fixture.deviceSecret, macOffset: 52)
                    : Fixture.resealed(bytes, secret: Fixture.gatewaySecret, macOffset: 56)
            }
            Self.exercise(bytes, &counts)
        }
        // 4. The framer over a noisy stream, in random pieces.
        var framer = LengthPrefixedFramer()
        for _ in 0 ..< 2_000 {
            let piece = (0 ..< Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 5 == 0 ? 0 : rng.next()) }
            framer.append(piece)
            do {
                while let frame = try framer.nextFrame() { Self.exercise(frame, &counts) }
            } catch {
                framer = LengthPrefixedFramer()
            }
        }

        #expect(counts.inputs >= 20_000)
        // The valid and re-sealed rounds must actually reach the round-trip checks.
        #expect(counts.verifiedDevice > 4_000)
        #expect(counts.verifiedGateway > 4_000)
        #expect(counts.verifiedAcks >= 1)
    }
}
