import BotonWire
import Foundation
import Testing

/// A standard error that nobody reads (a full pipe, a stuck journal) costs the service log lines, never an alert.
@Suite struct LogBackpressureTests {
    @Test func aStandardErrorNobodyReadsCostsLogLinesNotAlerts() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110002")
        // The harness reads the server's standard error until `ready` and then not again until it stops it: from
        // here on the pipe is one nobody reads.
        let server = try Server(database: db, extra: ["--set", "log.buffer_bytes=4096"])
        defer { server.stop() }
        let web = try WebClient(port: server.httpPort)
        // Every request logs a line (about 170 bytes): 2,000 fill the pipe's 64 KiB and the 4 KiB buffer.
        for _ in 0 ..< 2_000 { #expect(try web.get("/salud").status == 200) }

        let udp = try IngestionFaultTests.UDPPhone(port: server.udpPort)
        udp.send(try phone.alert(1))
        let ack = try #require(udp.receive().flatMap(phone.decode), "the alert was not answered")
        #expect(ack.status == .aceptada)
        #expect(try web.get("/salud").status == 200)
        let metrics = try metricsText(server)
        let dropped = metrics.split(separator: "\n").first { $0.hasPrefix("boton_log_dropped_total ") }
            .flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect((dropped ?? 0) > 0, "the lines that did not fit are counted")

        // Once somebody reads again, the service says what it left out.
        #expect(server.stop() == 0)
        #expect(server.log.contains("event=log_dropped"))
        #expect(server.log.contains("event=stopped"))
    }
}
