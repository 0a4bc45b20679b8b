import Foundation
import Testing
import BotonCore
import BotonHTTP
import BotonRepository
import BotonStore
@testable import BotonConsole
@testable import BotonRuntime
@testable import BotonWeb

/// The consoles' live feed over a real SQLite file, with consoles that record what they are sent. Most tests run
/// the feed's wake-ups themselves, one ``ConsoleFeed/step(_:store:)`` at a time on the test's connection and
/// clock; the last drives the feed's own thread and waits on what the stream receives.
@Suite struct ConsoleFeedTests {
    typealias F = EnrollmentFixture

    /// A feed that is never started: the test calls its wake-ups.
    final class Harness {
        let clock: ManualClock
        /// What the feed handed to `markShown`, call by call.
        let shown: Recorder<[Int64]>
        let feed: ConsoleFeed
        let connection: any StoreConnection
        var state: ConsoleFeed.State

        init(_ f: F) throws {
            let clock = ManualClock(f.now()), shown = Recorder<[Int64]>()
            self.clock = clock
            self.shown = shown
            feed = ConsoleFeed(store: f.provider, jurisdictions: F.jurisdictions,
                               configuration: Configuration.Console(), logger: F.quiet,
                               markShown: { ids in if !ids.isEmpty { shown.append(ids) } }, clock: clock.function)
            connection = try f.provider.open(.background)
            state = ConsoleFeed.State(cursor: try connection.latestIncidentEventID())
        }

        /// One wake-up of the feed.
        func step() { feed.step(&state, store: connection) }

        /// A console of `officer` connects (its session ends `lifetime` ms from now): the feed takes it in and its
        /// replay runs (here on the test's thread and connection; the service runs it on a replay thread).
        func connect(_ officer: OperatorIdentity, lastEventID: Int64? = nil, lifetime: Int64 = 3_600_000,
                     tokenHash: [UInt8] = Array(repeating: 7, count: 32), replay: Bool = true) -> RecordingStream {
            let stream = RecordingStream()
            feed.add(stream, scope: ConsoleScope(officer), tokenHash: tokenHash,
                     expiresAt: clock.now.adding(milliseconds: lifetime), lastEventID: lastEventID)
            step()
            if replay { feed.runWaitingReplays(store: connection) }
            return stream
        }
    }

    @Test func anOperatorsConsoleGetsItsUPCsNewAlertAndNotAnotherUPCs() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b
        let h = try Harness(f)
        let quito = h.connect(try f.officer("quito", upc: a.upc))
        let vecino = h.connect(try f.officer("vecino", upc: b.upc))
        #expect(quito.take().map(\.event) == ["sincronizado"] && vecino.take().map(\.event) == ["sincronizado"])

        let mine = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let theirs = try f.alert(from: try f.device(phone: "099 765 4321", at: b), sequence: 1, at: f.now())
        let events = try f.store.feed(after: h.state.cursor, limit: 10).map(\.event)
        h.step()

