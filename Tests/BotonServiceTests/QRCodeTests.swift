import BotonCore
import BotonWebKit
import Foundation
import Testing

/// Our QR encoder, read back by an independent decoder: `zbarimg` (Debian's zbar-tools, installed by
/// Scripts/test). Every version from 1 to 10 is reached, in both modes, so a wrong table entry, alignment
/// position, version block or mask shows up as a symbol zbar cannot read or reads differently.
@Suite struct QRCodeTests {
    @Test func zbarReadsBackWhatWeDrawInEveryVersionAndMode() throws {
        let code = ActivationCode(deviceID: Array(0..<16), secret: Array(100..<132)).text
        var texts = [code, "HELLO WORLD", "https://example.ec/oficial/solicitudes/BS-2026-000001-5",
                     "Alerta n.º 12 — señal débil, ñandú"]
        // Lengths that walk through versions 1 to 10 in alphanumeric and byte mode.
        for n in [1, 20, 40, 70, 100, 130, 160, 200, 230, 270] { texts.append(String(repeating: "A1", count: n / 2 + 1)) }
        for n in [1, 15, 30, 50, 70, 95, 110, 140, 170, 210] { texts.append(String(repeating: "x", count: n)) }
        var versions = Set<Int>()
        for text in texts {
            let qr = try QRCode(text)
            versions.insert(qr.version)
            #expect(qr.size == 17 + 4 * qr.version && qr.modules.count == qr.size)
            #expect(try Self.decode(qr) == text, "version \(qr.version) mask \(qr.mask)")
        }
        #expect(versions == Set(1...10))
        // The activation code (95 characters with its dashes) is alphanumeric: version 5 (37×37), small enough for
        // any phone's camera; as bytes it would need version 6.
        #expect(try QRCode(code).version == 5)
    }

    @Test func textBeyondVersionTenIsRefusedSayingHowLong() {
        #expect(throws: QRCode.TooLong(characters: 300)) { try QRCode(String(repeating: "x", count: 300)) }
    }

    @Test func theSVGDrawsEveryDarkModuleInsideItsQuietZone() throws {
        let qr = try QRCode("HOLA")
        let svg = qr.svg(moduleSize: 5)
        let dark = qr.modules.reduce(0) { $0 + $1.filter { $0 }.count }
        #expect(svg.components(separatedBy: "h5v5h-5z").count - 1 == dark)
        #expect(svg.contains("viewBox=\"0 0 \((qr.size + 8) * 5) \((qr.size + 8) * 5)\""))
        // The top-left finder starts after the four-module quiet zone.
        #expect(svg.contains("d=\"M20 20h5v5h-5z"))
    }

    /// What zbarimg reads from the symbol drawn as a PBM image.
    static func decode(_ qr: QRCode) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pbm")
        defer { try? FileManager.default.removeItem(at: file) }
        try qr.pbm(scale: 4).write(to: file, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg") else {
            Issue.record("zbarimg is missing: install Debian's zbar-tools (Scripts/test does)")
            return ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
