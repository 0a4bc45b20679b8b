import BotonNet
import BotonTestSupport
import Foundation
import Testing

/// Connections that never send a byte cannot fill the service's slots: one address holds at most its share, and a
/// silent connection is closed after the first-byte deadline, apart from the idle timeout.
@Suite struct IdleConnectionTests {
    @Test func silentConnectionsAreCappedPerAddressAndClosedAfterTheFirstByteDeadline() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110005")
        let server = try Server(database: db, extra: ["--set", "http.max_connections_per_address=5",
                                                      "--set", "http.first_byte_timeout_s=1",
                                                      "--set", "ingest.max_connections_per_address=5",
                                                      "--set", "ingest.first_byte_timeout_s=1"])
        defer { server.stop() }
        for port in [server.httpPort, server.tcpPort] {
            let silent = try (0 ..< 5).map { _ in try HTTPTestClient(port: port) }
            // The address's sixth connection is accepted and closed at once.
            let sixth = try HTTPTestClient(port: port)
            #expect(sixth.closedByPeer())
            // Alert intake over another transport goes on meanwhile.
            let udp = try IngestionFaultTests.UDPPhone(port: server.udpPort)
            udp.send(try phone.alert(UInt64(port)))
            #expect(try #require(udp.receive().flatMap(phone.decode)).status == .aceptada)
            // The silent ones are closed by the first-byte deadline (1 s), well before the idle timeout.
            for connection in silent { #expect(connection.closedByPeer()) }
        }
        // Their slots are free again.
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)
        #expect(server.stop() == 0)
        #expect(server.log.contains("reason=max_connections_per_address"))
        #expect(server.log.contains("event=connection_silent_closed"))
    }
}
