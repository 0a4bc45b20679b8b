import BotonNet
import BotonWire
import Foundation
import Synchronization
import Testing
@testable import BotonSimulator

/// The reference client retries as the spec tells a phone to: busy answers and silence are retried after the
/// whole backoff, for a total budget, and the error says why it gave up; "check the secret" only when an answer
/// says the key is wrong. Against a UDP server in the test that answers as it is told.
@Suite("Alert client")
struct AlertClientTests {
    enum Script: Sendable {
        /// ocupado-reintente without a MAC, as the listener answers before it has looked the key up.
        case busyUnauthenticated
        /// ocupado-reintente signed with the device's key.
        case busySigned
        /// rechazada/clave signed with the key on file (which the client does not have).
        case wrongKey
        /// aceptada, signed.
        case accept
        /// nothing.
        case silence
        /// the 8-byte unauthenticated rejection of an unknown device.
        case unknownDevice
    }

    /// Answers the n-th frame with `script(n)`; counts the frames.
    final class ScriptedServer: DatagramHandler {
        let key: [UInt8]
        let script: @Sendable (Int) -> Script
        let frames = Atomic<Int>(0)

        init(key: [UInt8], script: @escaping @Sendable (Int) -> Script) {
            self.key = key
            self.script = script
        }

        func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply? {
            let n = frames.add(1, ordering: .relaxed).newValue
            guard let header = try? WireFrame.peek(datagram) else { return nil }
            let ack: Acknowledgement
            var signed = true
            var key = self.key
            switch script(n) {
            case .silence: return nil
            case .unknownDevice:
                return DatagramReply(to: peer) { ShortRejection(reason: .desconocido).encode(into: $0) }
            case .busyUnauthenticated:
                ack = Acknowledgement(status: .ocupadoReintente, sequence: header.sequence, serverTimeMs: 1)
                signed = false
            case .busySigned:
                ack = Acknowledgement(status: .ocupadoReintente, sequence: header.sequence, serverTimeMs: 1)
            case .wrongKey:
                ack = Acknowledgement(status: .rechazada, reason: .clave, sequence: header.sequence, serverTimeMs: 1)
                key = [UInt8](repeating: 9, count: 32)  // the key on file, not the one the phone used
            case .accept:
                ack = Acknowledgement(status: .aceptada, sequence: header.sequence, incidentID: 7, serverTimeMs: 1)
            }
            return DatagramReply(to: peer) { out in
                signed ? key.withUnsafeBytes { ack.encode(key: $0, into: out) } : ack.encodeUnauthenticated(into: out)
            }
        }
    }

    let key = [UInt8](repeating: 1, count: 32)
    let fast = AlertClient.RetryPolicy(initialMs: 5, maximumMs: 40, budgetMs: 600)

    func frame() throws -> [UInt8] {
        try DeviceFrame(kind: .alerta, deviceID: DeviceID(hex: String(repeating: "ab", count: 16))!, sequence: 42,
                        clientTimestampMs: 1, batteryPercent: nil, position: nil).encode(secret: key)
    }

    func run(_ script: @escaping @Sendable (Int) -> Script) throws -> (Result<(ServerReply, Int), any Error>, Int) {
        let server = ScriptedServer(key: key, script: script)
        let listener = try UDPListener(host: "127.0.0.1", port: 0, handler: server)
        listener.start()
        defer { listener.stop() }
        let client = AlertClient(host: "127.0.0.1", port: listener.address.port)
        let result = Result { try client.send(try frame(), key: key, policy: fast) }
        return (result, server.frames.load(ordering: .relaxed))
    }

    @Test func busyAnswersAreRetriedUntilTheAlertIsStored() throws {
        let (result, frames) = try run { $0 <= 3 ? ($0 % 2 == 0 ? .busySigned : .busyUnauthenticated) : .accept }
        let (reply, attempts) = try result.get()
        guard case .acknowledgement(let ack) = reply else { Issue.record("not an acknowledgement"); return }
        #expect(ack.status == .aceptada && ack.incidentID == 7)
        #expect(attempts == 4 && frames == 4)
    }

    @Test func aServerThatStaysBusyIsReportedAsBusyNotAsAWrongSecret() throws {
        let (result, frames) = try run { _ in .busyUnauthenticated }
        #expect(frames > 1)
        let message = String(describing: try #require(result.failure))
        #expect(message.contains("ocupado-reintente"))
        #expect(!message.contains("secret"))
    }

    @Test func silenceIsReportedAsNoAnswerAfterTheBudget() throws {
        let (result, frames) = try run { _ in .silence }
        #expect(frames > 1)
        let message = String(describing: try #require(result.failure))
        #expect(message.contains("no answer"))
        #expect(!message.contains("secret"))
    }

    @Test func aShortRejectionIsShownOnlyOnceRepeated() throws {
        let (result, frames) = try run { $0 == 1 ? .unknownDevice : ($0 == 2 ? .busyUnauthenticated : .unknownDevice) }
        let (reply, attempts) = try result.get()
        guard case .shortRejection(let r) = reply else { Issue.record("not a short rejection"); return }
        #expect(r.reason == .desconocido)
        #expect(attempts == 4 && frames == 4, "three rejections, one busy answer between them")
    }

    @Test func onlyAWrongKeyAnswerBlamesTheSecret() throws {
        let (result, _) = try run { _ in .wrongKey }
        let message = String(describing: try #require(result.failure))
        #expect(message.contains("check the device's secret"))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
