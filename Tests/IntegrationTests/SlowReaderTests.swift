import BotonNet
import Foundation
import Testing

/// Clients that pipeline requests and never read the answers hold a bounded amount each: the connection stops
/// answering (and reading) while 256 KiB of answers wait, and is closed when nothing went through for
/// `http.write_timeout_s`; alerts and `/salud` go on meanwhile.
@Suite struct SlowReaderTests {
    @Test func pipeliningWithoutReadingHoldsBoundedMemoryAndEndsAtTheWriteTimeout() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110009")
        let server = try Server(database: db, extra: ["--set", "http.write_timeout_s=2"])
        defer { server.stop() }
        let rssBefore = try residentBytes(server.process.processIdentifier)

        // 30 connections, each asking 600 times for a 22 KB script (13 MB of answers each) and reading nothing.
        let request = Array("GET /static/consola.js HTTP/1.1\r\nHost: prueba\r\n\r\n".utf8)
        let pipelined = Array((0 ..< 600).map { _ in request }.joined())
        var readers: [StreamClient] = []
        for _ in 0 ..< 30 {
            let client = try StreamClient(host: "127.0.0.1", port: server.httpPort)
            try client.write(pipelined)
            readers.append(client)
        }
        // Each is closed for making no progress, not for holding too much: it never held more than its bound.
        try server.waitFor("event=http_reader_closed", count: 30)
        #expect(!server.log.contains("reason=too_much_unsent"))
        #expect(server.log.components(separatedBy: "reason=write_timeout").count - 1 == 30)
        let rssPeak = try residentBytes(server.process.processIdentifier)
        #expect(rssPeak - rssBefore < 32 << 20, "RSS grew by \((rssPeak - rssBefore) >> 20) MiB")

        let udp = try IngestionFaultTests.UDPPhone(port: server.udpPort)
        udp.send(try phone.alert(1))
        #expect(try #require(udp.receive().flatMap(phone.decode)).status == .aceptada)
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)
        #expect(server.stop() == 0)
    }
}
