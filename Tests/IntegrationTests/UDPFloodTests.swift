import BotonNet
import BotonWire
import Foundation
import Testing

/// A flood of well-shaped frames (random unknown ids, then a known id with a wrong MAC: ids travel in clear) from
/// another address is answered, or not, where it arrives: it never takes a place in the writer's queue, costs at
/// most its address's budget of credential reads, gets at most its address's budget of answers, and a genuine
/// alert over TCP and over UDP is acknowledged while it lasts.
@Suite struct UDPFloodTests {
    @Test func aFloodOfForgedFramesCostsTheWriterNothingAndAlertsGoOn() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110077")
        let server = try Server(database: db, extra: ["--set", "ingest.lookups_per_address_per_second=50",
                                                      "--set", "ingest.answers_per_address_per_second=10"])
        defer { server.stop() }
        let tcp = try StreamClient(host: "127.0.0.1", port: server.tcpPort)
        func tcpAlert(_ sequence: UInt64) throws -> Acknowledgement? {
            var framed = [UInt8](repeating: 0, count: 2 + DeviceFrame.length)
            let frame = try phone.alert(sequence)
            let n = framed.withUnsafeMutableBytes { out in frame.withUnsafeBytes { LengthPrefixedFramer.writeFrame($0, into: out) } }
            try tcp.write(Array(framed[0 ..< n]))
            return try tcp.frames(1).first.flatMap(phone.decode)
        }
        #expect(try tcpAlert(1)?.status == .aceptada)
        let rssBefore = try residentBytes(server.process.processIdentifier)

        // The attacker, from 127.0.0.2.
        let attacker = try DatagramClient(host: "127.0.0.1", port: server.udpPort, receiveBuffer: 1 << 20,
                                          localHost: "127.0.0.2")
        var random = SystemRandomNumberGenerator()
        let wrongKey = [UInt8](repeating: 7, count: 32)
        let flood = 20_000
        var answers = 0
        for n in 0 ..< 2 * flood {
            let id = n < flood ? DeviceID(high: random.next(), low: random.next()) : phone.id
            let frame = try DeviceFrame(kind: .alerta, deviceID: id, sequence: UInt64(n + 1),
                                        clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000),
                                        batteryPercent: 50, position: nil).encode(secret: wrongKey)
            attacker.send(frame)
            answers += attacker.receive(timeoutMs: 0).count
        }

        // While the flood's answers drain: genuine alerts over TCP and over UDP, and the health page.
        #expect(try tcpAlert(2)?.status == .aceptada)
        let udp = try IngestionFaultTests.UDPPhone(port: server.udpPort)
        udp.send(try phone.alert(3))
        #expect(try #require(udp.receive().flatMap(phone.decode)).status == .aceptada)
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)
        answers += attacker.receive(timeoutMs: 200).count

        let metrics = try WebClient(port: server.metricsPort).get("/metrics").text
        func counter(_ name: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        }
        // 20,000 random ids cost the store at most the address's budget of reads (a burst of 100, 50 a second),
        // not one each; the writer committed only the three genuine alerts.
        let reads = counter("boton_credential_reads_total")
        #expect(reads >= 1 && reads < 5_000, "credential reads: \(reads)")
        #expect(counter("boton_frames_accepted_total") == 3)
        #expect(counter("boton_frames_unanswered_total") > 0)
        // The attacker's address got at most its budget of answers (a burst of 20, 10 a second), not 40,000.
        #expect(answers < 2_000, "answers to the flooding address: \(answers)")
        let rssAfter = try residentBytes(server.process.processIdentifier)
        #expect(rssAfter - rssBefore < 64 << 20, "RSS grew by \((rssAfter - rssBefore) >> 20) MiB")
        #expect(server.stop() == 0)
    }
}

/// The resident set of a process, from /proc.
func residentBytes(_ pid: Int32) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
        throw CocoaError(.fileReadCorruptFile)
    }
    return kb * 1024
}
