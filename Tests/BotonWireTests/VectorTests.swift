import BotonCrypto
import BotonWire
import Testing

/// The published vectors: fixed fields and secrets → exact bytes, in both directions.
@Suite struct VectorTests {
    @Test func alertaWithPosition() throws {
        let frame = try Fixture.alerta()
        #expect(Hex.encode(frame.encode(secret: Fixture.deviceSecret)) == Fixture.alertaHex)
        let decoded = try DeviceFrame.decodeAndVerify(Fixture.bytes(Fixture.alertaHex), secret: Fixture.deviceSecret)
        #expect(decoded == frame)
        #expect(decoded.position?.latitude == -0.2202)
        #expect(decoded.position?.longitude == -78.5123)
    }

    @Test func latidoWithoutPosition() throws {
        let frame = try Fixture.latido()
        #expect(Hex.encode(frame.encode(secret: Fixture.deviceSecret)) == Fixture.latidoHex)
        let decoded = try DeviceFrame.decodeAndVerify(Fixture.bytes(Fixture.latidoHex), secret: Fixture.deviceSecret)
        #expect(decoded == frame)
        #expect(decoded.batteryPercent == nil && decoded.position == nil)
    }

    @Test func gatewayTestCall() throws {
        let frame = try Fixture.gatewayPrueba()
        #expect(Hex.encode(frame.encode(secret: Fixture.gatewaySecret)) == Fixture.gatewayHex)
        let decoded = try GatewayFrame.decodeAndVerify(Fixture.bytes(Fixture.gatewayHex),
                                                       secret: Fixture.gatewaySecret)
        #expect(decoded == frame)
        #expect(decoded.alertKind == .prueba)
        #expect(decoded.lineE164 == "+59322345678")
        #expect(decoded.line.digits == "59322345678")
    }

    @Test func acknowledgements() throws {
        #expect(Hex.encode(Fixture.ackAceptada().encode(key: Fixture.deviceSecret)) == Fixture.ackAceptadaHex)
        #expect(Hex.encode(Fixture.ackVentana().encode(key: Fixture.deviceSecret)) == Fixture.ackVentanaHex)
        let ack = try Acknowledgement.decode(Fixture.bytes(Fixture.ackAceptadaHex), key: Fixture.deviceSecret)
        #expect(ack == Fixture.ackAceptada())
        #expect(ack.upcCode?.text == "UPC-17D04C01S01")
        #expect(try Acknowledgement.decode(Fixture.bytes(Fixture.ackVentanaHex), key: Fixture.deviceSecret)
            == Fixture.ackVentana())
    }

    @Test func shortRejection() throws {
        #expect(Hex.encode(ShortRejection(reason: .desconocido).encode()) == Fixture.shortDesconocidoHex)
        #expect(try ShortRejection.decode(Fixture.bytes(Fixture.shortDesconocidoHex)).reason == .desconocido)
    }

    @Test func peekReportsSenderSequenceAndFingerprint() throws {
        let header = try WireFrame.peek(Fixture.bytes(Fixture.alertaHex))
        #expect(header.kind == .alerta)
        #expect(header.sender == .device(Fixture.deviceID))
        #expect(header.sequence == 42)
        #expect(header.fingerprint.description == "891e46f8e9c8031bd60bc33b5ae7dbff")
        #expect(header.fingerprint == (try Fixture.alerta()).fingerprint(secret: Fixture.deviceSecret))

        let gateway = try WireFrame.peek(Fixture.bytes(Fixture.gatewayHex))
        #expect(gateway.kind == .gateway)
        #expect(gateway.sender == .gateway(Fixture.gatewayID))
        #expect(gateway.sequence == 7)
        #expect(gateway.fingerprint == (try Fixture.gatewayPrueba()).fingerprint(secret: Fixture.gatewaySecret))
    }

    @Test func spanishNamesAndWireValues() {
        #expect(FrameKind.allCases.map(\.rawValue)
            == ["alerta", "prueba", "cancelacion", "posicion", "latido", "gateway", "baja"])
        #expect(FrameKind.allCases.map(\.wireValue) == [1, 2, 3, 4, 5, 6, 7])
        #expect(AckStatus.allCases.map(\.rawValue) == ["aceptada", "duplicada", "ocupado_reintente", "rechazada"])
        #expect(AckStatus.allCases.map(\.wireValue) == [0, 1, 2, 3])
        #expect(RejectReason.allCases.map(\.rawValue)
            == ["ninguna", "clave", "ventana", "desconocido", "malformada", "sin_solicitud", "dada_de_baja"])
        #expect(RejectReason.allCases.map(\.wireValue) == [0, 1, 2, 3, 4, 5, 6])
        for kind in FrameKind.allCases { #expect(FrameKind(wireValue: kind.wireValue) == kind) }
        for status in AckStatus.allCases { #expect(AckStatus(wireValue: status.wireValue) == status) }
        for reason in RejectReason.allCases { #expect(RejectReason(wireValue: reason.wireValue) == reason) }
        #expect(FrameKind(wireValue: 0) == nil && FrameKind(wireValue: 0x80) == nil)
    }
}
