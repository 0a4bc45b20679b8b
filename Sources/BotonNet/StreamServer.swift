import CLinux
import Glibc
import Synchronization

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

    public init(maxConnections: Int = 10_000, handshakeTimeoutMs: Int = 5_000, idleTimeoutMs: Int = 120_000,
                maxUnsentBytes: Int = 1 << 20)
    {
        self.maxConnections = maxConnections
        self.handshakeTimeoutMs = handshakeTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxUnsentBytes = maxUnsentBytes
    }
}

/// Something about a connection worth one log line; the server's owner logs it.
public enum StreamEvent: Sendable {
    case refusedOverLimit(SocketAddress, open: Int)
    case handshakeFailed(SocketAddress, reason: String)
    case handshakeTimedOut(SocketAddress)
    case idleTimedOut(SocketAddress)
    case slowConsumer(SocketAddress, unsentBytes: Int)
}

/// A TCP port, a TLS port, or both, served by one thread with epoll.
///
/// The thread accepts, runs TLS handshakes, reads and writes every connection, and calls the connection's
/// ``StreamHandler``; nothing else touches a connection, so no lock is held across I/O. Other threads reach a
/// connection with ``post(_:to:)``: messages go into an outbox (a mutex held only to append or swap the array)
/// and an eventfd wakes the thread. Sockets are non-blocking and epoll is level-triggered; a handler that stops
/// accepting input simply loses read interest until it accepts again (backpressure reaches the client through
/// TCP's window).
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
    private let makeHandler: @Sendable (StreamPeer) -> Handler
    private let onEvent: @Sendable (StreamEvent) -> Void
    private let wakeup: Int32
    private let epoll: Int32
    private let outbox = Mutex<[(ConnectionID, Handler.Message)]>([])
    private let control = Mutex<Control>(Control())
    private let counters = Mutex<Counters>(Counters())

    private struct Control {
        var stopAccepting = false
        var stopping = false
        var thread: pthread_t?
    }

    public struct Counters: Sendable {
        public var accepted = 0
        public var open = 0
        public var refusedOverLimit = 0
        public var handshakeFailures = 0
        public var timedOut = 0
    }

    private static var wakeToken: UInt64 { 0 }
    private static var plainToken: UInt64 { 1 }
    private static var secureToken: UInt64 { 2 }
    private static var firstConnectionToken: UInt64 { 16 }

    /// Binds the ports asked for (`plain` and/or `secure`, each host and port; port 0 picks a free one).
    public init(plain: (host: String, port: Int)?, secure: (host: String, port: Int, context: TLSContext)?,
                limits: StreamLimits = StreamLimits(),
                onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in },
                makeHandler: @escaping @Sendable (StreamPeer) -> Handler) throws(SocketError)
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
        self.makeHandler = makeHandler
        self.onEvent = onEvent
        wakeup = boton_eventfd()
        epoll = boton_epoll_create()
        guard wakeup >= 0, epoll >= 0 else { throw SocketError("epoll/eventfd") }
        _ = boton_epoll_ctl(epoll, 1, wakeup, boton_EPOLLIN(), Self.wakeToken)
        if let plainSocket { _ = boton_epoll_ctl(epoll, 1, plainSocket.descriptor, boton_EPOLLIN(), Self.plainToken) }
        if let secureSocket {
            _ = boton_epoll_ctl(epoll, 1, secureSocket.descriptor, boton_EPOLLIN(), Self.secureToken)
        }
    }

    public var counts: Counters { counters.withLock { $0 } }

    public func start() {
        let thread = spawnThread(named: "boton-stream") { [self] in run() }
        control.withLock { $0.thread = thread }
    }

    /// Delivers `message` to the connection's handler on the server's thread. Dropped if the connection is gone.
    public func post(_ message: Handler.Message, to connection: ConnectionID) {
        outbox.withLock { $0.append((connection, message)) }
        _ = boton_eventfd_signal(wakeup)
    }

    /// Posts several messages with one wake-up.
    public func post(contentsOf messages: some Sequence<(ConnectionID, Handler.Message)>) {
        outbox.withLock { $0.append(contentsOf: messages) }
        _ = boton_eventfd_signal(wakeup)
    }

    /// Closes the listening sockets; open connections keep being served.
    public func stopAccepting() {
        control.withLock { $0.stopAccepting = true }
        _ = boton_eventfd_signal(wakeup)
    }

    /// Delivers what was posted, sends what can be sent without waiting, closes every connection, joins the thread.
    public func stop() {
        let thread = control.withLock { c -> pthread_t? in
            c.stopAccepting = true
            c.stopping = true
            return c.thread
        }
        _ = boton_eventfd_signal(wakeup)
        if let thread { pthread_join(thread, nil) }
        plain?.close()
        secure?.close()
        Glibc.close(wakeup)
        Glibc.close(epoll)
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
        var inputClosed = false
        var handshakeWantsWrite = false
        var readWantsWrite = false
        var writeWantsRead = false
        var failed = false
        var awaitingSettle = false
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
            self.interest = interest
        }

        var handshaking: Bool { handler == nil }
    }

    private struct Loop {
        var connections: [UInt64: Connection] = [:]
        var nextID = StreamServer.firstConnectionToken
        var listening = true
        /// Connections with delivered messages, settled once per loop.
        var touched: [Connection] = []
    }

    private func run() {
        var loop = Loop()
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        var posted: [(ConnectionID, Handler.Message)] = []
        var nextSweep = boton_monotonic_ms() + 250
        while true {
            let state = control.withLock { ($0.stopAccepting, $0.stopping) }
            if state.0 && loop.listening { closeListeners(&loop) }
            if state.1 { break }
            let n = boton_epoll_wait(epoll, &tokens, &events, 64, loop.connections.isEmpty ? 1000 : 250)
            if n < 0 && errno != EINTR { break }
            for i in 0 ..< max(Int(n), 0) {
                switch tokens[i] {
                case Self.wakeToken: _ = boton_eventfd_drain(wakeup)
                case Self.plainToken: if loop.listening, let plain { acceptAll(plain, secure: false, &loop) }
                case Self.secureToken: if loop.listening, let secure { acceptAll(secure, secure: true, &loop) }
                default:
                    guard let connection = loop.connections[tokens[i]] else { continue }
                    service(connection, events: events[i], &loop)
                }
            }
            outbox.withLock { swap(&$0, &posted) }
            deliver(&posted, &loop)
            let now = boton_monotonic_ms()
            if now >= nextSweep {
                sweep(now: now, &loop)
                nextSweep = now + 250
            }
        }
        // Stopping: answers already posted still go out if the socket takes them now.
        outbox.withLock { swap(&$0, &posted) }
        deliver(&posted, &loop)
        for connection in Array(loop.connections.values) { close(connection, &loop) }
        if loop.listening { closeListeners(&loop) }
    }

    private func closeListeners(_ loop: inout Loop) {
        if let plain { _ = boton_epoll_ctl(epoll, 2, plain.descriptor, 0, 0) }
        if let secure { _ = boton_epoll_ctl(epoll, 2, secure.descriptor, 0, 0) }
        loop.listening = false
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

    private func acceptAll(_ listener: Socket, secure: Bool, _ loop: inout Loop) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(0)
            let fd = boton_accept(listener.descriptor, &storage, &length)
            if fd < 0 { return }  // EAGAIN, or a transient error (ECONNABORTED, EMFILE): epoll will tell us again.
            let peer = SocketAddress(storage: storage, length: length)
            if loop.connections.count >= limits.maxConnections {
                // Counted and reported before the close, so whoever sees the close sees the count.
                counters.withLock { $0.refusedOverLimit += 1 }
                onEvent(.refusedOverLimit(peer, open: loop.connections.count))
                Glibc.close(fd)
                continue
            }
            let id = ConnectionID(rawValue: loop.nextID)
            loop.nextID += 1
            var session: TLSSession?
            if secure, let tls {
                do throws(TLSError) {
                    session = try TLSSession(context: tls, descriptor: fd, server: true)
                } catch {
                    Glibc.close(fd)
                    onEvent(.handshakeFailed(peer, reason: error.description))
                    continue
                }
            }
            let connection = Connection(id: id, descriptor: fd, peer: peer, tls: session, now: boton_monotonic_ms(),
                                        handshakeTimeoutMs: limits.handshakeTimeoutMs, interest: boton_EPOLLIN())
            loop.connections[id.rawValue] = connection
            _ = boton_epoll_ctl(epoll, 1, fd, boton_EPOLLIN(), id.rawValue)
            counters.withLock {
                $0.accepted += 1
                $0.open = loop.connections.count
            }
            if session == nil {
                connection.handler = makeHandler(StreamPeer(id: id, address: peer, secure: false))
            } else {
                // A client usually sends its hello with the connection; try at once.
                handshake(connection, &loop)
            }
            if loop.connections[id.rawValue] != nil { settle(connection, &loop) }
        }
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
            read(connection)
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
            connection.handler = makeHandler(StreamPeer(id: connection.id, address: connection.peer, secure: true))
            read(connection)
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

    /// Reads what the socket (or OpenSSL) has, handing it to the handler while it accepts input.
    private func read(_ connection: Connection) {
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
            handler.received(UnsafeRawBufferPointer(rebasing: readBufferSlice[0 ..< count]), output: &connection.output)
        }
    }

    private let readBufferStorage = ReadBuffer()
    private var readBufferSlice: UnsafeMutableRawBufferPointer { readBufferStorage.bytes }

    /// Sends what is pending, closes when asked or failed, and sets the epoll interest the connection needs now.
    private func settle(_ connection: Connection, _ loop: inout Loop) {
        if !connection.handshaking && !connection.failed { flush(connection) }
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
            read(connection)
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
            _ = boton_epoll_ctl(epoll, 3, connection.descriptor, want, connection.id.rawValue)
            connection.interest = want
        }
    }

    private func flush(_ connection: Connection) {
        connection.writeWantsRead = false
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
            } else if now - connection.lastActivity >= Int64(limits.idleTimeoutMs) {
                counters.withLock { $0.timedOut += 1 }
                onEvent(.idleTimedOut(connection.peer))
                close(connection, &loop)
            } else if let handler = connection.handler {
                handler.tick(nowMs: now, output: &connection.output)
                settle(connection, &loop)
            }
        }
    }

    private func close(_ connection: Connection, _ loop: inout Loop) {
        guard loop.connections.removeValue(forKey: connection.id.rawValue) != nil else { return }
        _ = boton_epoll_ctl(epoll, 2, connection.descriptor, 0, 0)
        // The handler hears of it first: whoever sees the socket close can rely on `closed()` having run.
        connection.handler?.closed()
        if let session = connection.tls, connection.handler != nil, !connection.failed { session.shutdown() }
        connection.handler = nil
        Glibc.close(connection.descriptor)
        counters.withLock { $0.open = loop.connections.count }
    }
}

/// The server thread's read buffer (64 KiB, allocated once).
private final class ReadBuffer: @unchecked Sendable {
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    deinit { bytes.deallocate() }
}
