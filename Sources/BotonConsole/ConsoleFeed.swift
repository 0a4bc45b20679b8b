public import BotonCore
public import BotonHTTP
import BotonNet
public import BotonRepository
import Foundation
import Synchronization
public import BotonRuntime

/// What the feed reads: the event table and its alerts, and the sessions of the consoles it feeds.
public typealias ConsoleFeedStore = ConsoleRepository & SessionRepository

/// A console's open event stream, as the web server gives it to the feed (Server-Sent Events). Sending to a closed
/// stream does nothing.
public protocol ConsoleStream: AnyObject, Sendable {
    var isOpen: Bool { get }
    func send(_ event: ServerSentEvent)
    /// An event already encoded with `ServerSentEvents.encode` (one encoding for many streams).
    func send(encoded bytes: [UInt8])
    func comment(_ text: String)
    /// Ends the stream (the client reconnects with `Last-Event-ID`).
    func close()
}

/// The live feed of the consoles (`GET /consola/eventos`): every row appended to `incident_event` becomes one
/// Server-Sent Event, `id` = the row's id, on the stream of every console whose ``ConsoleScope`` sees the alert.
///
/// Concurrency: one thread (`boton-feed`) owns the feed's cursor, its store connection and the list of
/// consoles. Everything else only wakes it (``changed()``: after an ingestion commit, a console action, an
/// escalation) or queues a console to add or remove; it also wakes once a second on its own. Each wake-up reads
/// the events after the cursor in id order, encodes each once, and posts it to the streams that see it. Because
/// event ids are assigned inside write transactions, which SQLite serialises, an id is visible only after every
/// smaller id is: reading `id > cursor` in order never skips one.
///
/// A console that connects is served on the same thread, so nothing falls between its replay and the live events:
/// with `Last-Event-ID` it gets every event after that id within `console.replay_hours`; without, the newest event
/// of every current alert in its scope. Either way an `event: sincronizado` with the cursor as id follows, and then
/// the live events. A console whose session expires or is signed out is closed (the page then shows the sign-in).
///
/// When a new alert's event reaches a console of the alert's own UPC, the alert becomes `notificada`: the feed hands
/// the alert to `markShown` (the ingestion writer, which writes it with its next batch) and delivers the transition
/// when the writer's commit wakes it. The feed never writes: a second writing connection made the ingestion writer
/// wait for its lock (SQLite's busy handler sleeps at least a millisecond), and at first held every console's
/// delivery back (p99 150 ms at 1,000 alerts/s).
public final class ConsoleFeed: Component {
    public let name = "console-feed"

    struct Console {
        let sink: any ConsoleStream
        let scope: ConsoleScope
        let tokenHash: [UInt8]
        let expiresAt: Timestamp
        let lastEventID: Int64?
        var checkedAt: Timestamp
    }

    private enum Change {
        case add(Console)
        case remove(ObjectIdentifier)
    }

    private let store: any StoreProvider
    private let jurisdictions: Jurisdictions
    private let replayMilliseconds: Int64
    private let recentMilliseconds: Int64
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let markShown: @Sendable ([Int64]) -> Void
    private let pending = Mutex<[Change]>([])
    private let thread = ServiceThread(name: "boton-feed")
    private let connected = Atomic<Int>(0)
    private let delivered = Atomic<Int>(0)

