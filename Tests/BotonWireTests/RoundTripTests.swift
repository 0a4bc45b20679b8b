import BotonCrypto
import BotonWire
import Testing

@Suite struct RoundTripTests {
    @Test func everyDeviceKindWithAndWithoutPosition() throws {
        let position = try FramePosition(latitude: -2.1894, longitude: -79.8891, accuracyMeters: 7.2,
                                         fixAgeSeconds: 15)
        #expect(position.latitudeE7 == -21_894_000 && position.longitudeE7 == -798_891_000)
        #expect(position.accuracyMeters == 8 && position.fixAgeSeconds == 15)
        for kind in FrameKind.allCases where kind.isDeviceKind {
            for battery in [UInt8?.none, 0, 100] {
                for pos in [nil, position] {
                    let frame = try DeviceFrame(kind: kind, deviceID: Fixture.deviceID, sequence: .max,
                                                clientTimestampMs: .min, batteryPercent: battery, position: pos)
                    let bytes = frame.encode(secret: Fixture.deviceSecret)
                    #expect(bytes.count == DeviceFrame.length)
                    #expect(try DeviceFrame.decodeAndVerify(bytes, secret: Fixture.deviceSecret) == frame)
                    let header = try WireFrame.peek(bytes)
                    #expect(header.kind == kind && header.sender == .device(Fixture.deviceID))
                    #expect(header.sequence == .max)
                }
            }
        }
    }

    @Test func positionLimits() throws {
        for (lat, lon) in [(Int32(-900_000_000), Int32(-1_800_000_000)), (900_000_000, 1_800_000_000), (0, 0)] {
            let pos = try FramePosition(latitudeE7: lat, longitudeE7: lon, accuracyMeters: .max, fixAgeSeconds: .max)
            let frame = try DeviceFrame(kind: .posicion, deviceID: Fixture.deviceID, sequence: 1,
                                        clientTimestampMs: 0, batteryPercent: 50, position: pos)
            #expect(try DeviceFrame.decode(frame.encode(secret: Fixture.deviceSecret)) == frame)
        }
        #expect(throws: WireError.badPosition) {
            try FramePosition(latitudeE7: 900_000_001, longitudeE7: 0, accuracyMeters: 0, fixAgeSeconds: 0)
        }
        #expect(throws: WireError.badPosition) {
            try FramePosition(latitude: .nan, longitude: 0, accuracyMeters: 0, fixAgeSeconds: 0)
        }
        #expect(throws: WireError.badPosition) {
            try FramePosition(latitude: 0, longitude: 180.5, accuracyMeters: 0, fixAgeSeconds: 0)
        }
    }

    @Test func deviceFrameInitializerValidates() throws {
        #expect(throws: WireError.badBattery) {
            try DeviceFrame(kind: .alerta, deviceID: Fixture.deviceID, sequence: 1, clientTimestampMs: 0,
                            batteryPercent: 101, position: nil)
        }
        #expect(throws: WireError.unknownKind(6)) {
            try DeviceFrame(kind: .gateway, deviceID: Fixture.deviceID, sequence: 1, clientTimestampMs: 0,
                            batteryPercent: nil, position: nil)
        }
    }

    @Test func gatewayAlertaAndLines() throws {
        for text in ["59322345678", "+593991234567", "12345678", "123456789012345"] {
            for isTest in [false, true] {
                let frame = GatewayFrame(gatewayID: Fixture.gatewayID, sequence: 99, clientTimestampMs: 5,
                                         isTest: isTest, line: try CallingLine(e164: text))
                let bytes = frame.encode(secret: Fixture.gatewaySecret)
                #expect(bytes.count == GatewayFrame.length)
                let decoded = try GatewayFrame.decodeAndVerify(bytes, secret: Fixture.gatewaySecret)
                #expect(decoded == frame)
                #expect(decoded.alertKind == (isTest ? .prueba : .alerta))
                #expect(decoded.lineE164 == (text.hasPrefix("+") ? text : "+" + text))
            }
        }
        for bad in ["", "1234567", "1234567890123456", "0593222345678", "5932234567a", "+", "++59322345678",
                    "59322 345678", "٥٩٣٢٢٣٤٥٦٧٨"] {
            #expect(throws: WireError.badLine) { try CallingLine(e164: bad) }
        }
    }

    @Test func acknowledgementEveryStatus() throws {
        let statuses: [(AckStatus, RejectReason)] = [
            (.aceptada, .ninguna), (.duplicada, .ninguna), (.ocupadoReintente, .ninguna),
            (.rechazada, .clave), (.rechazada, .ventana), (.rechazada, .desconocido), (.rechazada, .malformada),
            (.rechazada, .sinSolicitud), (.rechazada, .dadaDeBaja),
        ]
        for (status, reason) in statuses {
            for upc in [nil, UPCCode("A"), UPCCode("UPC-0123456789AB")] {
                let ack = Acknowledgement(status: status, reason: reason, sequence: 12, incidentID: .max,
                                          serverTimeMs: -1, upcCode: upc)
                let bytes = ack.encode(key: Fixture.gatewaySecret)
                #expect(bytes.count == Acknowledgement.length)
                #expect(try Acknowledgement.decode(bytes, key: Fixture.gatewaySecret) == ack)
                #expect(try ServerReply.decode(bytes, key: Fixture.gatewaySecret) == .acknowledgement(ack))
            }
        }
        #expect(UPCCode("") == nil && UPCCode("UPC 1") == nil && UPCCode("UPC-0123456789ABC") == nil)
        #expect(UPCCode("UPCñ") == nil)
    }

    @Test func shortRejectionsRoundTrip() throws {
        for reason in [RejectReason.malformada, .desconocido] {
            let bytes = ShortRejection(reason: reason).encode()
            #expect(bytes.count == ShortRejection.length)
            #expect(try ShortRejection.decode(bytes).reason == reason)
            #expect(try ServerReply.decode(bytes, key: Fixture.deviceSecret)
                == .shortRejection(ShortRejection(reason: reason)))
        }
    }

    @Test func repliesAreNeverLargerThanTheSmallestFrame() {
        #expect(Acknowledgement.length <= DeviceFrame.length)
        #expect(Acknowledgement.length <= GatewayFrame.length)
        #expect(ShortRejection.length <= WireFrame.minimumFrameLength)
        #expect(WireFrame.minimumFrameLength == FrameKind.allCases.map(\.frameLength).min())
        #expect(Fixture.ackAceptada().encode(key: Fixture.deviceSecret).count < DeviceFrame.length)
    }

    @Test func encodeIntoReusedBuffers() throws {
        var buffer = [UInt8](repeating: 0xee, count: 100)
        let frame = try Fixture.alerta()
        let written = buffer.withUnsafeMutableBytes { out in
            Fixture.deviceSecret.withUnsafeBytes { frame.encode(secret: $0, into: out) }
        }
        #expect(written == 68)
        #expect(Hex.encode(buffer[0 ..< 68]) == Fixture.alertaHex)
        #expect(buffer[68...].allSatisfy { $0 == 0xee })

        let ackWritten = buffer.withUnsafeMutableBytes { out in
            Fixture.deviceSecret.withUnsafeBytes { Fixture.ackAceptada().encode(key: $0, into: out) }
        }
        #expect(ackWritten == 64)
        #expect(Hex.encode(buffer[0 ..< 64]) == Fixture.ackAceptadaHex)
    }

    @Test func identifiers() throws {
        let id = try #require(DeviceID(hex: "00112233445566778899AABBCCDDEEFF"))
        #expect(id == Fixture.deviceID)
        #expect(id.description == "00112233445566778899aabbccddeeff")
        #expect(id.high == 0x0011_2233_4455_6677 && id.low == 0x8899_aabb_ccdd_eeff)
        #expect(DeviceID(bytes: id.bytes) == id)
        #expect(DeviceID(hex: "00112233445566778899aabbccddeef") == nil)
        #expect(DeviceID(hex: "00112233445566778899aabbccddeeff00") == nil)
        #expect(DeviceID(hex: "0011223344556677 8899aabbccddeeff") == nil)
        #expect(DeviceID(hex: "g0112233445566778899aabbccddeeff") == nil)
        #expect(DeviceID(bytes: [1, 2, 3]) == nil)
        #expect(GatewayID(bytes: Fixture.gatewayID.bytes) == Fixture.gatewayID)
        #expect(Set([FrameSender.device(DeviceID(high: 1, low: 2)), .gateway(GatewayID(high: 1, low: 2))]).count == 2)
        #expect(FrameSender.device(id).description == "device:00112233445566778899aabbccddeeff")
    }

    @Test func fingerprintIsStableAndDistinguishesReuse() throws {
        let original = try Fixture.alerta()
        let retransmission = try Fixture.alerta()
        #expect(original.fingerprint(secret: Fixture.deviceSecret)
            == retransmission.fingerprint(secret: Fixture.deviceSecret))
        // Same device and sequence, different content: a reused sequence number.
        let reuse = try DeviceFrame(kind: .cancelacion, deviceID: Fixture.deviceID, sequence: 42,
                                    clientTimestampMs: original.clientTimestampMs, batteryPercent: 87,
                                    position: original.position)
        #expect(reuse.fingerprint(secret: Fixture.deviceSecret) != original.fingerprint(secret: Fixture.deviceSecret))
    }
}

