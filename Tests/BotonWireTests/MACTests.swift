import BotonCrypto
import BotonWire
import Testing

/// The MAC covers every byte before it, header included: no single-bit change survives verification.
@Suite struct MACTests {
    static func flips(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for index in bytes.indices {
            for bit in 0 ..< 8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                out.append(flipped)
            }
        }
        return out
    }

    @Test func everySingleBitFlipOfADeviceFrameFails() throws {
        for original in [Fixture.alertaHex, Fixture.latidoHex].map(Fixture.bytes) {
            #expect(DeviceFrame.verify(original, secret: Fixture.deviceSecret))
            let flipped = Self.flips(original)
            #expect(flipped.count == 68 * 8)
            for bytes in flipped {
                #expect(!DeviceFrame.verify(bytes, secret: Fixture.deviceSecret))
                #expect(throws: WireError.self) { try DeviceFrame.decodeAndVerify(bytes, secret: Fixture.deviceSecret) }
            }
        }
    }

    @Test func everySingleBitFlipOfAGatewayFrameFails() throws {
        let original = Fixture.bytes(Fixture.gatewayHex)
        #expect(GatewayFrame.verify(original, secret: Fixture.gatewaySecret))
        for bytes in Self.flips(original) {
            #expect(!GatewayFrame.verify(bytes, secret: Fixture.gatewaySecret))
            #expect(throws: WireError.self) { try GatewayFrame.decodeAndVerify(bytes, secret: Fixture.gatewaySecret) }
        }
    }

    @Test func everySingleBitFlipOfAnAcknowledgementFails() throws {
        let original = Fixture.bytes(Fixture.ackAceptadaHex)
        for bytes in Self.flips(original) {
            #expect(throws: WireError.self) { try Acknowledgement.decode(bytes, key: Fixture.deviceSecret) }
        }
        // Past the header, any flip is reported as a bad MAC (checked before the fields).
        for bytes in Self.flips(original).dropFirst(4 * 8) {
            #expect(throws: WireError.badMAC) { try Acknowledgement.decode(bytes, key: Fixture.deviceSecret) }
        }
    }

    @Test func acknowledgementVerifiesOnlyWithTheFramesKey() throws {
        let ack = Fixture.ackAceptada()
        let bytes = ack.encode(key: Fixture.deviceSecret)
        #expect(try Acknowledgement.decode(bytes, key: Fixture.deviceSecret) == ack)
        #expect(throws: WireError.badMAC) { try Acknowledgement.decode(bytes, key: Fixture.gatewaySecret) }
        var almost = Fixture.deviceSecret
        almost[31] ^= 1
        #expect(throws: WireError.badMAC) { try Acknowledgement.decode(bytes, key: almost) }
        #expect(throws: WireError.badMAC) { try ServerReply.decode(bytes, key: almost) }
    }

    @Test func frameVerifiesOnlyWithItsSecret() throws {
        let alerta = Fixture.bytes(Fixture.alertaHex)
        var almost = Fixture.deviceSecret
        almost[0] ^= 0x80
        #expect(!DeviceFrame.verify(alerta, secret: almost))
        #expect(!DeviceFrame.verify(alerta, secret: []))
        #expect(!DeviceFrame.verify(alerta, secret: Array(Fixture.deviceSecret[0 ..< 31])))
    }

    /// Changing only the kind and re-using the old MAC must fail: the header is authenticated.
    @Test func kindAndVersionAreAuthenticated() throws {
        var cancel = Fixture.bytes(Fixture.alertaHex)
        cancel[3] = FrameKind.cancelacion.wireValue
        #expect(!DeviceFrame.verify(cancel, secret: Fixture.deviceSecret))
        #expect(throws: WireError.badMAC) { try DeviceFrame.decodeAndVerify(cancel, secret: Fixture.deviceSecret) }
        var gatewayAlerta = Fixture.bytes(Fixture.gatewayHex)
        gatewayAlerta[4] = 0                        // prueba → alerta
        #expect(throws: WireError.badMAC) {
            try GatewayFrame.decodeAndVerify(gatewayAlerta, secret: Fixture.gatewaySecret)
        }
    }
}
