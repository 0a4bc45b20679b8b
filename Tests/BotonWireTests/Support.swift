import BotonCrypto
import BotonWire

/// Shared fixtures: the published test vectors (also in the DocC page) and helpers.
enum Fixture {
    /// Device secret of the vectors: bytes 0x00…0x1f.
    static let deviceSecret: [UInt8] = Array(0 ..< 32)
    /// Gateway secret of the vectors: bytes 0x20…0x3f.
    static let gatewaySecret: [UInt8] = Array(32 ..< 64)
    static let deviceID = DeviceID(hex: "00112233445566778899aabbccddeeff")!
    static let gatewayID = GatewayID(hex: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")!

    // Vectors computed independently with Python's hmac/hashlib (see the DocC page).
    static let alertaHex =
        "425301010157000000112233445566778899aabbccddeeff000000000000002a000001941f297c00ffde6670d133f948"
        + "000c0003891e46f8e9c8031bd60bc33b5ae7dbff"
    static let latidoHex =
        "4253010500ff000000112233445566778899aabbccddeeff000000000000002b000001941f2a666000000000000000000000"
        + "0000d2ea2a00fbf30ea6c28b8baa68bd8e17"
    static let gatewayHex =
        "4253010602000000f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0000000000000007000001941f297df4353933323233343536"
        + "37380000000000ed0da11e4615e56bb046532f580c58e5"
    static let ackAceptadaHex =
        "4253018000000000000000000000002a00000000000003e9000001941f297cfa5550432d31374430344330315330310012b7"
        + "db99b2dfcf0cb632d7b07cdac63b"
    static let ackVentanaHex =
        "4253018003020000000000000000002b0000000000000000000001941f2e0fe000000000000000000000000000000000"
        + "2ae8a7dcead8aa8e9e98bb1acef16f89"
    static let shortDesconocidoHex = "4253018103030000"

    static func alerta() throws -> DeviceFrame {
        try DeviceFrame(kind: .alerta, deviceID: deviceID, sequence: 42, clientTimestampMs: 1_735_689_600_000,
                        batteryPercent: 87,
                        position: FramePosition(latitudeE7: -2_202_000, longitudeE7: -785_123_000,
                                                accuracyMeters: 12, fixAgeSeconds: 3))
    }

    static func latido() throws -> DeviceFrame {
        try DeviceFrame(kind: .latido, deviceID: deviceID, sequence: 43, clientTimestampMs: 1_735_689_660_000,
                        batteryPercent: nil, position: nil)
    }

    static func gatewayPrueba() throws -> GatewayFrame {
        GatewayFrame(gatewayID: gatewayID, sequence: 7, clientTimestampMs: 1_735_689_600_500, isTest: true,
                     line: try CallingLine(e164: "59322345678"))
    }

    static func ackAceptada() -> Acknowledgement {
        Acknowledgement(status: .aceptada, sequence: 42, incidentID: 1001, serverTimeMs: 1_735_689_600_250,
                        upcCode: UPCCode("UPC-17D04C01S01"))
    }

    static func ackVentana() -> Acknowledgement {
        Acknowledgement(status: .rechazada, reason: .ventana, sequence: 43, serverTimeMs: 1_735_689_900_000)
    }

    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }

    /// Replaces the MAC of a device (68) or gateway (72) frame with the correct one for `secret`, so a test can
    /// reach the field checks that come after the MAC, or fuzz the body of an authentic frame.
    static func resealed(_ frame: [UInt8], secret: [UInt8], macOffset: Int) -> [UInt8] {
        var out = frame
        let mac = Digest.hmacSHA256(key: secret, data: Array(frame[0 ..< macOffset]))
        out.replaceSubrange(macOffset ..< macOffset + 16, with: mac[0 ..< 16])
        return out
    }
}
