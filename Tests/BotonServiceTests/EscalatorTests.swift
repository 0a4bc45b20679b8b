import Foundation
import Synchronization
import Testing
import BotonCore
import BotonRepository
import BotonStore
@testable import BotonConsole
@testable import BotonIngestion
@testable import BotonRuntime

/// Escalation of alerts nobody takes, one pass at a time on the test's connection and instants (the thread runs the
/// same pass on its own connection and clock): level *n* falls due *n* × `sla_s` after the alert arrived, while it
/// waits and is real; level 3 queues the central's notification only when a central is configured.
@Suite struct EscalatorTests {
    typealias F = EnrollmentFixture
    static let sla: Int64 = 60_000

    /// An escalator over the fixture's file (its thread is never started) and a connection for its passes.
    static func escalator(_ f: F, central: String = "") throws -> (Escalator, any StoreConnection) {
        var console = Configuration.Console()
        console.slaSeconds = Int(sla / 1000)
        console.centralURL = central
        let provider = f.provider
        let feed = ConsoleFeed(store: provider, jurisdictions: F.jurisdictions, configuration: console,
                               logger: F.quiet, markShown: { _ in })
        let escalator = Escalator(store: provider, jurisdictions: F.jurisdictions, configuration: console, feed: feed,
                                  logger: F.quiet, clock: { Timestamp(millisecondsSince1970: 0) })
        return (escalator, try provider.open(.background))
    }

    /// Alerts due at once are escalated in bounded passes, and a pass gives way to intake after the alert in hand.
    @Test func aStormOfDueAlertsIsEscalatedInBoundedPassesThatGiveWayToIntake() throws {
        let f = try F()
        let a = F.places.a
        let opened = f.now()
        var ids: [Int64] = []
        for i in 0 ..< Escalator.passLimit + 10 {
            // One line each: alerts of one line would join one incident.
            let phone = "099\(String(10_000_000 + i).dropFirst())"
            ids.append(try f.alert(from: try f.device(phone: phone, at: a), sequence: UInt64(i + 1), at: opened))
        }
        let busy = Mutex(true)
        var console = Configuration.Console()
        console.slaSeconds = Int(Self.sla / 1000)
        let feed = ConsoleFeed(store: f.provider, jurisdictions: F.jurisdictions, configuration: console,
                               logger: F.quiet, markShown: { _ in })
        let escalator = Escalator(store: f.provider, jurisdictions: F.jurisdictions, configuration: console,
                                  feed: feed, logger: F.quiet, intakeBusy: { busy.withLock { $0 } })
        let connection = try f.provider.open(.background)
        let now = opened.adding(milliseconds: Self.sla)
        func escalated() throws -> Int { try ids.filter { try f.store.incident(id: $0)?.escalationLevel == 1 }.count }

        // Intake has frames waiting: one alert, then the pass gives way.
        let first = try escalator.escalatePass(store: connection, now: now)
        #expect(first.changed && !first.complete)
        #expect(try escalated() == 1)
        // Intake idle: a pass takes at most passLimit, the longest waiting first, then says more are due.
        busy.withLock { $0 = false }
        let second = try escalator.escalatePass(store: connection, now: now)
        #expect(second.changed && !second.complete)
        #expect(try escalated() == 1 + Escalator.passLimit)
        let third = try escalator.escalatePass(store: connection, now: now)
        #expect(third.changed && third.complete)
        #expect(try escalated() == ids.count)
    }

    static func escalations(_ f: F, _ id: Int64) throws -> [String] {
        try f.store.incidentEvents(incident: id).filter { $0.kind == "escalada" }.map { "\($0.detail ?? "?") \($0.actor)" }
    }

    @Test func anAlertNobodyTakesClimbsOneLevelPerSLAUpToThree() throws {
        let f = try F()
        let a = F.places.a
        let (escalator, connection) = try Self.escalator(f)
        let opened = f.now()
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: opened)
        func pass(after ms: Int64) throws -> Bool { try escalator.escalateDue(store: connection, now: opened.adding(milliseconds: ms)) }

        // Before the SLA: nothing is written.
        let before = try f.incidentHistory(id)
        #expect(try !pass(after: Self.sla - 1))
        #expect(try f.incidentHistory(id) == before)
        #expect(try f.store.incident(id: id)?.escalationLevel == 0)

        #expect(try pass(after: Self.sla))
        #expect(try f.store.incident(id: id)?.escalationLevel == 1)
        #expect(try !pass(after: 2 * Self.sla - 1))  // level 2 is not due yet
        #expect(try pass(after: 2 * Self.sla))
        #expect(try f.store.incident(id: id)?.escalationLevel == 2)
        #expect(try pass(after: 3 * Self.sla))
        #expect(try f.store.incident(id: id)?.escalationLevel == 3)
        #expect(try !pass(after: 10 * Self.sla))  // three is the last level

