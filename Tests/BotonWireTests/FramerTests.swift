import BotonWire
import Testing

@Suite struct FramerTests {
    /// A stream of every kind of frame and reply, each with its length prefix.
    static let frames: [[UInt8]] = [
        Fixture.alertaHex, Fixture.gatewayHex, Fixture.latidoHex, Fixture.ackAceptadaHex,
        Fixture.shortDesconocidoHex, Fixture.ackVentanaHex, "01",
    ].map(Fixture.bytes) + [[UInt8](repeating: 0x5a, count: LengthPrefixedFramer.maximumFrameLength)]
    static let stream: [UInt8] = frames.flatMap(LengthPrefixedFramer.prefixed)

    static func drain(_ framer: inout LengthPrefixedFramer) throws(WireError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let frame = try framer.nextFrame() { out.append(frame) }
        return out
    }

    @Test func wholeStream() throws {
        var framer = LengthPrefixedFramer()
        framer.append(Self.stream)
        #expect(try Self.drain(&framer) == Self.frames)
        #expect(framer.bufferedByteCount == 0)
        #expect(try framer.nextFrame() == nil)
    }

    @Test func splitAtEveryPoint() throws {
        for split in 0 ... Self.stream.count {
            var framer = LengthPrefixedFramer()
            framer.append(Array(Self.stream[..<split]))
            var got = try Self.drain(&framer)
            framer.append(Array(Self.stream[split...]))
            got += try Self.drain(&framer)
            #expect(got == Self.frames, "split at \(split)")
            #expect(framer.bufferedByteCount == 0)
        }
    }

    @Test func splitAtEveryPairOfPoints() throws {
        let stream = Array(Self.stream[0 ..< 2 + 68 + 2 + 72 + 2 + 8])   // alerta, gateway, start of latido
        let expected = Array(Self.frames[0 ..< 2])
        for first in 0 ... stream.count {
            for second in first ... stream.count {
                var framer = LengthPrefixedFramer()
                var got: [[UInt8]] = []
                for piece in [stream[..<first], stream[first ..< second], stream[second...]] {
                    framer.append(Array(piece))
                    got += try Self.drain(&framer)
                }
                #expect(got == expected)
                #expect(framer.bufferedByteCount == 10)
            }
        }
    }

    @Test func oneByteAtATime() throws {
        var framer = LengthPrefixedFramer()
        var got: [[UInt8]] = []
        for byte in Self.stream {
            framer.append([byte])
            got += try Self.drain(&framer)
        }
        #expect(got == Self.frames)
    }

    @Test func zeroCopyAccessDecodesInPlace() throws {
        var framer = LengthPrefixedFramer()
        framer.append(Self.stream)
        let header = try framer.withNextFrame { (bytes) throws(WireError) in try WireFrame.peek(bytes) }
        #expect(header?.sequence == 42)
        let gateway = try framer.withNextFrame { (bytes) throws(WireError) in try GatewayFrame.decode(bytes) }
        #expect(gateway?.lineE164 == "+59322345678")
        // An error thrown by the body consumes the frame but leaves the framer usable.
        #expect(throws: WireError.unknownKind(5)) {
            try framer.withNextFrame { (bytes) throws(WireError) in try GatewayFrame.decode(bytes) }
        }
        #expect(try framer.nextFrame() == Self.frames[3])
    }

    @Test func rejectsZeroAndOversizedLengthsAndStaysFailed() throws {
        for (prefix, length) in [([UInt8(0), 0], 0), ([0, 129], 129), ([0xff, 0xff], 65535), ([1, 0], 256)] {
            var framer = LengthPrefixedFramer()
            framer.append(LengthPrefixedFramer.prefixed(Fixture.bytes(Fixture.alertaHex)) + prefix)
            #expect(try framer.nextFrame() == Fixture.bytes(Fixture.alertaHex))
            #expect(throws: WireError.badLengthPrefix(length)) { try framer.nextFrame() }
            framer.append(LengthPrefixedFramer.prefixed([1, 2, 3]))
            #expect(throws: WireError.badLengthPrefix(length)) { try framer.nextFrame() }
        }
        var framer = LengthPrefixedFramer()
        framer.append([0])                 // half a prefix: no verdict yet
        #expect(try framer.nextFrame() == nil)
        framer.append([0])
        #expect(throws: WireError.badLengthPrefix(0)) { try framer.nextFrame() }
    }

    @Test func bufferDoesNotGrowWithTheConnection() throws {
        var framer = LengthPrefixedFramer()
        let chunk = LengthPrefixedFramer.prefixed(Fixture.bytes(Fixture.alertaHex))
        for _ in 0 ..< 10_000 {
            framer.append(Array(chunk[0 ..< 30]))
            #expect(try framer.nextFrame() == nil)
            framer.append(Array(chunk[30...]))
            #expect(try framer.nextFrame()?.count == 68)
        }
        #expect(framer.bufferedByteCount == 0)
    }
}