        let got = quito.take()
        #expect(got.map(\.alertID) == [mine])
        #expect(got.first?.event == "alerta" && got.first?.tipo == "nueva" && got.first?.propia == true)
        #expect(got.first?.id == events.first { $0.incidentID == mine }?.id)
        #expect(vecino.take().map(\.alertID) == [theirs])
        #expect(h.state.cursor == events.last?.id)
    }

    @Test func aConsoleThatReconnectsWithLastEventIDGetsWhatItMissedThenSincronizado() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        let x = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let lastSeen = try f.store.latestIncidentEventID()
        _ = try f.alert(from: try f.device(phone: "099 765 4321", at: b), sequence: 1, at: f.now())  // not in scope
        let y = try f.alert(from: try f.device(phone: "099 222 3333", at: F.places.a2), sequence: 1, at: f.now())
        _ = try f.desk().take(x, by: officer, at: f.now())
        h.step()  // no console yet: the cursor moves past everything
        let cursor = try f.store.latestIncidentEventID()
        #expect(h.state.cursor == cursor)

        let stream = h.connect(officer, lastEventID: lastSeen)
        let frames = stream.take()
        #expect(frames.map(\.event) == ["alerta", "alerta", "sincronizado"])
        #expect(frames.map(\.alertID) == [y, x, nil])
        #expect(frames.map(\.tipo) == ["nueva", "transicion", nil])
        #expect(frames.compactMap(\.id).allSatisfy { $0 > lastSeen })
        #expect(frames.last?.id == cursor && frames.last?.data == "{\"reenviados\":2}")

        // Then the live events, each once.
        _ = try f.desk().dispatch(x, unit: "P-12", by: officer, at: f.now())
        h.step()
        let live = stream.take()
        #expect(live.map(\.alertID) == [x] && live.first?.estado == "despachada")
        #expect((live.first?.id ?? 0) > cursor)
    }

    @Test func aConsoleWithoutLastEventIDGetsTheCurrentAlertsThenSincronizado() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        let x = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let y = try f.alert(from: try f.device(phone: "099 222 3333", at: F.places.a2), sequence: 1, at: f.now())
        _ = try f.alert(from: try f.device(phone: "099 765 4321", at: b), sequence: 1, at: f.now())  // not in scope
        _ = try f.desk().take(x, by: officer, at: f.now())
        h.step()
        let cursor = h.state.cursor

        // The newest event of each of its alerts, oldest first.
        for lastEventID in [nil, cursor + 1_000] as [Int64?] {  // an id from beyond the cursor is no resume point
            let frames = h.connect(officer, lastEventID: lastEventID).take()
            #expect(frames.map(\.alertID) == [y, x, nil])
            #expect(frames.map(\.estado) == ["recibida", "tomada", nil])
            #expect(frames.last?.event == "sincronizado" && frames.last?.id == cursor)
            #expect(frames.last?.data == "{\"reenviados\":2}")
        }
    }

    @Test func theFeedHandsNewAlertsThatReachedAConsoleOfTheirOwnUPCToMarkShown() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        // A supervisor's console sees the distrito's alerts, but is not the UPC's.
        let supervisor = h.connect(try f.officer("sup", .supervisorDistrito, district: a.district))
        let unseen = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        h.step()
        #expect(supervisor.alerts.map(\.alertID) == [unseen] && supervisor.alerts.first?.propia == nil)
        #expect(h.shown.all.isEmpty)

        let console = h.connect(officer)
        #expect(console.take().map(\.alertID) == [unseen, nil])  // the current alerts, then sincronizado
        // Issue 15, bug 2: an alert that came while no console of its UPC was open is shown by the snapshot too.
        #expect(h.shown.all == [[unseen]])
        let shown = try f.alert(from: try f.device(phone: "099 222 3333", at: F.places.a2), sequence: 1, at: f.now())
        h.step()
        #expect(console.alerts.map(\.alertID) == [shown])
        #expect(h.shown.all == [[unseen], [shown]])

        // Once it is no longer recibida, nothing more is handed over: taking it is shown, but not handed over.
        _ = try f.desk().take(shown, by: officer, at: f.now())
        h.step()
        #expect(console.alerts.map(\.alertID) == [shown, shown])
        #expect(h.shown.all == [[unseen], [shown]])

        // A console that reconnects with its Last-Event-ID (a restart, a lost connection) is sent what it missed:
        // an alert that arrived meanwhile is handed over by that replay.
        let cursor = h.state.cursor
        console.close()
        h.step()
        let missed = try f.alert(from: try f.device(phone: "099 444 5555", at: F.places.a2), sequence: 1, at: f.now())
        h.step()  // no console of the UPC is open: nobody was shown it
        #expect(h.shown.all == [[unseen], [shown]])
        let again = h.connect(officer, lastEventID: cursor, tokenHash: Array(repeating: 8, count: 32))
        #expect(again.take().map(\.alertID) == [missed, nil])
        #expect(h.shown.all == [[unseen], [shown], [missed]])
        // The API's list of the console's alerts does the same for whatever is still recibida there.
        h.feed.listed([try #require(try f.store.incident(id: unseen))], by: ConsoleScope(officer))
        #expect(h.shown.all == [[unseen], [shown], [missed], [unseen]])
    }

    @Test func aConsoleWhoseSessionExpiredIsToldSoAndClosed() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        // A real session (the feed also looks it up every 30 s), of an hour.
        let session = try Sessions(hours: 1).signIn(officer, request: try HTTPRequest(method: .get, target: "/"),
                                                   store: f.store, at: h.clock.now).session
        let stream = h.connect(officer, lifetime: 3_600_000, tokenHash: session.tokenHash)
        #expect(session.expiresAt == h.clock.now.adding(milliseconds: 3_600_000))
        h.clock.advance(milliseconds: 3_600_000 - 1)
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        h.step()
        #expect(stream.isOpen && stream.alerts.map(\.alertID) == [id])
        #expect(h.feed.connectedConsoles == 1)

        h.clock.advance(milliseconds: 1)
        h.step()
        #expect(stream.received.last?.event == "sesion_terminada")
        #expect(stream.received.last?.data.contains("Su sesión terminó") == true)
        #expect(!stream.isOpen)
        #expect(h.state.consoles.isEmpty && h.feed.connectedConsoles == 0)
    }

    @Test func aConsoleWhoseSessionWasSignedOutIsClosedAtTheNextCheck() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        let request = try HTTPRequest(method: .get, target: "/consola/eventos")
        let sessions = Sessions(hours: 8)
        let session = try sessions.signIn(officer, request: request, store: f.store, at: h.clock.now).session
        let stream = h.connect(officer, lifetime: session.expiresAt.milliseconds(since: h.clock.now),
                               tokenHash: session.tokenHash)

        // Live sessions are looked up every 30 s: still there.
        h.clock.advance(milliseconds: 30_000)
        h.step()
        #expect(stream.isOpen)

        try sessions.signOut(session, store: f.store, at: h.clock.now)
        h.clock.advance(milliseconds: 29_999)
        h.step()
        #expect(stream.isOpen)  // not looked up again yet
        h.clock.advance(milliseconds: 1)
        h.step()
        #expect(!stream.isOpen && stream.received.last?.event == "sesion_terminada")
    }

    @Test func aConsoleWhoseOperatorChangedUPCIsClosedAtTheNextCheck() throws {
        let f = try F()
        let (a, b) = (F.places.a, F.places.b)
        let officer = try f.officer("quito", upc: a.upc)
        let h = try Harness(f)
        let request = try HTTPRequest(method: .get, target: "/consola/eventos")
        let session = try Sessions(hours: 8).signIn(officer, request: request, store: f.store, at: h.clock.now).session
        let stream = h.connect(officer, lifetime: session.expiresAt.milliseconds(since: h.clock.now),
                               tokenHash: session.tokenHash)
        h.clock.advance(milliseconds: 30_000)
        h.step()
        #expect(stream.isOpen, "same UPC, same role: the stream goes on")

        // An administrator moves the officer to another UPC: the stream opened for the old one must not go on.
        try f.store.sql.prepared("UPDATE operator SET upc_code = ?1 WHERE id = ?2")
            .run([.text(b.upc), .integer(officer.id)])
        h.clock.advance(milliseconds: 30_000)
        h.step()
        #expect(!stream.isOpen)
        let ended = try #require(stream.received.last)
        #expect(ended.event == "sesion_terminada" && ended.data.contains("cambió"))
    }

    @Test func theFeedsThreadServesAConsoleAndDeliversWhatItIsWokenFor() throws {
        let f = try F()
        let a = F.places.a
        let clock = ManualClock(f.now())
        let feed = ConsoleFeed(store: f.provider, jurisdictions: F.jurisdictions,
                               configuration: Configuration.Console(), logger: F.quiet, markShown: { _ in },
                               clock: clock.function)
        try feed.start()
        defer { feed.stop() }
        let stream = RecordingStream()
        feed.add(stream, scope: ConsoleScope(try f.officer("quito", upc: a.upc)),
                 tokenHash: Array(repeating: 7, count: 32), expiresAt: clock.now.adding(seconds: 3_600),
                 lastEventID: nil)
        #expect(stream.wait { $0.contains { $0.event == "sincronizado" } }, "\(stream.received)")

        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        feed.changed()
        #expect(stream.wait { $0.contains { $0.alertID == id } }, "\(stream.received)")
        #expect(stream.alerts.first?.tipo == "nueva")

        feed.stop()  // closes every console
        #expect(!stream.isOpen)
        #expect(feed.failure == nil)
    }
}
