import BotonCrypto
import BotonNet
import BotonStore
import BotonStoreFixtures
import BotonTestSupport
import BotonWire
import Foundation
import Glibc
import Testing

/// Faults at the real server: a full queue, a store that cannot commit, garbage on TCP, a stalled TLS handshake.
@Suite struct IngestionFaultTests {
    /// A provisioned device and a way to make its frames.
    struct Phone {
        let id: DeviceID
        let secret: [UInt8]

        init(_ db: String, line: String) throws {
            let (id, secret) = try provision(db, line: line, lat: "-0.2202", lon: "-78.5123")
            self.id = DeviceID(hex: id)!
            self.secret = Hex.decode(secret)!
        }

        func alert(_ sequence: UInt64) throws -> [UInt8] {
            try DeviceFrame(kind: .alerta, deviceID: id, sequence: sequence,
                            clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000), batteryPercent: 50,
                            position: nil).encode(secret: secret)
        }

        func decode(_ reply: [UInt8]) -> Acknowledgement? {
            if case .acknowledgement(let ack)? = try? ServerReply.decode(reply, key: secret) { return ack }
            return nil
        }
    }

    /// A UDP socket to the server; each send waits for its own answer (10 s at most: a failing test, not timing).
    struct UDPPhone {
        let client: DatagramClient
        init(port: Int) throws { client = try DatagramClient(host: "127.0.0.1", port: port) }
        func send(_ bytes: [UInt8]) { client.send(bytes) }
        func receive() -> [UInt8]? { client.receiveOne(timeoutMs: 10_000) }
    }

    @Test func aFullQueueAnswersOcupadoAtOnceAndLosesNothing() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try Phone(db, line: "0991110001")
        // The writer takes one frame per batch and the queue holds two: at most three frames are held.
        let server = try Server(database: db, extra: ["--set", "ingest.queue_depth=2", "--set", "ingest.batch_max_frames=1",
                                                      "--set", "store.busy_timeout_ms=60000",
                                                      "--set", "ingest.merge_window_s=0"])
        defer { server.stop() }
        // Another connection holds the write lock: the writer waits for it with what it took.
        let blocker = try WriteBlocker(db)
        let udp = try UDPPhone(port: server.udpPort)
        let frames = try (1 ... 6).map { try phone.alert(UInt64($0)) }
        for frame in frames { udp.send(frame) }
        // At least three cannot be held: they are told to retry at once, while the writer is still blocked.
        var busy = 0
        while busy < 3, let reply = udp.receive() {
            if reply.count == Acknowledgement.length && reply[4] == AckStatus.ocupadoReintente.wireValue { busy += 1 }
        }
        #expect(busy == 3)
        try blocker.release()
        // Every frame gets exactly one answer: ocupado now, or aceptada (authenticated) once committed.
        var accepted = Set<UInt64>()
        while busy + accepted.count < 6, let reply = udp.receive() {
            if let ack = phone.decode(reply), ack.status == .aceptada {
                accepted.insert(ack.sequence)
            } else if reply[4] == AckStatus.ocupadoReintente.wireValue {
                busy += 1
            }
        }
        #expect(busy + accepted.count == 6)
        #expect((2 ... 3).contains(accepted.count))
        // The phone retries, one frame at a time like a phone would: all six end up stored, none twice.
        var answered: [UInt64: AckStatus] = [:]
        for (index, frame) in frames.enumerated() {
            udp.send(frame)
            while let reply = udp.receive() {
                if let ack = phone.decode(reply), ack.sequence == UInt64(index + 1) {
                    answered[ack.sequence] = ack.status
                    break
                }
            }
        }
        #expect(answered.count == 6)
        #expect(answered.filter { $0.value == .duplicada }.map(\.key).sorted() == accepted.sorted())
        #expect(answered.values.allSatisfy { $0 == .aceptada || $0 == .duplicada })
    }

    /// SQLite-only: `store.busy_timeout_ms` is SQLite's busy timeout (PostgreSQL waits for a row lock; its
    /// unreachable-primary case is the failover tests').
    @Test(.enabled(if: !TestBackend.isPostgreSQL, "SQLite's busy timeout"))
    func aStoreThatCannotCommitAcknowledgesNothingAndSaysSo() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try Phone(db, line: "0991110002")
        let server = try Server(database: db, extra: ["--set", "store.busy_timeout_ms=50"])
        defer { server.stop() }
        let blocker = try Database(path: db)
        try blocker.execute("BEGIN IMMEDIATE")
        let udp = try UDPPhone(port: server.udpPort)
        let frame = try phone.alert(1)
        udp.send(frame)
        // The commit cannot happen: the answer is an unauthenticated ocupado-reintente, never aceptada.
        let reply = try #require(udp.receive())
        #expect(reply.count == Acknowledgement.length)
        #expect(reply[4] == AckStatus.ocupadoReintente.wireValue)
        #expect(phone.decode(reply) == nil)
        try server.waitFor("event=commit_failed")
        #expect(server.log.contains("database is locked"))
        try blocker.execute("ROLLBACK")
        // Once the store is back, the retry is stored and acknowledged, and the recovery is logged.
        udp.send(frame)
        let retry = try #require(udp.receive())
        #expect(phone.decode(retry)?.status == .aceptada)
        try server.waitFor("event=storage_recovered")
    }

    @Test func garbageOnTCPGetsAnErrorFrameAndACloseWithoutHurtingOthers() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try Phone(db, line: "0991110003")
        let server = try Server(database: db)
        defer { server.stop() }
        let good = try StreamClient(host: "127.0.0.1", port: server.tcpPort)
        try good.write(LengthPrefixedFramer.prefixed(try phone.alert(1)))
        #expect(phone.decode(try good.frames(1).first ?? [])?.status == .aceptada)

        for garbage in [Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), [0x00, 0x00], [0x00, 0x05, 1, 2, 3, 4, 5]] {
            let bad = try StreamClient(host: "127.0.0.1", port: server.tcpPort)
            try bad.write(garbage)
            let answer = try bad.frames(1)
            #expect(answer.count == 1)
            let rejection = try ShortRejection.decode(try #require(answer.first))
            #expect(rejection.reason == .malformada)
            #expect(bad.closedByPeer())
        }
        // The good connection still works, answers in order.
        try good.write(LengthPrefixedFramer.prefixed(try phone.alert(2)) + LengthPrefixedFramer.prefixed(try phone.alert(3)))
        let answers = try good.frames(2).compactMap { phone.decode($0)?.sequence }
        #expect(answers == [2, 3])
    }

    @Test func aStalledTLSHandshakeIsDroppedWhileOthersAreServed() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try Phone(db, line: "0991110004")
        let server = try Server(database: db, extra: ["--set", "ingest.handshake_timeout_ms=300"])
        defer { server.stop() }
        let stalled = try StreamClient(host: "127.0.0.1", port: server.tlsPort)
        try stalled.write([0x16, 0x03, 0x01])  // the start of a ClientHello, then silence
        let context = try TLSContext(clientVerifying: server.certificate)
        let secure = try StreamClient(host: "127.0.0.1", port: server.tlsPort, tls: context)
        try secure.write(LengthPrefixedFramer.prefixed(try phone.alert(1)))
        #expect(phone.decode(try secure.frames(1).first ?? [])?.status == .aceptada)
        #expect(stalled.closedByPeer())
        try server.waitFor("event=tls_handshake_timeout")
        // The simulator over TLS, verifying the server's certificate.
        let r = try Boton.run(["alert", "send", "--transport", "tls", "--port", String(server.tlsPort),
                               "--ca", server.certificate, "--device", phone.id.description,
                               "--secret", Hex.encode(phone.secret), "--sequence", "2"])
        #expect(r.stdout.hasPrefix("aceptada secuencia=2 incidente=1 upc=UPC-17D"))
    }
}

/// Another connection that holds the store's write lock until released: SQLite's `BEGIN IMMEDIATE`, or on
/// PostgreSQL a transaction holding `EXCLUSIVE` locks on the tables an alert is written to (reads go on, writes wait).
private final class WriteBlocker {
    private let store: any SQLStore

    init(_ db: String) throws {
        store = try TestDatabases.database(db).openStore()
        if store.sql.dialect == .postgresql {
            try store.sql.execute("BEGIN; LOCK TABLE frame_receipt, incident, incident_event IN EXCLUSIVE MODE")
        } else {
            try store.sql.execute("BEGIN IMMEDIATE")
        }
    }

    func release() throws { try store.sql.execute("ROLLBACK") }
}
