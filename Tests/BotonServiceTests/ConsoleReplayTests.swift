import Foundation
import Synchronization
import Testing
import BotonCore
import BotonRepository
import BotonStore
@testable import BotonConsole
@testable import BotonRuntime

/// Issue 13, finding 8: a console's replay is read by pages of its own scope, off the live feed's thread, and joins
/// the live events without a gap or a repeat.
@Suite struct ConsoleReplayTests {
    typealias F = EnrollmentFixture
    typealias Harness = ConsoleFeedTests.Harness

    /// Appends `count` notes to each alert, interleaved, in one transaction; returns the new events' ids by alert.
    static func notes(_ f: F, _ alerts: [Int64], count: Int, at: Timestamp) throws -> [Int64: [Int64]] {
        try f.store.sql.inTransaction { () throws(StoreError) -> [Int64: [Int64]] in
            var ids: [Int64: [Int64]] = [:]
            for n in 0..<count {
                for alert in alerts {
                    ids[alert, default: []].append(try f.store.appendIncidentEvent(
                        IncidentEventRecord(incidentID: alert, kind: "nota", actor: "operador:1", at: at,
                                            detail: "nota \(n)")))
                }
            }
            return ids
        }
    }

    @Test func aReplayReadsOnlyItsScopeByPagesInOrderAndJoinsTheEventsCommittedMeanwhileOnce() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b, c = F.places.c
        let quito = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        let x = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let y = try f.alert(from: try f.device(phone: "099 765 4321", at: b), sequence: 1, at: f.now())
        let z = try f.alert(from: try f.device(phone: "099 222 3333", at: c), sequence: 1, at: f.now())
        let lastSeen = try f.store.latestIncidentEventID()
        // 700 events of each alert, interleaved: several pages of each slice.
        let before = try Self.notes(f, [x, y, z], count: 700, at: f.now())
        h.step()  // no console yet: the cursor moves past everything
        let cursor = h.state.cursor

        // While the replay reads its pages, more events are committed and the feed delivers them (held for the
        // console that is replaying).
        // (The hook runs on this test's thread, inside runWaitingReplays: the box only carries it across the
        // hook's Sendable signature.)
        let pages = Recorder<Int>()
        let during = Mutex<[Int64: [Int64]]>([:])
        let box = TestThreadBox((f, h))
        h.feed.beforeReplayPage.withLock { hook in
            hook = {
                pages.append(1)
                guard pages.all.count == 3 else { return }
                let (f, h) = box.value
                let ids = try! Self.notes(f, [x, y, z], count: 5, at: f.now())
                during.withLock { $0 = ids }
                h.step()
            }
        }
        // The hook holds the harness, whose feed holds the hook: let go of it, or the fixture (and its temporary
        // directory) would outlive the test.
        defer { h.feed.beforeReplayPage.withLock { $0 = nil } }
        let replayer = try f.provider.open(.background)
        let stream = h.connect(quito, lastEventID: lastSeen, replay: false)
        #expect(stream.received.isEmpty)  // nothing on the feed's thread
        #expect(h.feed.runWaitingReplays(store: replayer) == 1)
        #expect(pages.all.count > 3)

