import Foundation
import Testing
import BotonCore
import BotonRepository
import BotonStore
import BotonWire
@testable import BotonIngestion
@testable import BotonRuntime

/// Issue 15, items 11 and 12, through the ingestion writer on a real store: a silent press makes the alert silent
/// and the battery is kept; a phone's `posicion` and `latido` frames that ask for it are answered with the alert's
/// state as the UPC moves it (recibida → notificada → tomada → despachada with the unit → cerrada), while frames
/// that do not ask get the plain acknowledgement, as old apps expect.
@Suite struct AlertFeedbackTests {
    typealias F = EnrollmentFixture
    typealias P = IngestionPipelineTests

    static func frame(_ device: F.Device, _ kind: FrameKind, sequence: UInt64, battery: UInt8? = nil,
                      position: FramePosition? = nil, silent: Bool = false, asks: Bool = false) throws -> [UInt8] {
        try DeviceFrame(kind: kind, deviceID: DeviceID(hex: device.id)!, sequence: sequence,
                        clientTimestampMs: SystemClock.now().millisecondsSince1970, batteryPercent: battery,
                        position: position, isSilent: silent, wantsAlertStatus: asks).encode(secret: device.secret)
    }

    static func ack(_ pipeline: IngestionPipeline, _ device: F.Device, _ bytes: [UInt8]) throws -> (Acknowledgement, [UInt8]) {
        let reply = P.Reply()
        guard case .queued = P.submit(pipeline, bytes, reply) else { throw FixtureError("the frame was not queued") }
        let raw = try reply.wait()
        return (try P.acknowledgement(try ServerReply.decode(raw, key: device.secret)), raw)
    }

    @Test func aPhoneThatAsksIsToldWhereItsAlertStands() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let device = try f.device(at: a)
        let pipeline = try P.pipeline(f)
        let notices = Recorder<IncidentNotice>()
        pipeline.subscribe { notices.append($0) }
        pipeline.start()
        defer { pipeline.drain() }
        let here = try FramePosition(latitude: a.latitude, longitude: a.longitude, accuracyMeters: 20, fixAgeSeconds: 1)

        // Before any alert: a keep-alive that asks is told there is none.
        let (idle, _) = try Self.ack(pipeline, device, try Self.frame(device, .latido, sequence: 1, asks: true))
        #expect(idle.status == .aceptada && idle.alertStatus == AlertStatus(stage: .ninguna) && idle.incidentID == 0)

        let (alert, _) = try Self.ack(pipeline, device, try Self.frame(device, .alerta, sequence: 2, battery: 70,
                                                                        position: here, silent: true))
        let id = Int64(alert.incidentID)
        #expect(alert.status == .aceptada && alert.alertStatus == nil && alert.upcCode?.text == a.upc)
        var stored = try #require(try f.store.incident(id: id))
        #expect(stored.isSilent && stored.batteryPercent == 70)

        var sequence: UInt64 = 3
        func position(asks: Bool = true, battery: UInt8 = 60) throws -> (Acknowledgement, [UInt8]) {
            defer { sequence += 1 }
            return try Self.ack(pipeline, device, try Self.frame(device, .posicion, sequence: sequence, battery: battery,
                                                                  position: here, asks: asks))
        }
        func heartbeat(asks: Bool = true) throws -> (Acknowledgement, [UInt8]) {
            defer { sequence += 1 }
            return try Self.ack(pipeline, device, try Self.frame(device, .latido, sequence: sequence, asks: asks))
        }
        #expect(try position().0.alertStatus == AlertStatus(stage: .recibida))
        pipeline.markShown([id])
        #expect(notices.wait { $0.contains { $0.change == .notificada } }, "\(notices.all)")
        #expect(try heartbeat().0.alertStatus == AlertStatus(stage: .notificada))
        _ = try f.desk().take(id, by: officer, at: SystemClock.now())
        let taken = try position(battery: 55).0
        #expect(taken.alertStatus == AlertStatus(stage: .tomada) && taken.incidentID == UInt64(id))
        _ = try f.desk().dispatch(id, unit: "Moto 7", by: officer, at: SystemClock.now())
        let (dispatched, raw) = try heartbeat()
        #expect(dispatched.alertStatus == AlertStatus(stage: .despachada, unit: "Moto 7"), "\(dispatched)")
        #expect(raw[3] == WireFrame.statusAcknowledgementKind && raw.count == Acknowledgement.length)
        #expect(dispatched.alertStatus?.mensaje == "Una unidad va en camino: Moto 7.")

        // An old app (no request): the plain acknowledgement, kind 0x80, reserved bytes zero, the UPC as before.
        let (plain, plainRaw) = try position(asks: false)
        #expect(plain.alertStatus == nil && plain.upcCode?.text == a.upc && plain.incidentID == UInt64(id))
        #expect(plainRaw[3] == WireFrame.acknowledgementKind && plainRaw[6] == 0 && plainRaw[7] == 0)
        let (oldBeat, oldBeatRaw) = try heartbeat(asks: false)
        #expect(oldBeat.alertStatus == nil && oldBeat.incidentID == 0 && oldBeatRaw[3] == WireFrame.acknowledgementKind)

        // A retransmission that asks gets the state as it is now.
        let again = try Self.frame(device, .latido, sequence: 999, asks: true)
        #expect(try Self.ack(pipeline, device, again).0.status == .aceptada)
        _ = try f.desk().close(id, outcome: .atendida, note: nil, by: officer, at: SystemClock.now())
        let repeated = try Self.ack(pipeline, device, again).0
        #expect(repeated.status == .duplicada && repeated.alertStatus == AlertStatus(stage: .cerrada))

        stored = try #require(try f.store.incident(id: id))
        #expect(stored.batteryPercent == 60 && stored.isSilent)
        #expect(try f.store.incidentPositions(incident: id).map(\.batteryPercent) == [70, 60, 55, 60])
    }

    @Test func aLaterSilentPressMakesTheOpenAlertSilentAndNeverTheOtherWay() throws {
        let f = try F()
        let device = try f.device(at: F.places.a)
        let pipeline = try P.pipeline(f)
        pipeline.start()
        defer { pipeline.drain() }
        let first = try Self.ack(pipeline, device, try Self.frame(device, .alerta, sequence: 1)).0
        let id = Int64(first.incidentID)
        #expect(try f.store.incident(id: id)?.isSilent == false)
        let second = try Self.ack(pipeline, device, try Self.frame(device, .alerta, sequence: 2, silent: true)).0
        #expect(second.incidentID == first.incidentID)
        #expect(try f.store.incident(id: id)?.isSilent == true)
        _ = try Self.ack(pipeline, device, try Self.frame(device, .alerta, sequence: 3))
        #expect(try f.store.incident(id: id)?.isSilent == true)
    }
}
