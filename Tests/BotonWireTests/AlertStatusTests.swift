import BotonCrypto
import BotonWire
import Testing

/// Issue 15, items 11 and 12 on the wire: the silent flag of an alert (flag bit 1), the request for the alert's
/// state (flag bit 2) and the acknowledgement with the alert's state (kind 0x82). Vectors 7–9 of the DocC page,
/// computed independently with Python's `hmac` and `struct`, in both directions.
@Suite struct AlertStatusTests {
    static let silentAlertaHex =
        "425301010357000000112233445566778899aabbccddeeff000000000000002a000001941f297c00ffde6670d133f948"
        + "000c00035996416e5f72231e3bf3db358a2f9c27"
    static let latidoWantsStatusHex =
        "425301050437000000112233445566778899aabbccddeeff000000000000002d000001941f2b50c000000000000000000000"
        + "000017262263e1768c04e6bddb8604bb563c"
    static let ackDespachadaHex =
        "4253018200000400000000000000002d00000000000003e9000001941f2b51ba50617472756c6c65726f203132000000"
        + "558a4620af4e374b818e61fc9918461f"

    @Test func vector7ASilentAlerta() throws {
        let frame = try DeviceFrame(kind: .alerta, deviceID: Fixture.deviceID, sequence: 42,
                                    clientTimestampMs: 1_735_689_600_000, batteryPercent: 87,
                                    position: try FramePosition(latitudeE7: -2_202_000, longitudeE7: -785_123_000,
                                                                accuracyMeters: 12, fixAgeSeconds: 3),
                                    isSilent: true)
        #expect(frame.encode(secret: Fixture.deviceSecret) == Hex.decode(Self.silentAlertaHex))
        let decoded = try DeviceFrame.decodeAndVerify(Hex.decode(Self.silentAlertaHex)!, secret: Fixture.deviceSecret)
        #expect(decoded.isSilent && !decoded.wantsAlertStatus && decoded == frame)
        // The flag is under the MAC: a silent alert cannot be made an ordinary one (or back) without the key.
        var flipped = Hex.decode(Self.silentAlertaHex)!
        flipped[4] = 0x01
        #expect(throws: WireError.badMAC) { try DeviceFrame.decodeAndVerify(flipped, secret: Fixture.deviceSecret) }
    }

    @Test func vector8AKeepAliveThatAsksForTheState() throws {
        let frame = try DeviceFrame(kind: .latido, deviceID: Fixture.deviceID, sequence: 45,
                                    clientTimestampMs: 1_735_689_720_000, batteryPercent: 55, position: nil,
                                    wantsAlertStatus: true)
        #expect(frame.encode(secret: Fixture.deviceSecret) == Hex.decode(Self.latidoWantsStatusHex))
        let decoded = try DeviceFrame.decodeAndVerify(Hex.decode(Self.latidoWantsStatusHex)!, secret: Fixture.deviceSecret)
        #expect(decoded.wantsAlertStatus && !decoded.isSilent && decoded == frame)
    }

    @Test func vector9TheStateDespachadaWithItsUnit() throws {
        let ack = Acknowledgement(status: .aceptada, sequence: 45, incidentID: 1001, serverTimeMs: 1_735_689_720_250,
                                  alertStatus: AlertStatus(stage: .despachada, unit: "Patrullero 12"))
        #expect(ack.encode(key: Fixture.deviceSecret) == Hex.decode(Self.ackDespachadaHex))
        let reply = try ServerReply.decode(Hex.decode(Self.ackDespachadaHex)!, key: Fixture.deviceSecret)
        guard case .acknowledgement(let decoded) = reply else { Issue.record("\(reply)"); return }
        #expect(decoded == ack && decoded.alertStatus?.stage == .despachada && decoded.alertStatus?.unit == "Patrullero 12")
        #expect(decoded.upcCode == nil && decoded.incidentID == 1001)
        #expect(decoded.alertStatus?.mensaje == "Una unidad va en camino: Patrullero 12.")
    }

