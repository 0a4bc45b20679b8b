import BotonCrypto
import BotonWire
import Testing

/// Every `WireError` from crafted bytes.
@Suite struct ErrorTests {
    let alerta = Fixture.bytes(Fixture.alertaHex)
    let latido = Fixture.bytes(Fixture.latidoHex)
    let gateway = Fixture.bytes(Fixture.gatewayHex)

    /// `frame` with byte `offset` set to `value`, re-sealed so only the field check can fail.
    func device(_ frame: [UInt8], _ edits: [Int: UInt8]) -> [UInt8] {
        var out = frame
        for (offset, value) in edits { out[offset] = value }
        return Fixture.resealed(out, secret: Fixture.deviceSecret, macOffset: DeviceFrame.macOffset)
    }

    func gatewayEdit(_ edits: [Int: UInt8]) -> [UInt8] {
        var out = gateway
        for (offset, value) in edits { out[offset] = value }
        return Fixture.resealed(out, secret: Fixture.gatewaySecret, macOffset: GatewayFrame.macOffset)
    }

    @Test func truncatedAtEveryLength() throws {
        for length in 0 ..< DeviceFrame.length {
            let prefix = Array(alerta[0 ..< length])
            let expected = WireError.truncated(expected: 68, got: length)
            #expect(throws: expected) { try WireFrame.peek(prefix) }
            #expect(throws: expected) { try DeviceFrame.decode(prefix) }
            #expect(throws: expected) { try DeviceFrame.decodeAndVerify(prefix, secret: Fixture.deviceSecret) }
            #expect(!DeviceFrame.verify(prefix, secret: Fixture.deviceSecret))
        }
        for length in 0 ..< GatewayFrame.length {
            let prefix = Array(gateway[0 ..< length])
            // Below 4 bytes the kind is unknown and peek reports the smallest frame.
            #expect(throws: WireError.truncated(expected: length < 4 ? 68 : 72, got: length)) {
                try WireFrame.peek(prefix)
            }
            #expect(throws: WireError.truncated(expected: 72, got: length)) { try GatewayFrame.decode(prefix) }
        }
        for length in 0 ..< Acknowledgement.length {
            let prefix = Array(Fixture.bytes(Fixture.ackAceptadaHex)[0 ..< length])
            #expect(throws: WireError.truncated(expected: 64, got: length)) {
                try Acknowledgement.decode(prefix, key: Fixture.deviceSecret)
            }
        }
        for length in 0 ..< ShortRejection.length {
            let prefix = Array(Fixture.bytes(Fixture.shortDesconocidoHex)[0 ..< length])
            #expect(throws: WireError.truncated(expected: 8, got: length)) { try ShortRejection.decode(prefix) }
        }
    }

    @Test func oversized() throws {
        #expect(throws: WireError.oversized) { try WireFrame.peek(alerta + [0]) }
        #expect(throws: WireError.oversized) { try DeviceFrame.decode(alerta + [0]) }
        #expect(throws: WireError.oversized) { try GatewayFrame.decode(gateway + [0]) }
        #expect(throws: WireError.oversized) { try WireFrame.peek(gateway + [0]) }
        #expect(throws: WireError.oversized) {
            try Acknowledgement.decode(Fixture.bytes(Fixture.ackAceptadaHex) + [0], key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.oversized) { try ShortRejection.decode(Fixture.bytes(Fixture.shortDesconocidoHex) + [0]) }
        // A device-kind header on 72 bytes is oversized, not a gateway frame.
        #expect(throws: WireError.oversized) { try WireFrame.peek(alerta + [0, 0, 0, 0]) }
        #expect(!DeviceFrame.verify(alerta + [0], secret: Fixture.deviceSecret))
    }

    @Test func badMagicVersionKind() throws {
        #expect(throws: WireError.badMagic) { try WireFrame.peek(device(alerta, [0: 0x43])) }
        #expect(throws: WireError.badMagic) { try DeviceFrame.decode(device(alerta, [1: 0x54])) }
        #expect(throws: WireError.badMagic) { try WireFrame.peek([UInt8](repeating: 0, count: 68)) }
        #expect(throws: WireError.unsupportedVersion(2)) { try WireFrame.peek(device(alerta, [2: 2])) }
        #expect(throws: WireError.unsupportedVersion(2)) { try DeviceFrame.decode(device(alerta, [2: 2])) }
        #expect(throws: WireError.unsupportedVersion(0)) { try GatewayFrame.decode(gatewayEdit([2: 0])) }
        for kind: UInt8 in [0, 8, 0x7f, 0x80, 0x81, 0xff] {
            #expect(throws: WireError.unknownKind(kind)) { try WireFrame.peek(device(alerta, [3: kind])) }
            #expect(throws: WireError.unknownKind(kind)) { try DeviceFrame.decode(device(alerta, [3: kind])) }
        }
        // A gateway frame is not a device frame and vice versa.
        #expect(throws: WireError.unknownKind(6)) { try DeviceFrame.decode(gateway) }
        #expect(throws: WireError.unknownKind(1)) { try GatewayFrame.decode(alerta + [0, 0, 0, 0]) }
        #expect(throws: WireError.unknownKind(1)) {
            try Acknowledgement.decode(Array(alerta[0 ..< 64]), key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.unknownKind(1)) { try ShortRejection.decode(Array(alerta[0 ..< 4]) + [0, 0, 0, 0]) }
        #expect(throws: WireError.unknownKind(1)) { try ServerReply.decode(alerta, key: Fixture.deviceSecret) }
        #expect(throws: WireError.unknownKind(0x80)) {
            try ShortRejection.decode(Array(Fixture.bytes(Fixture.ackAceptadaHex)[0 ..< 8]))
        }
    }

    @Test func deviceFieldChecks() throws {
        // Bit 1 (silent) is an alerta's own since issue 15; bit 2 (state wanted) is not (0x05: position + bit 2).
        for flags: UInt8 in [0x05, 0x08, 0x80, 0xff] {
            #expect(throws: WireError.badFlags) { try DeviceFrame.decode(device(alerta, [4: flags])) }
        }
        for battery: UInt8 in [101, 200, 254] {
            #expect(throws: WireError.badBattery) { try DeviceFrame.decode(device(alerta, [5: battery])) }
        }
        #expect(try DeviceFrame.decode(device(alerta, [5: 100])).batteryPercent == 100)
        #expect(try DeviceFrame.decode(device(alerta, [5: 0])).batteryPercent == 0)
        #expect(throws: WireError.badReserved) { try DeviceFrame.decode(device(alerta, [6: 1])) }
        #expect(throws: WireError.badReserved) { try DeviceFrame.decode(device(alerta, [7: 0x80])) }
        // Latitude 900000001 (0x35a4e901) and −900000001; longitude 1800000001 (0x6b49d201).
        #expect(throws: WireError.badPosition) {
            try DeviceFrame.decode(device(alerta, [40: 0x35, 41: 0xa4, 42: 0xe9, 43: 0x01]))
        }
        #expect(throws: WireError.badPosition) {
            try DeviceFrame.decode(device(alerta, [40: 0xca, 41: 0x5b, 42: 0x16, 43: 0xff]))
        }
        #expect(throws: WireError.badPosition) {
            try DeviceFrame.decode(device(alerta, [44: 0x6b, 45: 0x49, 46: 0xd2, 47: 0x01]))
        }
        #expect(try DeviceFrame.decode(device(alerta, [40: 0x35, 41: 0xa4, 42: 0xe9, 43: 0x00])).position?.latitudeE7
            == 900_000_000)
        // Position flag off: any non-zero byte in 40..<52 is malformed.
        for offset in 40 ..< 52 {
            #expect(throws: WireError.badPosition) { try DeviceFrame.decode(device(latido, [offset: 1])) }
        }
        // Turning the flag off on a frame that has a position.
        #expect(throws: WireError.badPosition) { try DeviceFrame.decode(device(alerta, [4: 0])) }
    }

    @Test func gatewayFieldChecks() throws {
        for flags: UInt8 in [0x01, 0x03, 0x04, 0x80] {
            #expect(throws: WireError.badFlags) { try GatewayFrame.decode(gatewayEdit([4: flags])) }
        }
        #expect(try GatewayFrame.decode(gatewayEdit([4: 0])).isTest == false)
        for offset in 5 ..< 8 {
            #expect(throws: WireError.badReserved) { try GatewayFrame.decode(gatewayEdit([offset: 1])) }
        }
        // "59322345678" is at 40..<51. Non-digit, leading zero, gap, too short, too long, garbage in the padding.
        let badLines: [[Int: UInt8]] = [
            [45: UInt8(ascii: "a")], [40: UInt8(ascii: "0")], [43: 0], [40: UInt8(ascii: "+")],
            [47: 0, 48: 0, 49: 0, 50: 0], // 7 digits
            [51: 0x31, 52: 0x31, 53: 0x31, 54: 0x31, 55: 0x31], // 16 digits
            [52: 0x31], [55: 0x01], [45: 0x80],
        ]
        for edit in badLines {
            #expect(throws: WireError.badLine) { try GatewayFrame.decode(gatewayEdit(edit)) }
        }
        var empty = [Int: UInt8]()
        for offset in 40 ..< 56 { empty[offset] = 0 }
        #expect(throws: WireError.badLine) { try GatewayFrame.decode(gatewayEdit(empty)) }
        // Exactly 8 and 15 digits are fine.
        #expect(try GatewayFrame.decode(gatewayEdit([48: 0, 49: 0, 50: 0])).line.digitCount == 8)
        #expect(try GatewayFrame.decode(gatewayEdit([51: 0x31, 52: 0x31, 53: 0x31, 54: 0x31])).line.digitCount == 15)
    }

    @Test func badMACAfterSuccessfulParse() throws {
        #expect(throws: WireError.badMAC) { try DeviceFrame.decodeAndVerify(alerta, secret: Fixture.gatewaySecret) }
        #expect(throws: WireError.badMAC) { try GatewayFrame.decodeAndVerify(gateway, secret: Fixture.deviceSecret) }
        #expect(throws: WireError.badMAC) {
            try Acknowledgement.decode(Fixture.bytes(Fixture.ackAceptadaHex), key: Fixture.gatewaySecret)
        }
    }

    @Test func acknowledgementFieldChecks() throws {
        func ack(_ edits: [Int: UInt8]) -> [UInt8] {
            var out = Fixture.bytes(Fixture.ackAceptadaHex)
            for (offset, value) in edits { out[offset] = value }
            let mac = Digest.hmacSHA256(key: Fixture.deviceSecret, data: Array(out[0 ..< 48]))
            out.replaceSubrange(48 ..< 64, with: mac[0 ..< 16])
            return out
        }
        func decode(_ bytes: [UInt8]) throws(WireError) -> Acknowledgement {
            try Acknowledgement.decode(bytes, key: Fixture.deviceSecret)
        }
        #expect(throws: WireError.badStatus) { try decode(ack([4: 4])) }
        #expect(throws: WireError.badReason) { try decode(ack([5: 6])) }
        #expect(throws: WireError.badReason) { try decode(ack([5: 1])) }          // aceptada with a reason
        #expect(throws: WireError.badReason) { try decode(ack([4: 3, 5: 0])) }    // rechazada without one
        #expect(throws: WireError.badReserved) { try decode(ack([6: 1])) }
        #expect(throws: WireError.badUPCCode) { try decode(ack([34: 0x20])) }     // space
        #expect(throws: WireError.badUPCCode) { try decode(ack([33: 0])) }        // gap
        #expect(throws: WireError.badUPCCode) { try decode(ack([46: 0, 47: 0x41])) } // garbage after padding
        #expect(throws: WireError.badUPCCode) { try decode(ack([32: 0xc3])) }     // non-ASCII
        #expect(throws: WireError.unsupportedVersion(2)) { try decode(ack([2: 2])) }
        #expect(throws: WireError.badMagic) { try decode(ack([0: 0])) }
    }

    @Test func shortRejectionChecks() throws {
        let good = Fixture.bytes(Fixture.shortDesconocidoHex)
        func edited(_ offset: Int, _ value: UInt8) -> [UInt8] {
            var out = good
            out[offset] = value
            return out
        }
        #expect(throws: WireError.badStatus) { try ShortRejection.decode(edited(4, 0)) }
        #expect(throws: WireError.badReason) { try ShortRejection.decode(edited(5, 1)) }   // clave needs a key
        #expect(throws: WireError.badReason) { try ShortRejection.decode(edited(5, 0)) }
        #expect(throws: WireError.badReason) { try ShortRejection.decode(edited(5, 9)) }
        #expect(throws: WireError.badReserved) { try ShortRejection.decode(edited(7, 1)) }
        #expect(throws: WireError.badMagic) { try ShortRejection.decode(edited(0, 0)) }
    }

    @Test func whenTheServerAnswersUnauthenticated() throws {
        let malformed = device(alerta, [5: 150])
        #expect(ShortRejection.answering(.badBattery, datagram: malformed) == ShortRejection(reason: .malformada))
        #expect(ShortRejection.answering(.unsupportedVersion(2), datagram: device(alerta, [2: 2])) != nil)
        #expect(ShortRejection.answering(.truncated(expected: 68, got: 8), datagram: Array(alerta[0 ..< 8])) != nil)
        // Silent: shorter than 8 bytes, not our magic, a server reply, or a bad MAC (answered authenticated).
        #expect(ShortRejection.answering(.truncated(expected: 68, got: 7), datagram: Array(alerta[0 ..< 7])) == nil)
        #expect(ShortRejection.answering(.badMagic, datagram: [UInt8](repeating: 0, count: 68)) == nil)
        #expect(ShortRejection.answering(.unknownKind(0x81), datagram: Fixture.bytes(Fixture.shortDesconocidoHex))
            == nil)
        #expect(ShortRejection.answering(.unknownKind(0x80), datagram: Fixture.bytes(Fixture.ackAceptadaHex)) == nil)
        #expect(ShortRejection.answering(.badMAC, datagram: alerta) == nil)
    }

    @Test func rejectReasonsAndDescriptions() throws {
        let all: [WireError] = [
            .truncated(expected: 68, got: 3), .oversized, .badMagic, .unsupportedVersion(2), .unknownKind(0x81),
            .badFlags, .badReserved, .badBattery, .badPosition, .badLine, .badMAC, .badStatus, .badReason,
            .badUPCCode, .badLengthPrefix(0),
        ]
        for error in all {
            #expect(error.rejectReason == (error == .badMAC ? .clave : .malformada))
            #expect(!error.description.isEmpty)
        }
        #expect(WireError.truncated(expected: 68, got: 3).description == "frame truncated: expected 68 bytes, got 3")
        #expect(WireError.unknownKind(0x81).description.contains("0x81"))
        #expect(Set(all.map(\.description)).count == all.count)
    }
}
