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
/// A console that connects is never served on that thread: its replay (with `Last-Event-ID`, every event after that
/// id within `console.replay_hours`; without, the newest event of every current alert) is read by pages of its own
/// scope (``ConsoleScope/slices(_:)``: one index range per UPC) on one of `console.replay_concurrency` replay
/// threads, each with its own connection. The handoff loses and repeats nothing: the feed thread takes the console
/// in at its cursor `c` and from then on holds the live events (`id > c`) for it, in order, in a bounded list (at
/// most ``maxHeldEvents``; beyond, the stream is ended and the browser reconnects with its `Last-Event-ID`); the
/// replay sends the console's events up to `c`, then `event: sincronizado` with `c` as id, then the held events,
/// and only when none are left does the console turn live. So the live feed never reads a replay window and never
/// waits for a replay; at most `console.replay_backlog` replays run or wait (the stream route answers 503 beyond).
///
/// When a *recibida* alert reaches a console of the alert's own UPC — live, or in the console's replay (the current
/// alerts a console opens with, or what it missed since its `Last-Event-ID`: alerts that came while no console was
/// open, or before a restart) — the alert becomes `notificada`: the feed hands the alert to `markShown` (the
/// ingestion writer, which writes it with its next batch) and delivers the transition when the writer's commit wakes
/// it. A console's API listing hands over the same (``listed(_:by:)``). The feed never writes: a second writing connection made the ingestion writer
/// wait for its lock (SQLite's busy handler sleeps at least a millisecond), and at first held every console's
/// delivery back (p99 150 ms at 1,000 alerts/s).
public final class ConsoleFeed: Component {
    public let name = "console-feed"

    struct Console: Sendable {
        let sink: any ConsoleStream
        let scope: ConsoleScope
        let tokenHash: [UInt8]
        let expiresAt: Timestamp
        let lastEventID: Int64?
        var checkedAt: Timestamp
        /// Whether the console is live yet, or what the feed holds for it while its replay runs.
        let handoff = Handoff()
    }

    /// A console between its connection and its first live event. The feed thread (``hold(_:limit:)``) and the
    /// console's replay (``drain(to:)``) meet here; neither sends while holding the lock.
    final class Handoff: Sendable {
        enum Phase {
            /// The replay runs: live events wait here, oldest first.
            case holding([[UInt8]])
            case live
            /// Too many live events waited: the stream was ended.
            case dropped
        }
        enum Offer { case send, held, overflow }

        private let phase = Mutex<Phase>(.holding([]))

        /// The feed's side: `.send` when the console is live (send it now); otherwise the frame is kept, or, past
        /// `limit` frames, the console is dropped (`.overflow`, once).
        func hold(_ frame: [UInt8], limit: Int) -> Offer {
            phase.withLock { phase in
                switch phase {
                case .live: return .send
                case .dropped: return .held
                case .holding(var frames):
                    guard frames.count < limit else {
                        phase = .dropped
                        return .overflow
                    }
                    phase = .holding([])  // keeps the array unique while it grows
                    frames.append(frame)
                    phase = .holding(frames)
                    return .held
                }
            }
        }

        /// The replay's side, once it has sent everything up to the feed's cursor: sends what was held, in order,
        /// batch by batch outside the lock, and turns the console live when nothing is left. False when dropped.
        func drain(to sink: any ConsoleStream) -> Bool {
            while true {
                let batch: [[UInt8]]? = phase.withLock { phase in
                    guard case .holding(let frames) = phase else { return nil }
                    if frames.isEmpty {
                        phase = .live
                        return nil
                    }
                    phase = .holding([])
                    return frames
                }
                guard let batch else { break }
                for frame in batch { sink.send(encoded: frame) }
            }
            return isLive
        }

        var isLive: Bool { phase.withLock { if case .live = $0 { true } else { false } } }
        var isDropped: Bool { phase.withLock { if case .dropped = $0 { true } else { false } } }
    }

    /// A console the feed took in at `through` (its cursor then), waiting for a replay thread.
    struct ReplayJob: Sendable {
        let console: Console
        let through: Int64
    }