    @Test func flagsOnlyWhereTheyMeanSomething() throws {
        for kind in FrameKind.allCases where kind.isDeviceKind {
            let silentAllowed = kind == .alerta || kind == .prueba
            let statusAllowed = kind == .posicion || kind == .latido
            let silent = try? DeviceFrame(kind: kind, deviceID: Fixture.deviceID, sequence: 1, clientTimestampMs: 0,
                                          batteryPercent: nil, position: nil, isSilent: true)
            let asks = try? DeviceFrame(kind: kind, deviceID: Fixture.deviceID, sequence: 1, clientTimestampMs: 0,
                                        batteryPercent: nil, position: nil, wantsAlertStatus: true)
            #expect((silent != nil) == silentAllowed, "\(kind)")
            #expect((asks != nil) == statusAllowed, "\(kind)")
            // On the wire too: the decoder refuses the bit where it does not belong, and any unknown bit.
            var bytes = try DeviceFrame(kind: kind, deviceID: Fixture.deviceID, sequence: 1, clientTimestampMs: 0,
                                        batteryPercent: nil, position: nil).encode(secret: Fixture.deviceSecret)
            for (bit, allowed) in [(UInt8(0x02), silentAllowed), (0x04, statusAllowed), (0x08, false), (0x80, false)] {
                bytes[4] = bit
                let result = Result { try DeviceFrame.decode(bytes) }
                if allowed { #expect((try? result.get()) != nil, "\(kind) bit \(bit)") } else {
                    #expect(throws: WireError.badFlags, "\(kind) bit \(bit)") { try result.get() }
                }
            }
        }
    }

    @Test func anOldClientNeverSeesTheNewAnswer() throws {
        // Without the request, the answer is the plain 0x80 acknowledgement, byte for byte vector 4.
        let plain = Acknowledgement(status: .aceptada, sequence: 42, incidentID: 1001, serverTimeMs: 1_735_689_600_250,
                                    upcCode: UPCCode("UPC-17D04C01S01"))
        #expect(plain.encode(key: Fixture.deviceSecret) == Hex.decode(Fixture.ackAceptadaHex))
        #expect(plain.alertStatus == nil)
    }

    @Test func stageUnitAndIncidentMustAgree() throws {
        var bytes = Hex.decode(Self.ackDespachadaHex)!
        func resealed(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var b = bytes
            change(&b)
            let mac = Digest.hmacSHA256(key: Fixture.deviceSecret, data: Array(b[0 ..< 48]))
            b.replaceSubrange(48 ..< 64, with: mac.prefix(16))
            return b
        }
        #expect(throws: WireError.badAlertStatus) {
            try Acknowledgement.decode(resealed { $0[6] = 6 }, key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.badAlertStatus) {  // stage ninguna with an incident
            try Acknowledgement.decode(resealed { $0[6] = 0 }, key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.badAlertStatus) {  // a byte after the unit's padding
            try Acknowledgement.decode(resealed { $0[47] = 0x41 }, key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.badAlertStatus) {  // not UTF-8
            try Acknowledgement.decode(resealed { $0[32] = 0xff }, key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.badStatus) {  // the state goes only with a stored frame
            try Acknowledgement.decode(resealed { $0[4] = 3; $0[5] = 1 }, key: Fixture.deviceSecret)
        }
        bytes[6] = 3
        #expect(throws: WireError.badMAC) { try Acknowledgement.decode(bytes, key: Fixture.deviceSecret) }
        // A unit longer than 16 bytes is cut at a character boundary.
        let long = AlertStatus(stage: .despachada, unit: "Patrullero ñandú 1234")
        #expect(long.unit == "Patrullero ñand")
        #expect(AlertStatus(stage: .despachada, unit: "Móvil ÁÉÍÓÚ Ñ").unit == "Móvil ÁÉÍÓ")
    }
}
