import BotonNet
import BotonTestSupport
import BotonWire
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

    /// Slots reserved for alert intake: idle connections hold at most the slots not reserved, a new connection takes
    /// the place of the oldest idle one, and a phone whose frame authenticated keeps its connection.
    @Test func idleConnectionsCannotKeepAPhoneOutOfTheAlertPort() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110006")
        let server = try Server(database: db, extra: ["--set", "ingest.max_connections=60",
                                                      "--set", "ingest.reserved_connections=20"])
        defer { server.stop() }
        func send(_ sequence: UInt64, on client: StreamClient) throws -> Acknowledgement? {
            var framed = [UInt8](repeating: 0, count: 128)
            let frame = try phone.alert(sequence)
            let n = framed.withUnsafeMutableBytes { out in
                frame.withUnsafeBytes { LengthPrefixedFramer.writeFrame($0, into: out) }
            }
            try client.write(Array(framed[0 ..< n]))
            return try client.frames(1).first.flatMap(phone.decode)
        }
        // A phone connected before: its frame authenticated, so it holds a reserved slot.
        let connected = try StreamClient(host: "127.0.0.1", port: server.tcpPort)
        #expect(try send(1, on: connected)?.status == .aceptada)

        // 100 idle connections, more than the whole port's 60.
        var idle: [StreamClient] = []
        for _ in 0 ..< 100 { idle.append(try StreamClient(host: "127.0.0.1", port: server.tcpPort)) }
        try server.waitFor("event=connection_evicted", count: 60)
        // The oldest were closed to make room; at most 40 (60 − 20 reserved) are held.
        #expect(idle.prefix(60).allSatisfy { $0.closedByPeer() })

        // The phone connected before is untouched; a phone connecting now gets in, in place of an idle one.
        #expect(try send(2, on: connected)?.status == .aceptada)
        let newcomer = try StreamClient(host: "127.0.0.1", port: server.tcpPort)
        #expect(try send(3, on: newcomer)?.status == .aceptada)
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)
        #expect(server.stop() == 0)
    }
}
