import CLinux
import Glibc
import Synchronization
import BotonRuntime

/// Limits that keep one client, or many, from taking the server down.
public struct StreamLimits: Sendable {
    /// Connections held at once (both ports together). One more is accepted and closed at once.
    public var maxConnections: Int
    /// A TLS handshake not finished by then is dropped (a stalled or slow client cannot hold a slot).
    public var handshakeTimeoutMs: Int
    /// A connection with no byte in either direction for this long is closed.
    public var idleTimeoutMs: Int
    /// A connection whose peer does not read its answers is closed once this much is waiting to be sent.
    public var maxUnsentBytes: Int
    /// A connection with bytes to send that the peer has not let through for this long is closed (a reader that
    /// stopped reading, whatever it still sends).
    public var writeTimeoutMs: Int
    /// Connections one peer address may hold at once (both ports together); one more is accepted and closed.
    public var maxConnectionsPerAddress: Int
    /// A connection that has sent no byte this long after it was accepted is closed (apart from the idle timeout,
    /// which is for connections that went quiet after talking).
    public var firstByteTimeoutMs: Int
    /// Slots only connections whose handler vouched for them (``StreamHandler/isProven``: an alert port's
    /// connection once a frame authenticated) may take. Connections not proven yet hold at most
    /// `maxConnections - reservedForProven`; when they do, a new connection takes the slot of the oldest one not
    /// proven (on the accepting thread), which is closed — idle connections cannot keep a phone out, and cannot
    /// touch the phones already connected. 0: no reservation.
    public var reservedForProven: Int

    public init(maxConnections: Int = 10_000, handshakeTimeoutMs: Int = 5_000, idleTimeoutMs: Int = 120_000,
                maxUnsentBytes: Int = 1 << 20, writeTimeoutMs: Int = 30_000, maxConnectionsPerAddress: Int = 1_000,
                firstByteTimeoutMs: Int = 10_000, reservedForProven: Int = 0)
    {
        self.reservedForProven = min(max(reservedForProven, 0), max(maxConnections - 1, 0))
        self.maxConnectionsPerAddress = max(maxConnectionsPerAddress, 1)
        self.firstByteTimeoutMs = max(firstByteTimeoutMs, 1)
        self.maxConnections = maxConnections
        self.handshakeTimeoutMs = handshakeTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxUnsentBytes = maxUnsentBytes
        self.writeTimeoutMs = writeTimeoutMs
    }
}

/// Something about a connection worth one log line; the server's owner logs it.
public enum StreamEvent: Sendable {
    case refusedOverLimit(SocketAddress, open: Int)
    /// One more connection from an address that holds `maxConnectionsPerAddress` already.
    case refusedOverAddressLimit(SocketAddress, open: Int)
    /// Accepted, then silent for `firstByteTimeoutMs`.
    case firstByteTimedOut(SocketAddress)
    case handshakeFailed(SocketAddress, reason: String)
    case handshakeTimedOut(SocketAddress)
    case idleTimedOut(SocketAddress)
    case slowConsumer(SocketAddress, unsentBytes: Int)
    /// Bytes waited to be sent and the peer let none through for `writeTimeoutMs`.
    case writeTimedOut(SocketAddress, unsentBytes: Int)
    /// Closed to make room: the oldest connection not proven yet, when those held every slot not reserved.
    case evictedUnproven(SocketAddress)
    /// The process (`EMFILE`) or the system (`ENFILE`) ran out of file descriptors: accepting pauses for
    /// ``StreamServer/acceptPauseMs`` at a time, and each connection waiting is accepted and closed at once with the
    /// descriptor kept in reserve for that. Reported at most once a second: `refused` connections shed and
    /// `pauses` since the last report, `open` connections now.
    case descriptorsExhausted(errno: Int32, refused: Int, pauses: Int, open: Int)
}

/// A TCP port, a TLS port, or both, served by one or more threads, each with its own epoll.
///
/// Every connection belongs to one thread for its whole life: that thread runs its TLS handshake, reads and
/// writes it, and calls its ``StreamHandler``; nothing else touches a connection, so no lock is held across I/O.
/// The first thread also accepts, and hands each new connection to the threads in turn (round robin, so load
/// spreads evenly however the clients connect): a connection it gives away goes into the other thread's intake
/// (a mutex held only to append or swap) and that thread's eventfd wakes it. Other threads reach a connection
/// with ``post(_:to:)`` the same way, through the outbox of the thread that owns it (the ``ConnectionID`` says
/// which). Sockets are non-blocking and epoll is level-triggered; a handler that stops accepting input simply
/// loses read interest until it accepts again (backpressure reaches the client through TCP's window).
///
/// One thread is the default. More threads serve more connections at once on more cores, at the price of a
/// second thread's wake-up when a connection is handed over (once per connection, not per message).
///
/// ``stopAccepting()`` closes the listening sockets and leaves open connections running (their pending answers
/// still go out); ``stop()`` delivers what was posted, sends what it can without waiting, closes everything and
/// joins the thread.
public final class StreamServer<Handler: StreamHandler>: Sendable {
    /// The bound plain TCP address (port 0 in the request becomes the real port here).
    public let plainAddress: SocketAddress?
    /// The bound TLS address.
    public let secureAddress: SocketAddress?