    /// Live events held for one console while its replay runs; beyond, its stream is ended.
    static let maxHeldEvents = 5_000
    /// Rows a replay reads per query (split between the slices of its scope, at least ``minimumSliceRows`` each).
    static let replayPageRows = 200
    static let minimumSliceRows = 25

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
    private let replayConcurrency: Int
    private let replayBacklog: Int
    /// Streams added whose replay has not finished (running, waiting, or not yet taken in by the feed thread).
    private let replaysOutstanding = Atomic<Int>(0)
    private let replayed = Atomic<Int>(0)
    private let replayQueue = ReplayQueue()
    private let replayThreads = Mutex<[JoinableThread]>([])
    /// Tests only: called on the replay's thread before each query of a replay.
    let beforeReplayPage = Mutex<(@Sendable () -> Void)?>(nil)

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
        replayConcurrency = configuration.replayConcurrency
        replayBacklog = configuration.replayBacklog
        self.logger = logger
        self.clock = clock
    }

    /// Consoles connected now (for `/metrics`).
    public var connectedConsoles: Int { connected.load(ordering: .relaxed) }
    /// Events written to console streams since start.
    public var deliveredEvents: Int { delivered.load(ordering: .relaxed) }
    /// Replays not yet finished (running or waiting).
    public var replaysInProgress: Int { replaysOutstanding.load(ordering: .relaxed) }
    /// Events sent by replays since start.
    public var replayedEvents: Int { replayed.load(ordering: .relaxed) }
    /// Whether a stream that opens now may have its replay (`console.replay_backlog`); the route answers 503 with
    /// `Retry-After` otherwise.
    public var acceptsReplay: Bool { replaysInProgress < replayBacklog }

    /// A console of `scope` listed these alerts (the console's API list, a dossier): those of its own UPC still
    /// *recibida* were shown there, so they become *notificada* (handed to `markShown`). Cheap; any thread.
    public func listed(_ incidents: [IncidentRecord], by scope: ConsoleScope) {
        markShown(incidents.filter { $0.state == .recibida && scope.propia($0) == true }.map(\.id))
    }

    /// Something was appended to `incident_event`: read it now. Cheap; callable from any thread.
    public func changed() { thread.wake() }

    /// A console's stream opened: it is fed from the next wake-up. `tokenHash` and `expiresAt` are its session's:
    /// the stream ends with the session.
    public func add(_ stream: any ConsoleStream, scope: ConsoleScope, tokenHash: [UInt8], expiresAt: Timestamp,
                    lastEventID: Int64?) {
        replaysOutstanding.add(1, ordering: .relaxed)
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
        var replayConnections: [any StoreConnection] = []
        for _ in 0..<replayConcurrency { replayConnections.append(try store.open(.background)) }
        replayThreads.withLock { threads in
            for (index, replayStore) in replayConnections.enumerated() {
                threads.append(JoinableThread(named: "boton-replay-\(index)") { [self] in
                    replayLoop(store: replayStore)
                })
            }
        }
        thread.start { [self] in
            run(store: connection, cursor: cursor)
        }
    }

    /// Closes every console stream and stops the threads.
    public func stop() {
        thread.stop()
        for job in replayQueue.stop() {
            job.console.sink.close()
            replaysOutstanding.subtract(1, ordering: .relaxed)
        }
        for replay in replayThreads.withLock({ threads in defer { threads.removeAll() }; return threads }) {
            replay.join()
        }
    }

    public var failure: String? { thread.failure }

    // MARK: The feed thread

    /// What the feed thread owns between wake-ups: its cursor and the consoles it feeds.
    struct State {
        var cursor: Int64
        var consoles: [ObjectIdentifier: Console] = [:]
    }

    /// The feed thread. After a storage fault (PostgreSQL: the primary died) its connection is dropped and a new
    /// one opened at the next wake-up (at least once a second): the cursor stays, so nothing is skipped or repeated.
    private func run(store first: any ConsoleFeedStore, cursor start: Int64) {
        var state = State(cursor: start)
        var connection: (any ConsoleFeedStore)? = first
        while thread.pause(.seconds(1)) {
            if connection == nil {
                do throws(StoreError) {
                    connection = try store.open(.background)
                    logger.info("console_feed_reconnected", ["cursor": String(state.cursor)])
                } catch {
                    logger.warning("console_feed_reconnect_failed", ["error": error.description])
                    continue
                }
            }
            if let fault = step(&state, store: connection!), fault.isStorageFault { connection = nil }
        }
        for console in state.consoles.values { console.sink.close() }
        connected.store(0, ordering: .relaxed)
    }

    /// One wake-up of the feed thread: serves the consoles added or removed since the last one, closes those whose
    /// session ended, and delivers every event after the cursor. The thread calls it with its own connection; tests
    /// call it directly. Returns the store's error when reading the events failed.
    @discardableResult
    func step(_ state: inout State, store: any ConsoleFeedStore) -> StoreError? {
        let now = clock()
        for change in pending.withLock({ list in defer { list.removeAll() }; return list }) {
            switch change {
            case .add(let console):
                // Taken in at the cursor: the live events after it are held for the console from now on, and its
                // replay (on a replay thread) sends everything up to it.
                if console.sink.isOpen {
                    state.consoles[ObjectIdentifier(console.sink)] = console
                    enqueueReplay(ReplayJob(console: console, through: state.cursor))
                } else {
                    replaysOutstanding.subtract(1, ordering: .relaxed)
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
                let (next, notify) = try deliver(after: state.cursor, to: &state.consoles, store: store)
                let moved = next != state.cursor
                state.cursor = next
                markShown(notify)
                rounds += 1
                if !moved || rounds > 100 { break }
            }
        } catch {
            logger.error("console_feed_failed", ["error": error.description, "cursor": String(state.cursor)])
            return error
        }
        return nil
    }

    // MARK: Replays (never on the feed thread)

    /// The replays waiting for a thread, first come first served.
    final class ReplayQueue: @unchecked Sendable {
        private let condition = ThreadCondition()
        // Guarded by `condition`.
        private var jobs: [ReplayJob] = []
        private var head = 0
        private var stopping = false

        func append(_ job: ReplayJob) {
            condition.withLock {
                jobs.append(job)
                condition.signal()
            }
        }

        /// The next job; waits for one when `wait`. Nil once stopping (or, without `wait`, when none waits).
        func next(wait: Bool) -> ReplayJob? {
            condition.withLock { () -> ReplayJob? in
                while wait && head == jobs.count && !stopping { condition.wait() }
                guard !stopping, head < jobs.count else { return nil }
                let job = jobs[head]
                head += 1
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
                return job
            }
        }

        /// Wakes every waiting thread for good; returns the jobs that never ran.
        func stop() -> [ReplayJob] {
            condition.withLock {
                stopping = true
                condition.broadcast()
                defer { jobs.removeAll(); head = 0 }
                return Array(jobs[head...])
            }
        }
    }

    private func enqueueReplay(_ job: ReplayJob) { replayQueue.append(job) }

    /// A replay thread: takes the waiting replays one by one, with its own connection (a new one after a storage
    /// fault; while none can be opened, the streams are closed and the browsers reconnect).
    private func replayLoop(store first: any ConsoleFeedStore) {
        var connection: (any ConsoleFeedStore)? = first
        while let job = replayQueue.next(wait: true) {
            if connection == nil {
                do throws(StoreError) {
                    connection = try store.open(.background)
                } catch {
                    logger.warning("console_replay_reconnect_failed", ["error": error.description])
                    replaysOutstanding.subtract(1, ordering: .relaxed)
                    job.console.sink.close()
                    continue
                }
            }
            if let fault = replay(job, store: connection!), fault.isStorageFault { connection = nil }
        }
    }

    /// Runs the replays waiting now on the calling thread (tests; the service runs them on its replay threads).
    /// Returns how many ran.
    @discardableResult
    func runWaitingReplays(store: any ConsoleFeedStore) -> Int {
        var count = 0
        while let job = replayQueue.next(wait: false) {
            replay(job, store: store)
            count += 1
        }
        return count
    }

    /// Sends a newly connected console what it missed (or the current alerts) up to the feed's cursor when it was
    /// taken in, then `sincronizado`, then the live events held meanwhile; the console is then live. On a store
    /// failure the stream is closed and the browser reconnects (and the error returned).
    @discardableResult
    func replay(_ job: ReplayJob, store: any ConsoleFeedStore) -> StoreError? {
        defer { replaysOutstanding.subtract(1, ordering: .relaxed) }
        let console = job.console, through = job.through
        guard console.sink.isOpen, !console.handoff.isDropped else { return nil }
        let now = clock()
        let fetch: (FeedSlice, Int64, Int) throws(StoreError) -> [(event: IncidentEventRecord, incident: IncidentRecord)]
        let start: Int64
        if let last = console.lastEventID, last <= through {
            let since = now.adding(milliseconds: -replayMilliseconds)
            start = last
            fetch = { (slice, after, limit) throws(StoreError) in
                try store.feed(slice, after: after, through: through, since: since, limit: limit)
            }
        } else {
            let closedSince = now.adding(milliseconds: -recentMilliseconds)
            start = 0
            fetch = { (slice, after, limit) throws(StoreError) in
                try store.feedSnapshot(slice, closedSince: closedSince, after: after, through: through, limit: limit)
            }
        }
        do throws(StoreError) {
            var sent = 0
            // Alerts of the console's own UPC still recibida that it was sent: shown, so notificada.
            var shown: [Int64] = []
            var shownSet = Set<Int64>()
            defer { markShown(shown) }
            let complete = try Self.merge(console.scope.slices(jurisdictions), after: start,
                                          pageRows: Self.replayPageRows, fetch: { (slice, after, limit) throws(StoreError) in
                if let hook = beforeReplayPage.withLock({ $0 }) { hook() }
                return try fetch(slice, after, limit)
            }) { row in
                guard console.sink.isOpen else { return false }
                if console.scope.shows(row.incident, jurisdictions) {
                    let propia = console.scope.propia(row.incident)
                    console.sink.send(encoded: encode(row, propia: propia))
                    sent += 1
                    if propia == true, row.incident.state == .recibida, shownSet.insert(row.incident.id).inserted {
                        shown.append(row.incident.id)
                    }
                }
                return true
            }
            replayed.add(sent, ordering: .relaxed)
            guard complete, console.sink.isOpen else { return nil }
            console.sink.send(ServerSentEvent(id: UInt64(max(through, 0)), event: "sincronizado",
                                              data: "{\"reenviados\":\(sent)}"))
            let live = console.handoff.drain(to: console.sink)
            logger.info("console_connected", ["scope": console.scope.description, "replayed": String(sent),
                                              "last_event_id": console.lastEventID.map(String.init) ?? "-",
                                              "cursor": String(through), "live": String(live)])
        } catch {
            logger.error("console_replay_failed", ["error": error.description, "scope": console.scope.description])
            console.sink.close()
            return error
        }
        return nil
    }

    /// Reads `slices` after `after` and hands their rows to `emit` in id order, as one sequence: a k-way merge in
    /// which each slice holds at most one query's rows (`pageRows` split between the slices), so a replay holds
    /// pages, never a window, and each row is read once. The slices are disjoint. False when `emit` stopped it.
    static func merge(_ slices: [FeedSlice], after: Int64, pageRows: Int,
                      fetch: (FeedSlice, Int64, Int) throws(StoreError)
                          -> [(event: IncidentEventRecord, incident: IncidentRecord)],
                      emit: ((event: IncidentEventRecord, incident: IncidentRecord)) -> Bool) throws(StoreError) -> Bool
    {
        struct Source {
            let slice: FeedSlice
            var after: Int64
            var rows: [(event: IncidentEventRecord, incident: IncidentRecord)] = []
            var next = 0
            var exhausted = false
            var head: Int64? { next < rows.count ? rows[next].event.id : nil }
        }
        let limit = max(minimumSliceRows, pageRows / max(slices.count, 1))
        var sources = slices.map { Source(slice: $0, after: after) }
        while true {
            for index in sources.indices where sources[index].head == nil && !sources[index].exhausted {
                let page = try fetch(sources[index].slice, sources[index].after, limit)
                sources[index].rows = page
                sources[index].next = 0
                sources[index].exhausted = page.count < limit
                if let last = page.last { sources[index].after = last.event.id }
            }
            var best: Int?
            for index in sources.indices {
                guard let head = sources[index].head else { continue }
                if let b = best, let bestHead = sources[b].head, bestHead <= head { continue }
                best = index
            }
            guard let best else { return true }
            let row = sources[best].rows[sources[best].next]
            sources[best].next += 1
            if sources[best].next == sources[best].rows.count { sources[best].rows = [] ; sources[best].next = 0 }
            guard emit(row) else { return false }
        }
    }

    /// Posts every event after `cursor` to the consoles that see it; returns the new cursor and the new alerts
    /// that reached a console of their own UPC.
    private func deliver(after cursor: Int64, to consoles: inout [ObjectIdentifier: Console],
                         store: any ConsoleFeedStore) throws(StoreError) -> (Int64, [Int64])
    {
        let rows = try store.feed(after: cursor, limit: 2_000)
        guard let last = rows.last else { return (cursor, []) }
        var notify: [Int64] = []
        var notified = Set<Int64>()
        var count = 0
        var overflowed: [ObjectIdentifier] = []
        for row in rows {
            // One encoding per value of `propia` (true, false, absent), shared by every console that gets it.
            var encoded: [Bool?: [UInt8]] = [:]
            var reachedOwner = false
            for (id, console) in consoles where console.sink.isOpen && console.scope.shows(row.incident, jurisdictions) {
                let propia = console.scope.propia(row.incident)
                let bytes = encoded[propia] ?? encode(row, propia: propia)
                encoded[propia] = bytes
                // A console whose replay runs gets it after the replay (held); never a read here.
                switch console.handoff.hold(bytes, limit: Self.maxHeldEvents) {
                case .send:
                    console.sink.send(encoded: bytes)
                    count += 1
                case .held:
                    break
                case .overflow:
                    overflowed.append(id)
                }
                reachedOwner = reachedOwner || propia == true
            }
            // Any event of a still-recibida alert that reached its UPC's console shows it (its first, or a
            // position of an alert a console missed); the writer marks each once (the domain's rule).
            if reachedOwner, row.incident.state == .recibida, notified.insert(row.incident.id).inserted {
                notify.append(row.incident.id)
            }
        }
        for id in overflowed {
            guard let console = consoles.removeValue(forKey: id) else { continue }
            logger.warning("console_replay_overrun", ["scope": console.scope.description,
                                                      "held": String(Self.maxHeldEvents)])
            console.sink.close()
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
                case let (_, account)? where Self.scope(of: account).kind != console.scope.kind:
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