        let frames = stream.take()
        let sync = try #require(frames.firstIndex { $0.event == "sincronizado" })
        // Up to the cursor: exactly the UPC's events after Last-Event-ID, in order (not the other UPC's, whose
        // alert is not escalated, nor the other distrito's).
        #expect(frames[..<sync].compactMap(\.id) == before[x]!)
        #expect(frames[..<sync].allSatisfy { $0.alertID == x })
        #expect(frames[sync].id == cursor && frames[sync].data == "{\"reenviados\":700}")
        // Then the events committed during the replay, each once, and the console is live.
        let meanwhile = during.withLock { $0 }
        #expect(frames[(sync + 1)...].compactMap(\.id) == meanwhile[x]!)
        let live = try Self.notes(f, [x, y], count: 1, at: f.now())
        h.step()
        #expect(stream.take().compactMap(\.id) == live[x]!)
    }

    @Test func aSupervisorsReplayMergesTheDistritosUPCsInIdOrder() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b, c = F.places.c
        let supervisor = try f.officer("sup", .supervisorDistrito, district: a.district)
        let h = try Harness(f)
        let x = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let y = try f.alert(from: try f.device(phone: "099 765 4321", at: b), sequence: 1, at: f.now())
        let z = try f.alert(from: try f.device(phone: "099 222 3333", at: c), sequence: 1, at: f.now())
        let lastSeen = try f.store.latestIncidentEventID()
        let ids = try Self.notes(f, [x, z, y], count: 450, at: f.now())
        h.step()

        let frames = h.connect(supervisor, lastEventID: lastSeen).take()
        #expect(frames.last?.event == "sincronizado" && frames.last?.data == "{\"reenviados\":900}")
        #expect(frames.dropLast().compactMap(\.id) == (ids[x]! + ids[y]!).sorted())
        #expect(Set(frames.dropLast().compactMap(\.alertID)) == [x, y])

        // Without Last-Event-ID: the newest event of each of the distrito's current alerts.
        let current = h.connect(supervisor).take()
        #expect(current.map(\.id) == [ids[x]!.last, ids[y]!.last, h.state.cursor])
    }

    @Test func theFeedDeliversLiveWhileAReplayIsInProgress() throws {
        let f = try F()
        let a = F.places.a, c = F.places.c
        let clock = ManualClock(f.now())
        var configuration = Configuration.Console()
        configuration.replayConcurrency = 1
        let feed = ConsoleFeed(store: f.provider, jurisdictions: F.jurisdictions, configuration: configuration,
                               logger: F.quiet, markShown: { _ in }, clock: clock.function)
        let x = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let lastSeen = try f.store.latestIncidentEventID()
        _ = try Self.notes(f, [x], count: 300, at: f.now())
        try feed.start()
        defer { feed.stop() }
        let token = Array(repeating: UInt8(7), count: 32), expires = clock.now.adding(seconds: 3_600)

        // Another distrito's console is live.
        let other = RecordingStream()
        feed.add(other, scope: ConsoleScope(try f.officer("otro", upc: c.upc)), tokenHash: token, expiresAt: expires,
                 lastEventID: nil)
        #expect(other.wait { $0.contains { $0.event == "sincronizado" } }, "\(other.received)")

        // A replay starts and stops at its first page until the test lets it go.
        let entered = Recorder<Bool>(), released = Recorder<Bool>()
        feed.beforeReplayPage.withLock { hook in
            hook = {
                entered.append(true)
                _ = released.wait { !$0.isEmpty }
            }
        }
        defer { released.append(true) }
        let replaying = RecordingStream()
        feed.add(replaying, scope: ConsoleScope(try f.officer("quito", upc: a.upc)), tokenHash: token,
                 expiresAt: expires, lastEventID: lastSeen)
        #expect(entered.wait { !$0.isEmpty })
        #expect(feed.replaysInProgress == 1)

        // While it waits, a new alert of the other console's UPC reaches it live; one of the replaying console's
        // UPC is held for it.
        let theirs = try f.alert(from: try f.device(phone: "099 222 3333", at: c), sequence: 1, at: f.now())
        let mine = try f.alert(from: try f.device(phone: "099 765 4321", at: a), sequence: 1, at: f.now())
        feed.changed()
        #expect(other.wait { $0.contains { $0.alertID == theirs } }, "\(other.received)")
        #expect(replaying.received.isEmpty)

        released.append(true)
        #expect(replaying.wait { $0.contains { $0.alertID == mine } }, "\(replaying.received.count)")
        let frames = replaying.received
        #expect(frames.filter { $0.event == "alerta" }.count == 301)
        #expect(frames.dropLast().last?.event == "sincronizado")
        #expect(frames.compactMap(\.id) == frames.compactMap(\.id).sorted())
        #expect(other.alerts.allSatisfy { $0.alertID == theirs })
    }

    @Test func pastTheBacklogNoMoreReplaysAreAcceptedUntilOneFinishes() throws {
        let f = try F()
        var configuration = Configuration.Console()
        configuration.replayBacklog = 2
        let feed = ConsoleFeed(store: f.provider, jurisdictions: F.jurisdictions, configuration: configuration,
                               logger: F.quiet, markShown: { _ in })
        let connection = try f.provider.open(.background)
        var state = ConsoleFeed.State(cursor: try connection.latestIncidentEventID())
        let scope = ConsoleScope(try f.officer("quito", upc: F.places.a.upc))
        for _ in 0..<2 {
            #expect(feed.acceptsReplay)
            feed.add(RecordingStream(), scope: scope, tokenHash: [1], expiresAt: f.now().adding(seconds: 3_600),
                     lastEventID: 0)
        }
        #expect(!feed.acceptsReplay && feed.replaysInProgress == 2)
        feed.step(&state, store: connection)
        #expect(!feed.acceptsReplay)  // taken in by the feed, waiting for a replay thread
        #expect(feed.runWaitingReplays(store: connection) == 2)
        #expect(feed.acceptsReplay && feed.replaysInProgress == 0)
    }
}

/// Carries values that stay on one thread across a `@Sendable` signature (a hook the test's own thread calls).
final class TestThreadBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