    private let plain: Socket?
    private let secure: Socket?
    private let tls: TLSContext?
    private let limits: StreamLimits
    /// Set once, by the init that takes it or by ``start(threadName:makeHandler:)``, before any thread runs; each
    /// thread reads it once when it starts.
    private let handlerFactory = Mutex<(@Sendable (StreamPeer) -> Handler)?>(nil)
    private let onEvent: @Sendable (StreamEvent) -> Void
    private let loops: [LoopShared]
    private let threads = Mutex<[JoinableThread]>([])
    /// Read by every thread on every turn of its loop: atomics, so the threads do not take turns on one lock.
    private let stopAcceptingFlag = Atomic<Bool>(false)
    private let stoppingFlag = Atomic<Bool>(false)
    private let counters = Mutex<Counters>(Counters())
    /// Connections open on every thread together (for `maxConnections`, checked by the accepting thread).
    private let openCount = Atomic<Int>(0)
    /// Connections open and not proven yet, on every thread together (for ``StreamLimits/reservedForProven``).
    private let unprovenCount = Atomic<Int>(0)
    /// Connections open per peer host (the accepting thread adds, the owning thread removes on close).
    private let openByAddress = Mutex<[String: Int]>([:])
    /// Why a connection thread's loop ended before ``stop()``, if one did.
    private let died = Mutex<String?>(nil)

    /// A connection accepted by the first thread for another one.
    private struct Arrival: Sendable {
        let id: ConnectionID
        let descriptor: Int32
        let peer: SocketAddress
        let secure: Bool
    }

    /// What other threads use to reach one of the server's threads: its epoll, its wake-up eventfd, its outbox of
    /// posted messages, its intake of connections handed over, and its read buffer (only its own thread reads it).
    private final class LoopShared: Sendable {
        let index: Int
        let epoll: Int32
        let wakeup: Int32
        let outbox = Mutex<[(ConnectionID, Handler.Message)]>([])
        let arrivals = Mutex<[Arrival]>([])
        let readBuffer = ReadBuffer()

        init(index: Int, epoll: Int32, wakeup: Int32) {
            self.index = index
            self.epoll = epoll
            self.wakeup = wakeup
        }

        func wake() { _ = boton_eventfd_signal(wakeup) }
    }

    public struct Counters: Sendable {
        public var accepted = 0
        /// Open now, on every thread together.
        public var open = 0
        public var refusedOverLimit = 0
        public var handshakeFailures = 0
        public var timedOut = 0
    }

    /// How long accepting pauses when descriptors ran out (the listener stays readable: without a pause the
    /// accepting thread would spin).
    public static var acceptPauseMs: Int64 { 100 }

    private static var wakeToken: UInt64 { 0 }
    private static var plainToken: UInt64 { 1 }
    private static var secureToken: UInt64 { 2 }
    private static var firstConnectionToken: UInt64 { 16 }

