import BotonCore
import Testing
@testable import BotonStore
import BotonRepository

/// Issue 15, bug 5: the load generator's lines and alerts are *simulacros*: stored apart from real ones (never
/// counted, never escalated), never taking a real citizen's line, and removed by the purge without touching
/// anything real. On both backends.
@Suite struct SimulationStoreTests {
    static let real = "+593991234567"
    static let simulated = "+593990000001"

    func line(_ e164: String, simulated: Bool) -> RegisteredLine {
        RegisteredLine(e164: e164, kind: "celular", homeSubcircuit: nil, homeLatitude: -0.2202,
                       homeLongitude: -78.5123, suspended: false, gatewayLinked: false, simulated: simulated)
    }

    func incident(_ e164: String, simulated: Bool, at ms: Int64) -> NewIncident {
        NewIncident(lineE164: e164, deviceID: nil, isTest: false, upcCode: "UPC-17D04C01S01",
                    subcircuitCode: "17D04C01S01", locationSource: "domicilio", lineSuspended: false,
                    openedAt: Timestamp(millisecondsSince1970: ms), author: "dispositivo:x", simulated: simulated)
    }

    @Test func simulacrosAreNeverCountedNorEscalatedAndThePurgeRemovesOnlyThem() throws {
        let dir = TemporaryDirectory()
        let store = try dir.migratedStore("s.sqlite")
        let at = Timestamp(millisecondsSince1970: 1_000)
        try store.provisionDevice(id: "aa", kind: "app", secret: [1], line: line(Self.real, simulated: false), at: at)
        // The load generator drew the real citizen's number: refused, the real line left as it was.
        let refused = try store.provisionDevices([("bb", "app", [2], line(Self.real, simulated: true)),
                                                  ("cc", "app", [3], line(Self.simulated, simulated: true))], at: at)
        #expect(refused == [Self.real])
        #expect(try store.registeredLine(e164: Self.real)?.simulated == false)
        #expect(try store.deviceCredential(id: "bb") == nil)
        #expect(try store.registeredLine(e164: Self.simulated)?.simulated == true)
        // And a real device is never issued on a simulated line (the line would stay simulated).
        #expect(throws: StoreError.self) {
            try store.provisionDevice(id: "dd", kind: "app", secret: [4], line: line(Self.simulated, simulated: false), at: at)
        }

        let realID = try store.createIncident(incident(Self.real, simulated: false, at: 10_000))
        let simID = try store.createIncident(incident(Self.simulated, simulated: true, at: 10_000))
        try store.addPosition(incident: simID, IncidentPosition(latitude: -0.2, longitude: -78.5, accuracyMeters: 10,
                                                                fixAgeSeconds: 1),
                              at: Timestamp(millisecondsSince1970: 10_001), author: "dispositivo:cc")
        try store.insertReceipt(sender: [0xCC], sequence: 1, kind: "alerta",
                                receipt: FrameReceipt(fingerprint: [1], status: "aceptada", incidentID: simID,
                                                      upcCode: "UPC-17D04C01S01"), at: Timestamp(millisecondsSince1970: 10_000))
        #expect(try store.incident(id: simID)?.simulated == true)
        #expect(try store.incident(id: simID)?.isTest == false)
        #expect(try store.incident(id: realID)?.simulated == false)
        // A later frame of the simulated line joins its simulacro (not a new alert each time).
        #expect(try store.openIncident(line: Self.simulated, isTest: false, since: at)?.id == simID)
        #expect(try store.openIncidentCount() == 1)

        // Escalation: only the real alert is ever due.
        let due = try store.incidentsDueForEscalation(now: Timestamp(millisecondsSince1970: 1_000_000), slaMs: 1_000,
                                                      maxLevel: 3, limit: 10)
        #expect(due.map(\.id) == [realID])

        // Closed as atendida, the simulacro counts nowhere.
        for id in [realID, simID] {
            var record = try #require(try store.incident(id: id))
            record.state = .cerrada
            record.outcome = .atendida
            record.closedAt = Timestamp(millisecondsSince1970: 20_000)
            try store.updateIncident(record)
        }
        let from = Timestamp(millisecondsSince1970: 0), to = Timestamp(millisecondsSince1970: 30_000)
        #expect(try store.countClosedIncidents(isTest: false, outcome: .atendida, from: from, to: to) == 1)
        #expect(try store.countClosedTests(from: from, to: to) == 0)
        var facts = 0
        try store.forEachClosedIncident(from: from, to: to) { _ in facts += 1 }
        #expect(facts == 1)

        // The simulacro holds the newest event of the feed: SQLite would hand its id out again, so it stays.
        #expect(try store.purgeSimulation(limit: 100) == SimulationPurge(alerts: 0, lines: 0, kept: 1, finished: true))
        #expect(try store.incident(id: simID) != nil)
        // Real events stay append-only; a newer event lets the simulacro go.
        #expect(throws: StoreError.self) {
            try store.sql.prepared("DELETE FROM incident_event WHERE incident_id = ?1").run([.integer(realID)])
        }
        try store.appendIncidentEvent(IncidentEventRecord(incidentID: realID, kind: "nota", actor: "operador:1",
                                                          at: Timestamp(millisecondsSince1970: 21_000), detail: "x"))

        // The purge: the simulacro with its events, position and receipt, then the line and its device.
        var step = try store.purgeSimulation(limit: 100)
        #expect(step == SimulationPurge(alerts: 1, lines: 0, kept: 0, finished: false))
        step = try store.purgeSimulation(limit: 100)
        #expect(step == SimulationPurge(alerts: 0, lines: 1, kept: 0, finished: true))
        #expect(try store.incident(id: simID) == nil)
        #expect(try store.receipt(sender: [0xCC], sequence: 1) == nil)
        #expect(try store.registeredLine(e164: Self.simulated) == nil)
        #expect(try store.deviceCredential(id: "cc") == nil)
        // Nothing real went.
        #expect(try store.incident(id: realID)?.outcome == .atendida)
        #expect(try store.incidentEvents(incident: realID).count == 2)
        #expect(try store.deviceCredential(id: "aa") != nil)
        #expect(try store.purgeSimulation(limit: 100) == SimulationPurge(alerts: 0, lines: 0, kept: 0, finished: true))
    }
}