        #expect(try Self.escalations(f, id) == ["1 sistema", "2 sistema", "3 sistema"])
        let notes = try f.store.incidentEvents(incident: id).filter { $0.kind == "escalada" }.compactMap(\.note)
        #expect(notes.count == 3)
        #expect(notes[0].hasPrefix("Sin tomar en 60 s"))
        #expect(notes[1] == "Sin tomar en 120 s: alerta a los supervisores del distrito \(a.district).")
        #expect(notes[2] == "Sin tomar en 180 s: no hay central configurada (console.central_url): no se envió a "
                + "ninguna central.")
        // Still waiting: escalation is not a state.
        #expect(try f.store.incident(id: id)?.state == .recibida)
        // No central configured: nothing for it in the outbox, and the alert says so (issue 15, bug 3).
        #expect(try f.count("central_delivery") == 0)
        #expect(try f.store.incident(id: id)?.central == .sinCentral)
        #expect(try f.store.centralOutbox() == CentralOutbox(pending: 0, failing: 0))
    }

    @Test func levelThreeQueuesTheCentralsNotificationWhenOneIsConfigured() throws {
        let f = try F()
        let a = F.places.a
        // The pass never posts (that is the outbox's half of the thread): the address is never dialled.
        let (escalator, connection) = try Self.escalator(f, central: "http://127.0.0.1:9/central")
        let opened = f.now()
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: opened)
        // A pass long after the alert arrived still records one level at a time.
        let late = opened.adding(milliseconds: 3 * Self.sla)
        #expect(try escalator.escalateDue(store: connection, now: late))
        #expect(try f.store.incident(id: id)?.escalationLevel == 1)
        #expect(try f.store.incident(id: id)?.central == nil)  // nothing to say below level 3
        #expect(try f.count("central_delivery") == 0)
        #expect(try escalator.escalateDue(store: connection, now: late))
        #expect(try f.count("central_delivery") == 0)
        #expect(try escalator.escalateDue(store: connection, now: late))
        #expect(try f.store.incident(id: id)?.escalationLevel == 3)

        let due = try f.store.dueCentralDeliveries(now: late, limit: 10)
        #expect(due.map(\.incidentID) == [id])
        let payload = try JSONSerialization.jsonObject(with: Data((due.first?.payload ?? "").utf8)) as? [String: Any]
        #expect((payload?["alerta"] as? NSNumber)?.int64Value == id)
        #expect(payload?["nivel"] as? Int == 3 && payload?["upc"] as? String == a.upc)
        #expect(payload?["distrito"] as? String == a.district)
        #expect(payload?["silenciosa"] as? Bool == false)  // the central is told not to call a silent alert
        #expect(try f.store.incidentEvents(incident: id).last?.note == "Sin tomar en 180 s: se notifica a la central.")
        // What the consoles show (issue 15, bug 3): pendiente, then fallando after a failed try, then entregada.
        #expect(try f.store.incident(id: id)?.central == .pendiente)
        #expect(try f.store.centralOutbox() == CentralOutbox(pending: 1, failing: 0))
        let delivery = try #require(due.first)
        try f.store.markCentralFailed(id: delivery.id, attempts: 1, next: late, error: "HTTP 503")
        #expect(try f.store.incident(id: id)?.central == .fallando)
        #expect(try f.store.centralOutbox() == CentralOutbox(pending: 1, failing: 1))
        try f.store.markCentralDelivered(id: delivery.id, attempts: 2, at: late)
        #expect(try f.store.incident(id: id)?.central == .entregada)
        #expect(try f.store.centralOutbox() == CentralOutbox(pending: 0, failing: 0))
    }

    @Test func aTakenAlertAndATestAlertNeverEscalate() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let (escalator, connection) = try Self.escalator(f, central: "http://127.0.0.1:9/central")
        let device = try f.device(at: a)
        let opened = f.now()
        let taken = try f.alert(from: device, sequence: 1, at: opened)
        _ = try f.desk().take(taken, by: officer, at: opened.adding(milliseconds: Self.sla - 1))
        let test = try f.alert(from: device, .prueba, sequence: 2, at: opened)
        let histories = try [taken, test].map { try f.incidentHistory($0) }

        for level in 1...4 {
            #expect(try !escalator.escalateDue(store: connection, now: opened.adding(milliseconds: Int64(level) * Self.sla)))
        }
        #expect(try [taken, test].map { try f.incidentHistory($0) } == histories)
        #expect(try [taken, test].map { try f.store.incident(id: $0)?.escalationLevel } == [0, 0])
        #expect(try f.count("central_delivery") == 0)
    }

    @Test func aNotificadaAlertEscalatesLikeARecibidaOne() throws {
        let f = try F()
        let a = F.places.a
        let (escalator, connection) = try Self.escalator(f)
        let opened = f.now()
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: opened)
        // Shown on a console of its UPC (what the feed hands the writer).
        var notices: [IncidentNotice] = []
        try f.writer.store.inTransaction { () throws(StoreError) in
            try f.writer.markShown([id], now: opened, notices: &notices)
        }
        #expect(try f.store.incident(id: id)?.state == .notificada)
        #expect(try escalator.escalateDue(store: connection, now: opened.adding(milliseconds: Self.sla)))
        #expect(try f.store.incident(id: id)?.escalationLevel == 1)
        #expect(try f.store.incident(id: id)?.state == .notificada)
    }
}