    /// Binds the ports asked for (`plain` and/or `secure`, each host and port; port 0 picks a free one), to be
    /// served by `threads` threads, each connection by a handler that `makeHandler` makes.
    public convenience init(plain: (host: String, port: Int)?,
                            secure: (host: String, port: Int, context: TLSContext)?,
                            limits: StreamLimits = StreamLimits(), threads: Int = 1,
                            onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in },
                            makeHandler: @escaping @Sendable (StreamPeer) -> Handler) throws(SocketError)
    {
        try self.init(plain: plain, secure: secure, limits: limits, threads: threads, onEvent: onEvent)
        handlerFactory.withLock { $0 = makeHandler }
    }

    /// Binds the ports without saying yet who handles the connections: ``start(threadName:makeHandler:)`` does.
    /// For an owner whose handlers need the server itself (to post answers to it), so that neither is built
    /// half-way: bind, build the owner with the server, then start the server with the owner's handlers.
    public init(plain: (host: String, port: Int)?, secure: (host: String, port: Int, context: TLSContext)?,
                limits: StreamLimits = StreamLimits(), threads: Int = 1,
                onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in }) throws(SocketError)
    {
        // A peer that resets while OpenSSL writes must give EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        var plainSocket: Socket?
        var secureSocket: Socket?
        do throws(SocketError) {
            if let plain { plainSocket = try Socket.bound(.stream, to: try SocketAddress(host: plain.host, port: plain.port)) }
            if let secure {
                secureSocket = try Socket.bound(.stream, to: try SocketAddress(host: secure.host, port: secure.port))
            }
        } catch {
            plainSocket?.close()
            throw error
        }
        self.plain = plainSocket
        self.secure = secureSocket
        plainAddress = try plainSocket?.localAddress()
        secureAddress = try secureSocket?.localAddress()
        tls = secure?.context
        self.limits = limits
        self.onEvent = onEvent
        var loops: [LoopShared] = []
        for index in 0 ..< max(threads, 1) {
            let wakeup = boton_eventfd()
            let epoll = boton_epoll_create()
            guard wakeup >= 0, epoll >= 0 else {
                if wakeup >= 0 { Glibc.close(wakeup) }
                if epoll >= 0 { Glibc.close(epoll) }
                for loop in loops {
                    Glibc.close(loop.wakeup)
                    Glibc.close(loop.epoll)
                }
                plainSocket?.close()
                secureSocket?.close()
                throw SocketError("epoll/eventfd")
            }
            _ = boton_epoll_ctl(epoll, 1, wakeup, boton_EPOLLIN(), Self.wakeToken)
            loops.append(LoopShared(index: index, epoll: epoll, wakeup: wakeup))
        }
        self.loops = loops
        // The first thread accepts for all.
        let acceptor = loops[0].epoll
        if let plainSocket { _ = boton_epoll_ctl(acceptor, 1, plainSocket.descriptor, boton_EPOLLIN(), Self.plainToken) }
        if let secureSocket {
            _ = boton_epoll_ctl(acceptor, 1, secureSocket.descriptor, boton_EPOLLIN(), Self.secureToken)
        }
    }

    /// How many threads serve the connections.
    public var threadCount: Int { loops.count }

    /// The thread that owns `connection` (identifiers are handed out in turn).
    private func loop(of connection: ConnectionID) -> LoopShared {
        loops.count == 1 ? loops[0] : loops[Int(connection.rawValue % UInt64(loops.count))]
    }

    public var counts: Counters {
        var counts = counters.withLock { $0 }
        counts.open = openCount.load(ordering: .relaxed)
        return counts
    }

    /// Starts the connection threads, named `name` (one thread) or `name-N` for the kernel (15 bytes are kept),
    /// with `makeHandler` for the connections (required when the init did not take one).
    public func start(threadName name: String = "boton-stream",
                      makeHandler: (@Sendable (StreamPeer) -> Handler)? = nil) {
        handlerFactory.withLock { factory in
            if let makeHandler { factory = makeHandler }
            precondition(factory != nil, "a StreamServer needs a handler factory before it starts")
        }
        var threads: [JoinableThread] = []
        for loop in loops {
            let threadName = loops.count == 1 ? name : "\(name)-\(loop.index)"
            threads.append(JoinableThread(named: threadName) { [self] in run(loop) })
        }
        self.threads.withLock { $0 = threads }
    }

    /// Nil while every connection thread runs (or after ``stop()``); why one stopped on its own otherwise.
    public var failure: String? { died.withLock { $0 } }

    /// Delivers `message` to the connection's handler on the connection's thread. Dropped if the connection is
    /// gone.
    public func post(_ message: Handler.Message, to connection: ConnectionID) {
        let loop = loop(of: connection)
        loop.outbox.withLock { $0.append((connection, message)) }
        loop.wake()
    }

    /// Posts several messages with one wake-up per thread concerned.
    public func post(contentsOf messages: some Sequence<(ConnectionID, Handler.Message)>) {
        if loops.count == 1 {
            loops[0].outbox.withLock { $0.append(contentsOf: messages) }
            loops[0].wake()
            return
        }
        var buckets = [[(ConnectionID, Handler.Message)]](repeating: [], count: loops.count)
        for message in messages { buckets[loop(of: message.0).index].append(message) }
        for (index, bucket) in buckets.enumerated() where !bucket.isEmpty {
            loops[index].outbox.withLock { $0.append(contentsOf: bucket) }
            loops[index].wake()
        }
    }

    /// Closes the listening sockets; open connections keep being served.
    public func stopAccepting() {
        stopAcceptingFlag.store(true, ordering: .releasing)
        loops[0].wake()
    }

    /// Delivers what was posted, sends what can be sent without waiting, closes every connection, joins the
    /// threads.
    public func stop() {
        stopAcceptingFlag.store(true, ordering: .releasing)
        stoppingFlag.store(true, ordering: .releasing)
        let threads = self.threads.withLock { $0 }
        for loop in loops { loop.wake() }
        for thread in threads { thread.join() }
        plain?.close()
        secure?.close()
        for loop in loops {
            // Connections handed over too late to be served.
            for arrival in loop.arrivals.withLock({ $0 }) { Glibc.close(arrival.descriptor) }
            Glibc.close(loop.wakeup)
            Glibc.close(loop.epoll)
        }
    }

    // MARK: The server's thread

    private final class Connection {
        let id: ConnectionID
        let descriptor: Int32
        let peer: SocketAddress
        let tls: TLSSession?
        var handler: Handler?
        var output = StreamOutput()
        var handshakeDeadline: Int64
        var lastActivity: Int64
        /// When the output last made progress (or stopped being empty); only meaningful while bytes wait.
        var lastWriteProgress: Int64
        var outputWasEmpty = true
        /// When it was accepted, and whether a byte has come in since.
        let acceptedAt: Int64
        var heardFrom = false
        var inputClosed = false
        var handshakeWantsWrite = false
        var readWantsWrite = false
        var writeWantsRead = false
        var failed = false
        var awaitingSettle = false
        /// The handler vouched for the connection (``StreamHandler/isProven``); until then it counts against the
        /// slots that are not reserved.
        var proven = false
        var interest: UInt32

        init(id: ConnectionID, descriptor: Int32, peer: SocketAddress, tls: TLSSession?, now: Int64,
             handshakeTimeoutMs: Int, interest: UInt32)
        {
            self.id = id
            self.descriptor = descriptor
            self.peer = peer
            self.tls = tls
            handshakeDeadline = now + Int64(handshakeTimeoutMs)
            lastActivity = now
            lastWriteProgress = now
            acceptedAt = now
            self.interest = interest
        }

        var handshaking: Bool { handler == nil }
    }

    /// One thread's own state: its connections, and (the first thread) the listening sockets' state.
    private struct Loop {
        let shared: LoopShared
        var connections: [UInt64: Connection] = [:]
        var nextID = StreamServer.firstConnectionToken
        var listening: Bool
        /// Connections with delivered messages, settled once per loop.
        var touched: [Connection] = []
        /// The accepting thread: a descriptor held in reserve (`/dev/null`), closed to accept-and-close one
        /// connection when descriptors ran out; -1 while spent.
        var reserve: Int32 = -1
        /// The accepting thread's own connections not proven yet, oldest first (ids; some may have closed or been
        /// proven since: skipped when met, and the list compacted as it grows).
        var unprovenOrder: [UInt64] = []
        var unprovenHead = 0
        /// Accepting is paused until then (descriptors ran out), or nil.
        var acceptPausedUntil: Int64?
        /// Since the last report: connections shed and pauses; when that report was made, and its errno.
        var exhaustion = (refused: 0, pauses: 0, reportedAt: Int64(0), errno: Int32(0))
        let makeHandler: @Sendable (StreamPeer) -> Handler

        init(shared: LoopShared, makeHandler: @escaping @Sendable (StreamPeer) -> Handler) {
            self.shared = shared
            self.makeHandler = makeHandler
            listening = shared.index == 0
        }

        var epoll: Int32 { shared.epoll }
    }

    private func run(_ shared: LoopShared) {
        guard let makeHandler = handlerFactory.withLock({ $0 }) else { return }
        var loop = Loop(shared: shared, makeHandler: makeHandler)
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        var posted: [(ConnectionID, Handler.Message)] = []
        var arrived: [Arrival] = []
        var nextSweep = boton_monotonic_ms() + 250
        if loop.listening { loop.reserve = Self.openReserve() }
        defer { if loop.reserve >= 0 { Glibc.close(loop.reserve) } }
        while true {
            if loop.listening && stopAcceptingFlag.load(ordering: .acquiring) { closeListeners(&loop) }
            if stoppingFlag.load(ordering: .acquiring) { break }
            if let until = loop.acceptPausedUntil, boton_monotonic_ms() >= until { resumeAccepting(&loop) }
            let timeout: Int32 = loop.acceptPausedUntil != nil ? Int32(Self.acceptPauseMs)
                : loop.connections.isEmpty ? 1000 : 250
            let n = boton_epoll_wait(loop.epoll, &tokens, &events, 64, timeout)
            if n < 0 && errno != EINTR {
                let reason = "epoll_wait failed on thread \(shared.index): errno \(errno)"
                died.withLock { if $0 == nil { $0 = reason } }
                break
            }
            var woken = false
            for i in 0 ..< max(Int(n), 0) {
                switch tokens[i] {
                case Self.wakeToken:
                    _ = boton_eventfd_drain(shared.wakeup)
                    woken = true
                case Self.plainToken: if loop.listening, let plain { acceptAll(plain, secure: false, &loop) }
                case Self.secureToken: if loop.listening, let secure { acceptAll(secure, secure: true, &loop) }
                default:
                    guard let connection = loop.connections[tokens[i]] else { continue }
                    service(connection, events: events[i], &loop)
                }
            }
            if woken, loops.count > 1 {
                shared.arrivals.withLock { swap(&$0, &arrived) }
                for arrival in arrived { adopt(arrival, &loop) }
                arrived.removeAll(keepingCapacity: true)
            }
            shared.outbox.withLock { swap(&$0, &posted) }
            deliver(&posted, &loop)
            let now = boton_monotonic_ms()
            if now >= nextSweep {
                sweep(now: now, &loop)
                nextSweep = now + 250
            }
        }
        // Stopping: answers already posted still go out if the socket takes them now.
        shared.outbox.withLock { swap(&$0, &posted) }
        deliver(&posted, &loop)
        for connection in Array(loop.connections.values) { close(connection, &loop) }
        if loop.listening { closeListeners(&loop) }
    }

    private func closeListeners(_ loop: inout Loop) {
        if loop.acceptPausedUntil == nil { removeListeners(&loop) }
        loop.acceptPausedUntil = nil
        loop.listening = false
    }

    private func removeListeners(_ loop: inout Loop) {
        if let plain { _ = boton_epoll_ctl(loop.epoll, 2, plain.descriptor, 0, 0) }
        if let secure { _ = boton_epoll_ctl(loop.epoll, 2, secure.descriptor, 0, 0) }
    }

    private static func openReserve() -> Int32 { Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC) }

    /// Out of descriptors: the connection waiting first is accepted with the reserve descriptor and closed at once
    /// (its client learns at once, instead of waiting in the backlog), and accepting pauses, so the thread does not
    /// spin on a listener that stays readable. Reported at most once a second.
    private func descriptorsRanOut(_ listener: Socket, errno error: Int32, _ loop: inout Loop) {
        if loop.reserve >= 0 {
            Glibc.close(loop.reserve)
            var storage = sockaddr_storage()
            var length = socklen_t(0)
            let fd = boton_accept(listener.descriptor, &storage, &length)
            if fd >= 0 {
                Glibc.close(fd)
                loop.exhaustion.refused += 1
                counters.withLock { $0.refusedOverLimit += 1 }
            }
            loop.reserve = Self.openReserve()
        }
        removeListeners(&loop)
        let now = boton_monotonic_ms()
        loop.acceptPausedUntil = now + Self.acceptPauseMs
        loop.exhaustion.pauses += 1
        loop.exhaustion.errno = error
        if now - loop.exhaustion.reportedAt >= 1000 {
            onEvent(.descriptorsExhausted(errno: error, refused: loop.exhaustion.refused,
                                          pauses: loop.exhaustion.pauses, open: openCount.load(ordering: .relaxed)))
            loop.exhaustion = (0, 0, now, error)
        }
    }

    private func resumeAccepting(_ loop: inout Loop) {
        loop.acceptPausedUntil = nil
        guard loop.listening else { return }
        if loop.reserve < 0 { loop.reserve = Self.openReserve() }
        if let plain { _ = boton_epoll_ctl(loop.epoll, 1, plain.descriptor, boton_EPOLLIN(), Self.plainToken) }
        if let secure { _ = boton_epoll_ctl(loop.epoll, 1, secure.descriptor, boton_EPOLLIN(), Self.secureToken) }
    }

    /// Hands every posted message to its handler, then settles each connection once: the answers of one commit
    /// to one connection leave in one write.
    private func deliver(_ posted: inout [(ConnectionID, Handler.Message)], _ loop: inout Loop) {
        guard !posted.isEmpty else { return }
        for (id, message) in posted {
            guard let connection = loop.connections[id.rawValue], let handler = connection.handler else { continue }
            handler.deliver(message, output: &connection.output)
            if !connection.awaitingSettle {
                connection.awaitingSettle = true
                loop.touched.append(connection)
            }
        }
        posted.removeAll(keepingCapacity: true)
        for connection in loop.touched {
            connection.awaitingSettle = false
            if loop.connections[connection.id.rawValue] != nil { settle(connection, &loop) }
        }
        loop.touched.removeAll(keepingCapacity: true)
    }

    /// On the first thread: accepts what is waiting and deals the connections out to the threads in turn.
    private func acceptAll(_ listener: Socket, secure: Bool, _ loop: inout Loop) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(0)
            let fd = boton_accept(listener.descriptor, &storage, &length)
            if fd < 0 {
                let error = errno
                if error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM {
                    descriptorsRanOut(listener, errno: error, &loop)
                }
                return  // EAGAIN, or a transient error (ECONNABORTED): epoll tells us again.
            }
            let peer = SocketAddress(storage: storage, length: length)
            let open = openCount.load(ordering: .relaxed)
            if open >= limits.maxConnections {
                // Counted and reported before the close, so whoever sees the close sees the count.
                counters.withLock { $0.refusedOverLimit += 1 }
                onEvent(.refusedOverLimit(peer, open: open))
                Glibc.close(fd)
                continue
            }
            let host = peer.host
            let fromHost = openByAddress.withLock { counts -> Int? in
                let n = counts[host, default: 0]
                guard n < limits.maxConnectionsPerAddress else { return n }
                counts[host] = n + 1
                return nil
            }
            if let fromHost {
                counters.withLock { $0.refusedOverLimit += 1 }
                onEvent(.refusedOverAddressLimit(peer, open: fromHost))
                Glibc.close(fd)
                continue
            }
            // Only a connection its address may still open takes an unproven one's place: an address at its own cap
            // evicts nobody.
            if limits.reservedForProven > 0,
               unprovenCount.load(ordering: .relaxed) >= limits.maxConnections - limits.reservedForProven,
               !evictOldestUnproven(&loop)
            {
                counters.withLock { $0.refusedOverLimit += 1 }
                onEvent(.refusedOverLimit(peer, open: open))
                forget(peer)
                Glibc.close(fd)
                continue
            }
            let id = ConnectionID(rawValue: loop.nextID)
            loop.nextID += 1
            openCount.add(1, ordering: .relaxed)
            unprovenCount.add(1, ordering: .relaxed)
            counters.withLock { $0.accepted += 1 }
            let arrival = Arrival(id: id, descriptor: fd, peer: peer, secure: secure)
            let owner = self.loop(of: id)
            if owner === loop.shared {
                adopt(arrival, &loop)
            } else {
                owner.arrivals.withLock { $0.append(arrival) }
                owner.wake()
            }
        }
    }

    /// On the connection's own thread: registers an accepted connection and starts serving it.
    private func adopt(_ arrival: Arrival, _ loop: inout Loop) {
        let id = arrival.id
        let fd = arrival.descriptor
        var session: TLSSession?
        if arrival.secure, let tls {
            do throws(TLSError) {
                session = try TLSSession(context: tls, descriptor: fd, server: true)
            } catch {
                Glibc.close(fd)
                openCount.subtract(1, ordering: .relaxed)
                unprovenCount.subtract(1, ordering: .relaxed)
                forget(arrival.peer)
                onEvent(.handshakeFailed(arrival.peer, reason: error.description))
                return
            }
        }
        let connection = Connection(id: id, descriptor: fd, peer: arrival.peer, tls: session,
                                    now: boton_monotonic_ms(), handshakeTimeoutMs: limits.handshakeTimeoutMs,
                                    interest: boton_EPOLLIN())
        loop.connections[id.rawValue] = connection
        if loop.listening && limits.reservedForProven > 0 { rememberUnproven(id.rawValue, &loop) }
        _ = boton_epoll_ctl(loop.epoll, 1, fd, boton_EPOLLIN(), id.rawValue)
        if session == nil {
            connection.handler = loop.makeHandler(StreamPeer(id: id, address: arrival.peer, secure: false))
        } else {
            // A client usually sends its hello with the connection; try at once.
            handshake(connection, &loop)
        }
        if loop.connections[id.rawValue] != nil { settle(connection, &loop) }
    }

    private func service(_ connection: Connection, events: UInt32, _ loop: inout Loop) {
        if events & boton_EPOLLERR() != 0 {
            close(connection, &loop)
            return
        }
        if connection.handshaking {
            handshake(connection, &loop)
            if loop.connections[connection.id.rawValue] != nil { settle(connection, &loop) }
            return
        }
        if events & boton_EPOLLIN() != 0 || (connection.readWantsWrite && events & boton_EPOLLOUT() != 0) {
            read(connection, loop.shared.readBuffer.bytes)
        }
        if events & boton_EPOLLHUP() != 0 && events & boton_EPOLLIN() == 0 {
            // Both directions are gone: nothing we write can arrive.
            close(connection, &loop)
            return
        }
        settle(connection, &loop)
    }

    private func handshake(_ connection: Connection, _ loop: inout Loop) {
        guard let session = connection.tls else { return }
        switch session.handshake() {
        case .done:
            connection.lastActivity = boton_monotonic_ms()
            connection.heardFrom = true
            connection.handler = loop.makeHandler(StreamPeer(id: connection.id, address: connection.peer, secure: true))
            read(connection, loop.shared.readBuffer.bytes)
        case .wantRead: connection.handshakeWantsWrite = false
        case .wantWrite: connection.handshakeWantsWrite = true
        case .closed:
            connection.failed = true
        case .failed(let reason):
            counters.withLock { $0.handshakeFailures += 1 }
            onEvent(.handshakeFailed(connection.peer, reason: reason))
            connection.failed = true
        }
    }

    /// Reads what the socket (or OpenSSL) has, handing it to the handler while it accepts input. A plain read that
    /// did not fill the buffer has emptied the socket: the next read would only say EAGAIN, so it is left to epoll
    /// (level-triggered: it reports anything that arrives later), which saves a system call per request.
    private func read(_ connection: Connection, _ readBufferSlice: UnsafeMutableRawBufferPointer) {
        guard let handler = connection.handler else { return }
        connection.readWantsWrite = false
        var rounds = 0
        while !connection.inputClosed, !connection.failed, !connection.output.closeWhenFlushed, handler.acceptsInput {
            rounds += 1
            if rounds > 16 && !(connection.tls?.pendingPlaintext ?? false) { break }  // fairness; epoll returns
            let count: Int
            if let session = connection.tls {
                switch session.read(into: readBufferSlice) {
                case .done(let n): count = n
                case .wantRead: return
                case .wantWrite:
                    connection.readWantsWrite = true
                    return
                case .closed: count = 0
                case .failed:
                    connection.failed = true
                    return
                }
            } else {
                let n = recv(connection.descriptor, readBufferSlice.baseAddress, readBufferSlice.count, 0)
                if n < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                    connection.failed = true
                    return
                }
                count = n
            }
            if count == 0 {
                connection.inputClosed = true
                handler.peerClosed(output: &connection.output)
                return
            }
            connection.lastActivity = boton_monotonic_ms()
            connection.heardFrom = true
            handler.received(UnsafeRawBufferPointer(rebasing: readBufferSlice[0 ..< count]), output: &connection.output)
            if connection.tls == nil && count < readBufferSlice.count { return }
        }
    }

    /// Sends what is pending, closes when asked or failed, and sets the epoll interest the connection needs now.
    private func settle(_ connection: Connection, _ loop: inout Loop) {
        if !connection.proven, let handler = connection.handler, handler.isProven {
            connection.proven = true
            unprovenCount.subtract(1, ordering: .relaxed)
        }
        if !connection.handshaking && !connection.failed {
            // Each time the output empties, the handler may go on (it may have stopped at a bound); it writes
            // only from what it already holds, so this ends.
            var hadUnsent = connection.output.unsentByteCount > 0
            flush(connection)
            while hadUnsent, connection.output.unsentByteCount == 0, !connection.failed,
                  let handler = connection.handler
            {
                handler.drained(output: &connection.output)
                hadUnsent = connection.output.unsentByteCount > 0
                if hadUnsent { flush(connection) }
            }
        }
        if connection.failed || (connection.output.closeWhenFlushed && connection.output.unsentByteCount == 0) {
            close(connection, &loop)
            return
        }
        if connection.output.unsentByteCount > limits.maxUnsentBytes {
            onEvent(.slowConsumer(connection.peer, unsentBytes: connection.output.unsentByteCount))
            close(connection, &loop)
            return
        }
        // OpenSSL may hold decrypted bytes the socket will never signal again.
        if let session = connection.tls, let handler = connection.handler, handler.acceptsInput,
           session.pendingPlaintext, !connection.inputClosed
        {
            read(connection, loop.shared.readBuffer.bytes)
            if !connection.failed { flush(connection) }
            if connection.failed {
                close(connection, &loop)
                return
            }
        }
        var want: UInt32 = 0
        if connection.handshaking {
            want = connection.handshakeWantsWrite ? boton_EPOLLOUT() : boton_EPOLLIN()
        } else {
            if let handler = connection.handler, handler.acceptsInput, !connection.inputClosed,
               !connection.output.closeWhenFlushed
            {
                want |= boton_EPOLLIN()
            }
            if connection.writeWantsRead { want |= boton_EPOLLIN() }
            if connection.readWantsWrite || connection.output.unsentByteCount > 0 { want |= boton_EPOLLOUT() }
        }
        if want != connection.interest {
            _ = boton_epoll_ctl(loop.epoll, 3, connection.descriptor, want, connection.id.rawValue)
            connection.interest = want
        }
    }

    private func flush(_ connection: Connection) {
        connection.writeWantsRead = false
        if connection.outputWasEmpty && connection.output.unsentByteCount > 0 {
            connection.lastWriteProgress = boton_monotonic_ms()
            connection.outputWasEmpty = false
        }
        defer { if connection.output.unsentByteCount == 0 { connection.outputWasEmpty = true } }
        while connection.output.unsentByteCount > 0 {
            let written: Int = connection.output.pending.withUnsafeBytes { all in
                let bytes = UnsafeRawBufferPointer(rebasing: all[connection.output.start...])
                if let session = connection.tls {
                    switch session.write(bytes) {
                    case .done(let n): return n
                    case .wantWrite: return 0
                    case .wantRead:
                        connection.writeWantsRead = true
                        return 0
                    case .closed, .failed:
                        connection.failed = true
                        return 0
                    }
                }
                let n = Glibc.send(connection.descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { connection.failed = true }
                    return 0
                }
                return n
            }
            if written == 0 { return }
            connection.output.consumed(written)
            connection.lastActivity = boton_monotonic_ms()
            connection.lastWriteProgress = connection.lastActivity
        }
    }

    private func sweep(now: Int64, _ loop: inout Loop) {
        for connection in Array(loop.connections.values) {
            if connection.handshaking {
                if now >= connection.handshakeDeadline {
                    counters.withLock { $0.timedOut += 1 }
                    onEvent(.handshakeTimedOut(connection.peer))
                    close(connection, &loop)
                }
            } else if !connection.heardFrom, now - connection.acceptedAt >= Int64(limits.firstByteTimeoutMs) {
                counters.withLock { $0.timedOut += 1 }
                onEvent(.firstByteTimedOut(connection.peer))
                close(connection, &loop)
            } else if now - connection.lastActivity >= Int64(limits.idleTimeoutMs) {
                counters.withLock { $0.timedOut += 1 }
                onEvent(.idleTimedOut(connection.peer))
                close(connection, &loop)
            } else if connection.output.unsentByteCount > 0, !connection.outputWasEmpty,
                      now - connection.lastWriteProgress >= Int64(limits.writeTimeoutMs)
            {
                counters.withLock { $0.timedOut += 1 }
                onEvent(.writeTimedOut(connection.peer, unsentBytes: connection.output.unsentByteCount))
                close(connection, &loop)
            } else if let handler = connection.handler {
                handler.tick(nowMs: now, output: &connection.output)
                settle(connection, &loop)
            }
        }
    }

    private func close(_ connection: Connection, _ loop: inout Loop) {
        guard loop.connections.removeValue(forKey: connection.id.rawValue) != nil else { return }
        _ = boton_epoll_ctl(loop.epoll, 2, connection.descriptor, 0, 0)
        // The handler hears of it first: whoever sees the socket close can rely on `closed()` having run.
        connection.handler?.closed()
        if let session = connection.tls, connection.handler != nil, !connection.failed { session.shutdown() }
        connection.handler = nil
        Glibc.close(connection.descriptor)
        openCount.subtract(1, ordering: .relaxed)
        if !connection.proven { unprovenCount.subtract(1, ordering: .relaxed) }
        forget(connection.peer)
    }

    /// On the accepting thread: a connection of its own, not proven yet, in accept order. The list is compacted
    /// when it holds more than twice the thread's connections, so it stays bounded by them.
    private func rememberUnproven(_ id: UInt64, _ loop: inout Loop) {
        loop.unprovenOrder.append(id)
        let held = loop.unprovenOrder.count - loop.unprovenHead
        if held > 2 * loop.connections.count + 64 {
            let connections = loop.connections
            loop.unprovenOrder = loop.unprovenOrder[loop.unprovenHead...].filter { id in
                connections[id].map { !$0.proven } ?? false
            }
            loop.unprovenHead = 0
        }
    }

    /// Closes the accepting thread's oldest connection not proven yet; false when it has none.
    private func evictOldestUnproven(_ loop: inout Loop) -> Bool {
        while loop.unprovenHead < loop.unprovenOrder.count {
            let id = loop.unprovenOrder[loop.unprovenHead]
            loop.unprovenHead += 1
            if loop.unprovenHead >= 1024 && loop.unprovenHead * 2 >= loop.unprovenOrder.count {
                loop.unprovenOrder.removeFirst(loop.unprovenHead)
                loop.unprovenHead = 0
            }
            guard let connection = loop.connections[id], !connection.proven else { continue }
            onEvent(.evictedUnproven(connection.peer))
            close(connection, &loop)
            return true
        }
        return false
    }

    /// One connection of `peer`'s host is gone.
    private func forget(_ peer: SocketAddress) {
        let host = peer.host
        openByAddress.withLock { counts in
            let n = counts[host, default: 1] - 1
            counts[host] = n > 0 ? n : nil
        }
    }
}

/// A server thread's read buffer (64 KiB, allocated once; only that thread reads or writes it).
private final class ReadBuffer: @unchecked Sendable {
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    deinit { bytes.deallocate() }
}