    public init(store: any StoreProvider, jurisdictions: Jurisdictions,
                configuration: Configuration.Console, logger: Logger,
                markShown: @escaping @Sendable ([Int64]) -> Void,
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() })
    {
        self.markShown = markShown
        self.store = store
        self.jurisdictions = jurisdictions
        replayMilliseconds = Int64(configuration.replayHours) * 3_600_000
        recentMilliseconds = Int64(configuration.recentHours) * 3_600_000
        self.logger = logger
        self.clock = clock
    }

    /// Consoles connected now (for `/metrics`).
    public var connectedConsoles: Int { connected.load(ordering: .relaxed) }
    /// Events written to console streams since start.
    public var deliveredEvents: Int { delivered.load(ordering: .relaxed) }

    /// Something was appended to `incident_event`: read it now. Cheap; callable from any thread.
    public func changed() { thread.wake() }

    /// A console's stream opened: it is fed from the next wake-up. `tokenHash` and `expiresAt` are its session's:
    /// the stream ends with the session.
    public func add(_ stream: any ConsoleStream, scope: ConsoleScope, tokenHash: [UInt8], expiresAt: Timestamp,
                    lastEventID: Int64?) {
        pending.withLock { $0.append(.add(Console(sink: stream, scope: scope, tokenHash: tokenHash,
                                                   expiresAt: expiresAt, lastEventID: lastEventID,
                                                   checkedAt: clock()))) }
        changed()
    }

    /// The client went away.
    public func remove(_ stream: any ConsoleStream) {
        pending.withLock { $0.append(.remove(ObjectIdentifier(stream))) }
        changed()
    }

    public func start() throws {
        let connection = try store.open(.background)
        let cursor = try connection.latestIncidentEventID()
        thread.start { [self] in
            run(store: connection, cursor: cursor)
        }
    }

    /// Closes every console stream and stops the thread.
    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    // MARK: The feed thread

    /// What the feed thread owns between wake-ups: its cursor and the consoles it feeds.
    struct State {
        var cursor: Int64
        var consoles: [ObjectIdentifier: Console] = [:]
    }

    private func run(store: any ConsoleFeedStore, cursor start: Int64) {
        var state = State(cursor: start)
        while thread.pause(.seconds(1)) {
            step(&state, store: store)
        }
        for console in state.consoles.values { console.sink.close() }
        connected.store(0, ordering: .relaxed)
    }

    /// One wake-up of the feed thread: serves the consoles added or removed since the last one, closes those whose
    /// session ended, and delivers every event after the cursor. The thread calls it with its own connection; tests
    /// call it directly.
    func step(_ state: inout State, store: any ConsoleFeedStore) {
        let now = clock()
        for change in pending.withLock({ list in defer { list.removeAll() }; return list }) {
            switch change {
            case .add(let console):
                if console.sink.isOpen, replay(console, upTo: state.cursor, store: store, now: now) {
                    state.consoles[ObjectIdentifier(console.sink)] = console
                }
            case .remove(let id):
                state.consoles[id] = nil
            }
        }
        expire(&state.consoles, store: store, now: now)
        connected.store(state.consoles.count, ordering: .relaxed)
        do throws(StoreError) {
            var rounds = 0
            while true {
                let (next, notify) = try deliver(after: state.cursor, to: state.consoles, store: store)
                let moved = next != state.cursor
                state.cursor = next
                markShown(notify)
                rounds += 1
                if !moved || rounds > 100 { break }
            }
        } catch {
            logger.error("console_feed_failed", ["error": error.description, "cursor": String(state.cursor)])
        }
    }

    /// Sends a newly connected console what it missed (or the current alerts), then `sincronizado`. False when
    /// the store failed: the stream is closed and the browser reconnects.
    private func replay(_ console: Console, upTo cursor: Int64, store: any ConsoleFeedStore,
                        now: Timestamp) -> Bool
    {
        do {
            let rows: [(event: IncidentEventRecord, incident: IncidentRecord)]
            if let last = console.lastEventID, last <= cursor {
                var collected: [(event: IncidentEventRecord, incident: IncidentRecord)] = []
                var after = last
                while after < cursor {
                    let page = try store.feed(after: after, since: now.adding(milliseconds: -replayMilliseconds),
                                              limit: 2_000)
                    guard let tail = page.last else { break }
                    collected += page.filter { $0.event.id <= cursor }
                    after = tail.event.id
                }
                rows = collected
            } else {
                rows = try store.feedSnapshot(closedSince: now.adding(milliseconds: -recentMilliseconds))
                    .filter { $0.event.id <= cursor }
            }
            var sent = 0
            for row in rows where console.scope.sees(row.incident, jurisdictions) {
                console.sink.send(encoded: encode(row, propia: console.scope.propia(row.incident)))
                sent += 1
            }
            console.sink.send(ServerSentEvent(id: UInt64(max(cursor, 0)), event: "sincronizado",
                                              data: "{\"reenviados\":\(sent)}"))
            logger.info("console_connected", ["scope": console.scope.description, "replayed": String(sent),
                                              "last_event_id": console.lastEventID.map(String.init) ?? "-",
                                              "cursor": String(cursor)])
            return true
        } catch {
            logger.error("console_replay_failed", ["error": error.description, "scope": console.scope.description])
            console.sink.close()
            return false
        }
    }

    /// Posts every event after `cursor` to the consoles that see it; returns the new cursor and the new alerts
    /// that reached a console of their own UPC.
    private func deliver(after cursor: Int64, to consoles: [ObjectIdentifier: Console], store: any ConsoleFeedStore)
        throws(StoreError) -> (Int64, [Int64])
    {
        let rows = try store.feed(after: cursor, limit: 2_000)
        guard let last = rows.last else { return (cursor, []) }
        var notify: [Int64] = []
        var count = 0
        for row in rows {
            // One encoding per value of `propia` (true, false, absent), shared by every console that gets it.
            var encoded: [Bool?: [UInt8]] = [:]
            var reachedOwner = false
            for console in consoles.values where console.sink.isOpen && console.scope.sees(row.incident, jurisdictions) {
                let propia = console.scope.propia(row.incident)
                let bytes = encoded[propia] ?? encode(row, propia: propia)
                encoded[propia] = bytes
                console.sink.send(encoded: bytes)
                reachedOwner = reachedOwner || propia == true
                count += 1
            }
            if reachedOwner, row.event.kind == "transicion", row.event.fromState == nil,
               row.incident.state == .recibida {
                notify.append(row.incident.id)
            }
        }
        delivered.add(count, ordering: .relaxed)
        return (last.event.id, notify)
    }

    /// Closes the streams of sessions that expired, and (every 30 s each) of sessions signed out or disabled.
    /// Closes the streams of sessions that expired, and (every 30 s each) of sessions signed out or disabled, and of
    /// operators whose UPC, distrito or role changed since the stream opened (the scope a stream serves is the one it
    /// started with: it must not outlive a change).
    private func expire(_ consoles: inout [ObjectIdentifier: Console], store: any ConsoleFeedStore, now: Timestamp) {
        for (id, var console) in consoles {
            var ended: (event: String, mensaje: String)?
            if !console.sink.isOpen || now >= console.expiresAt {
                ended = ("console_session_ended", "Su sesión terminó. Ingrese de nuevo.")
            } else if now.milliseconds(since: console.checkedAt) >= 30_000 {
                console.checkedAt = now
                consoles[id] = console
                switch (try? store.liveSession(tokenHash: console.tokenHash, at: now)) ?? nil {
                case nil:
                    ended = ("console_session_ended", "Su sesión terminó. Ingrese de nuevo.")
                case let (_, account)? where Self.scope(of: account) != console.scope:
                    ended = ("console_scope_changed", "Su UPC, distrito o rol cambió. Ingrese de nuevo.")
                default:
                    break
                }
            }
            guard let ended else { continue }
            if console.sink.isOpen {
                // The messages are constants without quotes or backslashes: the document is written as is.
                console.sink.send(ServerSentEvent(event: "sesion_terminada", data: "{\"mensaje\":\"\(ended.mensaje)\"}"))
                console.sink.close()
                logger.info(ended.event, ["scope": console.scope.description])
            }
            consoles[id] = nil
        }
    }

    /// The scope an operator account has now.
    static func scope(of account: OperatorRecord) -> ConsoleScope {
        ConsoleScope(OperatorIdentity(id: account.id ?? 0, username: account.username, displayName: account.displayName,
                                      role: account.role, upcCode: account.upcCode, districtCode: account.districtCode))
    }

    /// The `alerta` event's frame: `id`, `event` and one `data` line (the JSON document has no line break).
    private func encode(_ row: (event: IncidentEventRecord, incident: IncidentRecord), propia: Bool?) -> [UInt8] {
        var alert = ConsoleEventJSON.Alert(row.incident, upcName: jurisdictions.upcName(row.incident.upcCode))
        alert.propia = propia
        let json = ConsoleEventJSON(evento: .init(row.event), alerta: alert).json
        var frame = Array("id: \(row.event.id)\nevent: alerta\ndata: ".utf8)
        frame.reserveCapacity(frame.count + json.count + 2)
        frame += json
        frame += [0x0A, 0x0A]
        return frame
    }
}
