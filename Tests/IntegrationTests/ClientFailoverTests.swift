import BotonNet
import Foundation
import Testing

/// The reference client with several nodes (`--server`, repeatable): a node that stays silent or refuses the
/// connection sends the same frame, same sequence, on to the next one.
@Suite struct ClientFailoverTests {
    /// A UDP port that takes datagrams and never answers: a node that died without its socket closing.
    struct BlackHole: DatagramHandler {
        func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply? {
            nil
        }
    }

    @Test func aSilentOrRefusingNodeIsSkippedWithTheSameSequence() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secret) = try provision(db, line: "0991110123", lat: "-0.2202", lon: "-78.5123")
        let server = try Server(database: db)
        defer { server.stop() }
        let silent = try UDPListener(host: "127.0.0.1", port: 0)
        silent.start(handler: BlackHole())
        defer { silent.stop() }

        // UDP: the first node never answers; after the first interval the frame goes to the live one.
        let now = String(Int(Date().timeIntervalSince1970 * 1000))
        let udp = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--sequence", "41",
                                 "--timestamp", now,
                                 "--server", "127.0.0.1:\(silent.address.port)",
                                 "--server", "127.0.0.1:\(server.udpPort)"])
        #expect(udp.status == 0, "\(udp.stderr)")
        #expect(udp.stdout.hasPrefix("aceptada secuencia=41 incidente=1"))
        #expect(!udp.stdout.contains("intentos=1"), "\(udp.stdout)")

        // TCP: the first node refuses the connection (nothing listens there any more).
        let closed = try UDPListener(host: "127.0.0.1", port: 0)
        let refused = closed.address.port  // a port just freed: nothing accepts TCP on it
        let tcp = try Boton.run(["alert", "send", "--transport", "tcp", "--device", device, "--secret", secret,
                                 "--sequence", "41", "--timestamp", now, "--server", "127.0.0.1:\(refused)",
                                 "--server", "127.0.0.1:\(server.tcpPort)"])
        // The same frame (same bytes) again, on another transport and through another first node: the first answer.
        #expect(tcp.stdout.hasPrefix("duplicada secuencia=41 incidente=1"), "\(tcp.stdout) \(tcp.stderr)")

        // A bad server list is a usage error.
        let bad = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--server", "nodo-sin-puerto"])
        #expect(bad.status == 64 && bad.stderr.contains("--server is HOST:PORT"))

        // The load generator moves on too: every alert acknowledged, through the live node.
        let load = try Boton.run(["alert", "load", "--database", db, "--devices", "5", "--rate", "20",
                                  "--duration", "1", "--server", "127.0.0.1:\(silent.address.port)",
                                  "--server", "127.0.0.1:\(server.udpPort)", "--json"])
        #expect(load.stdout.contains("\"lost\":0"), "\(load.stdout) \(load.stderr)")
        #expect(!load.stdout.contains("\"failovers\":0"), "\(load.stdout)")
        #expect(server.stop() == 0)
    }
}
