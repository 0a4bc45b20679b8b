import Foundation
import Testing
import BotonCore
import BotonConsole
import BotonCrypto
import BotonEnrollment
import BotonRepository
import BotonStore
import BotonWire
@testable import BotonIngestion
@testable import BotonRuntime

/// Supervision of every sender, in process on an injected clock: frames go through the real ingestion writer (its
/// signs of life are written in the batch's transaction) to a real database, and the supervision pass
/// (``SenderSupervisor/markSilent(store:now:)``) runs at chosen instants. Nothing waits for time to pass.
@Suite struct SupervisionTests {
    typealias F = EnrollmentFixture

    /// The defaults: phones every 900 s, 300 s of grace.
    static let rule = SenderSupervision(intervalSeconds: Configuration.Supervision().phoneIntervalSeconds,
                                        graceSeconds: Configuration.Supervision().graceSeconds)

    /// The pass alone (its thread is not started: the tests call it at chosen instants).
    static func supervisor(_ f: F) -> SenderSupervisor {
        SenderSupervisor(store: f.database.provider(), configuration: Configuration.Supervision(), logger: F.quiet)
    }

    @Test func aPhoneThatSentALatidoIsListedSilentPastItsIntervalAndGraceAndItsNextFrameClearsIt() throws {
        let f = try F()
        let a = F.places.a
        let phone = try f.device(at: a)
        let other = try f.device(phone: "098 765 4321", at: a)
        let t0 = f.now()
        // A latido puts the phone under supervision; an alert alone does not (the app may not schedule latidos).
        #expect(try f.ingest(F.frame(phone, .latido, sequence: 1, at: t0), at: t0).summary.hasPrefix("aceptada"))
        try f.alert(from: other, sequence: 1, at: t0)
        let row = try #require(try f.store.supervisedSender(kind: .telefono, sender: phone.id))
        #expect(row.upcCode == a.upc && row.label == phone.line && row.silentSince == nil)
        #expect(row.silentAt == Self.rule.silentAt(lastSeen: t0))
        #expect(try f.store.supervisedSender(kind: .telefono, sender: other.id) == nil)

        // Up to its deadline it is not silent; past it, the pass marks it, once.
        let supervisor = Self.supervisor(f)
        let deadline = Self.rule.silentAt(lastSeen: t0)
        #expect(try supervisor.markSilent(store: f.store, now: deadline).isEmpty)
        let marked = try supervisor.markSilent(store: f.store, now: deadline.adding(seconds: 1))
        #expect(marked.map(\.sender) == [phone.id])
        #expect(try supervisor.markSilent(store: f.store, now: deadline.adding(seconds: 60)).isEmpty)
        let listed = try f.store.silentSenders(upcs: [a.upc], limit: 10)
        #expect(listed.map(\.sender) == [phone.id])
        #expect(listed.first?.silentSince == deadline && listed.first?.lastSeenAt == t0)
        // Its last position: the registered address (the latido carried none).
        #expect(listed.first?.latitude == a.latitude && listed.first?.longitude == a.longitude)
        #expect(try f.store.silentSenders(upcs: [F.places.c.upc], limit: 10).isEmpty)
        #expect(try f.store.silentSenderCounts() == [.telefono: 1, .sitio: 0, .gateway: 0])

        // A restart: a new connection and a new pass know who is silent (the mark is a row).
        let restarted = try f.database.openStore()
        #expect(try restarted.silentSenders(upcs: nil, limit: 10).map(\.sender) == [phone.id])
        #expect(try Self.supervisor(f).markSilent(store: restarted, now: deadline.adding(seconds: 120)).isEmpty)

        // Its next frame (any kind) clears it, in the writer's batch.
        let t1 = deadline.adding(seconds: 600)
        try f.alert(from: phone, sequence: 2, at: t1)
        #expect(try restarted.silentSenders(upcs: nil, limit: 10).isEmpty)
        #expect(try f.store.silentSenderCounts()[.telefono] == 0)
        #expect(try f.store.supervisedSender(kind: .telefono, sender: phone.id)?.silentAt
                    == Self.rule.silentAt(lastSeen: t1))
    }

    @Test func aSiteIsSupervisedFromItsPollsAtItsOwnIntervalAndADisabledOneIsDropped() throws {
        let f = try F()
        let a = F.places.a
        let t0 = f.now()
        for (account, interval) in [("1A2B", 60 as Int?), ("3C4D", nil)] {
            try f.store.inTransaction { () throws(StoreError) in
                try f.store.addSite(SiteRecord(account: account, key: nil, name: "Farmacia \(account)",
                                               address: "Av. Amazonas", latitude: a.latitude, longitude: a.longitude,
                                               contactE164: "+593987654321", createdAt: t0,
                                               supervisionSeconds: interval), subcircuit: nil)
            }
        }
        // A NULL poll from each: only the site registered with an interval is supervised.
        for account in ["1A2B", "3C4D"] {
            #expect(try Self.poll(f, account: account, at: t0) == .polled)
        }
        let row = try #require(try f.store.supervisedSender(kind: .sitio, sender: "1A2B"))
        #expect(row.upcCode == a.upc && row.label == "Farmacia 1A2B" && row.intervalSeconds == 60)
        #expect(try f.store.supervisedSender(kind: .sitio, sender: "3C4D") == nil)
        #expect(try f.count("incident") == 0)

        // Polls keep it heard; their absence past 60 s plus the grace makes it silent.
        let site = SenderSupervision(intervalSeconds: 60, graceSeconds: Configuration.Supervision().graceSeconds)
        let t1 = site.silentAt(lastSeen: t0)  // a poll exactly at the deadline
        _ = try Self.poll(f, account: "1A2B", at: t1)
        let supervisor = Self.supervisor(f)
        #expect(try supervisor.markSilent(store: f.store, now: t1.adding(seconds: 1)).isEmpty)
        let silentAt = site.silentAt(lastSeen: t1)
        #expect(try supervisor.markSilent(store: f.store, now: silentAt.adding(seconds: 1)).map(\.sender) == ["1A2B"])
        #expect(try f.store.silentSenders(upcs: [a.upc], limit: 10).first?.label == "Farmacia 1A2B")
        // An event (not only a poll) clears it.
        _ = try Self.event(f, account: "1A2B", at: silentAt.adding(seconds: 30))
        #expect(try f.store.silentSenders(upcs: nil, limit: 10).isEmpty)

        // Disabled: its row goes (and a pass that finds a row of a disabled site drops it too).
        _ = try f.store.inTransaction { () throws(StoreError) in
            try f.store.disableSite(account: "1A2B", at: silentAt.adding(seconds: 60))
        }
        #expect(try f.store.supervisedSender(kind: .sitio, sender: "1A2B") == nil)
    }

    /// A panel's alarm on a line that false alarms suspended is flagged like a phone's (read in the alert's own
    /// INSERT); a second alarm joins it and says so too.
    @Test func aSitesAlarmOnASuspendedLineIsFlagged() throws {
        let f = try F()
        let a = F.places.a
        let t0 = f.now()
        try f.store.inTransaction { () throws(StoreError) in
            try f.store.addSite(SiteRecord(account: "5E6F", key: nil, name: "Bodega 5E6F", address: "Av. 10 de Agosto",
                                           latitude: a.latitude, longitude: a.longitude, contactE164: "+593987654321",
                                           createdAt: t0, supervisionSeconds: nil), subcircuit: nil)
        }
        let line = try #require(try f.store.site(account: "5E6F")).lineE164
        try f.store.inTransaction { () throws(StoreError) in try f.store.suspendLine(line, at: t0) }
        let alarm = { (sequence: Int, at: Timestamp) in
            SiteEvent(account: "5E6F", sequence: sequence, fingerprint: [UInt8](repeating: UInt8(sequence), count: 16),
                      eventClass: .alerta, code: "SIA PA", meaning: "Pánico", position: nil)
        }
        let first = try Self.site(f, alarm(1, t0), at: t0.adding(seconds: 1))
        guard case .stored(let incident?, _) = first else { throw FixtureError("not stored: \(first)") }
        #expect(try f.store.incident(id: incident)?.lineSuspended == true)
        let second = try Self.site(f, alarm(2, t0), at: t0.adding(seconds: 2))
        #expect(second == .stored(incident: incident, upc: a.upc))
        #expect(try f.count("incident") == 1)
    }

    @Test func aGatewaysLinkIsAliveWhileItSignsFramesAndListedOnTheCentralWhenSilent() throws {
        let f = try F()
        let t0 = f.now()
        let (id, secretHex) = try Provisioning.addGateway(name: "CNT Quito", supervisionSeconds: 120, store: f.store,
                                                          at: t0)
        // A frame for a line we do not know: refused, but signed with the gateway's key, so its link is alive.
        let frame = GatewayFrame(gatewayID: GatewayID(hex: id)!, sequence: 1, clientTimestampMs: t0.millisecondsSince1970,
                                 isTest: true, line: try CallingLine(e164: "+59322000000"))
        let answer = try f.ingest(frame.encode(secret: Hex.decode(secretHex)!), at: t0)
        #expect(answer.summary.hasPrefix("rechazada"), "\(answer.summary)")
        let row = try #require(try f.store.supervisedSender(kind: .gateway, sender: id))
        #expect(row.upcCode == Configuration.Territory().centralCode && row.label == "CNT Quito")
        // The same frame again once out of the replay window (a copy anyone could send) moves nothing.
        let replayAt = t0.adding(seconds: Int64(Configuration.Ingest().replayWindowSeconds) + 1)
        _ = try f.ingest(frame.encode(secret: Hex.decode(secretHex)!), at: replayAt)
        #expect(try f.store.supervisedSender(kind: .gateway, sender: id)?.lastSeenAt == t0)
        let rule = SenderSupervision(intervalSeconds: 120, graceSeconds: Configuration.Supervision().graceSeconds)
        let marked = try Self.supervisor(f).markSilent(store: f.store, now: rule.silentAt(lastSeen: t0).adding(seconds: 1))
        #expect(marked.map(\.kind) == [.gateway])
        #expect(try f.store.silentSenderCounts()[.gateway] == 1)
    }

    @Test func aRevokedPhoneFoundSilentIsNoLongerSupervised() throws {
        let f = try F()
        let phone = try f.device(at: F.places.a)
        let t0 = f.now()
        _ = try f.ingest(F.frame(phone, .latido, sequence: 1, at: t0), at: t0)
        let line = try #require(try f.store.deviceCredential(id: phone.id)).line.e164
        _ = try f.store.inTransaction { () throws(StoreError) in try f.store.revokeDevices(line: line, at: t0) }
        let marked = try Self.supervisor(f).markSilent(store: f.store,
                                                      now: Self.rule.silentAt(lastSeen: t0).adding(seconds: 1))
        #expect(marked.isEmpty)
        #expect(try f.store.supervisedSender(kind: .telefono, sender: phone.id) == nil)
    }

    /// A singleton job: on a follower the running pass marks nothing (it only reads the counts), on the leader it does.
    @Test func onlyTheLeadersPassMarksSilentSendersAndEveryNodeReadsTheCounts() throws {
        let f = try F()
        let phone = try f.device(at: F.places.a)
        let t0 = f.now()
        _ = try f.ingest(F.frame(phone, .latido, sequence: 1, at: t0), at: t0)
        let later = Self.rule.silentAt(lastSeen: t0).adding(seconds: 1)
        for leader in [false, true] {
            let supervisor = SenderSupervisor(store: f.database.provider(), configuration: Configuration.Supervision(),
                                              logger: F.quiet, isLeader: { leader }, clock: { later })
            #expect(supervisor.silentCounts == nil)
            try supervisor.turn(store: f.store)  // what its thread does every supervision.check_ms
            #expect(supervisor.silentCounts?[.telefono] == (leader ? 1 : 0), "leader \(leader)")
        }
    }

    // MARK: Sites through the writer

    static func poll(_ f: F, account: String, at: Timestamp) throws -> SiteOutcome {
        try site(f, SiteEvent(account: account, sequence: 1, fingerprint: [], eventClass: .sondeo, code: "NULL",
                              meaning: "Sondeo", position: nil), at: at)
    }

    static func event(_ f: F, account: String, at: Timestamp) throws -> SiteOutcome {
        try site(f, SiteEvent(account: account, sequence: Int(at.millisecondsSince1970 % 9999),
                              fingerprint: [UInt8](repeating: 7, count: 16), eventClass: .otro, code: "SIA BA",
                              meaning: "Alarma de robo", position: nil), at: at)
    }

    static func site(_ f: F, _ event: SiteEvent, at: Timestamp) throws -> SiteOutcome {
        let writer = f.writer
        let request = IngestRequest(site: SiteRequest(event: event, reply: { _ in }), receivedAt: at, source: nil)
        var notices: [IncidentNotice] = []
        writer.discardSightings()
        let answer = try writer.store.inTransaction { () throws(StoreError) -> Answer in
            let answer = try writer.process(request, now: at, notices: &notices)
            try writer.flushSightings()
            return answer
        }
        guard case .site(let outcome, _) = answer else { throw FixtureError("not a site's answer") }
        return outcome
    }
}