@Suite struct ReplayWindowTests {
    @Test func inclusiveOnBothSides() {
        let window = ReplayWindow(seconds: 300)
        let now: Int64 = 1_735_689_600_000
        #expect(window.contains(clientTimestampMs: now, serverTimeMs: now))
        #expect(window.contains(clientTimestampMs: now - 300_000, serverTimeMs: now))
        #expect(window.contains(clientTimestampMs: now + 300_000, serverTimeMs: now))
        #expect(!window.contains(clientTimestampMs: now - 300_001, serverTimeMs: now))
        #expect(!window.contains(clientTimestampMs: now + 300_001, serverTimeMs: now))
        #expect(ReplayWindow(seconds: 0).contains(clientTimestampMs: now, serverTimeMs: now))
        #expect(!ReplayWindow(seconds: 0).contains(clientTimestampMs: now + 1, serverTimeMs: now))
    }

    @Test func extremeTimestampsNeverTrap() {
        let window = ReplayWindow(seconds: 300)
        #expect(!window.contains(clientTimestampMs: .min, serverTimeMs: .max))
        #expect(!window.contains(clientTimestampMs: .max, serverTimeMs: .min))
        #expect(!window.contains(clientTimestampMs: .min, serverTimeMs: 1_735_689_600_000))
        #expect(ReplayWindow(milliseconds: .max).contains(clientTimestampMs: .min, serverTimeMs: .max))
        #expect(ReplayWindow(seconds: .max).milliseconds == .max)
    }
}
