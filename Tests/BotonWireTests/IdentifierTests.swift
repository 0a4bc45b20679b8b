import Foundation
import Testing
@testable import BotonWire

@Suite struct IdentifierTests {
    @Test func idsAreCodedAsTheirHexDigitsAndRefuseAnythingElse() throws {
        let hex = "00112233445566778899aabbccddeeff"
        let device = try #require(DeviceID(hex: hex.uppercased()))
        #expect(device.description == hex)
        #expect(device.bytes == Array(0 ..< 16).map { UInt8($0 * 0x11) })
        #expect(String(decoding: try JSONEncoder().encode([device]), as: UTF8.self) == "[\"\(hex)\"]")
        #expect(try JSONDecoder().decode([GatewayID].self, from: Data("[\"\(hex)\"]".utf8)) == [GatewayID(hex: hex)!])
        #expect {
            _ = try JSONDecoder().decode([GatewayID].self, from: Data("[\"\(hex.dropLast())\"]".utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == "a gateway id is 32 hex digits"
        }
        #expect(DeviceID(bytes: [UInt8](repeating: 1, count: 15)) == nil)
        #expect(DeviceID(hex: String(repeating: "g", count: 32)) == nil)
        #expect(FrameFingerprint(bytes: device.bytes)?.description == hex)
    }
}
