import Foundation
import Testing

/// The TLS ports (HTTPS and the alert port) against an independent client, OpenSSL's `s_client`: TLS 1.2 gets
/// forward secrecy with authenticated encryption only, in the server's order; CBC suites are refused.
@Suite struct TLSSuitesTests {
    /// Runs `openssl s_client` with `arguments` against 127.0.0.1:`port`; returns the cipher it negotiated, if any.
    static func negotiate(port: Int, _ arguments: [String]) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"] + arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Cipher is ") }) else { return nil }
        let cipher = String(line.split(separator: " ").last ?? "")
        return cipher == "(NONE)" ? nil : cipher
    }

    @Test func tls12OffersECDHEWithAEADOnlyInTheServersOrder() throws {
        let dir = TemporaryDirectory()
        let server = try Server(database: try preparedDatabase(in: dir))
        defer { server.stop() }
        for port in [server.httpsPort, server.tlsPort] {
            // A client that offers only CBC suites, with or without ECDHE, is refused.
            #expect(try Self.negotiate(port: port, ["-tls1_2", "-cipher", "AES128-SHA:AES256-SHA256"]) == nil)
            #expect(try Self.negotiate(port: port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"]) == nil)
            // Offered ChaCha20 first and AES-GCM second, the server takes its own first choice.
            let chosen = try Self.negotiate(port: port, ["-tls1_2", "-cipher",
                                                         "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256"])
            #expect(chosen == "ECDHE-ECDSA-AES128-GCM-SHA256")
            // TLS 1.3 still works.
            #expect(try Self.negotiate(port: port, ["-tls1_3"]) != nil)
        }
    }
}
