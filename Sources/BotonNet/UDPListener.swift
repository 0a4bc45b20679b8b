import CLinux
import Glibc
import Synchronization
import BotonRuntime

/// Receives datagrams from the listener's thread. Called once per datagram, in arrival order; it must not block.
/// It answers at once by returning a reply, or later through ``UDPListener/send(_:)``.
public protocol DatagramHandler: Sendable {
    func handle(datagram: UnsafeRawBufferPointer, truncated: Bool, from peer: SocketAddress) -> DatagramReply?
}

/// A UDP port served by one thread with batched system calls.
///
/// The thread owns the socket and an eventfd, both registered with one epoll instance. Readable socket: up to
/// `batchSize` datagrams per `recvmmsg`, each handed to the ``DatagramHandler``; immediate replies leave in one
/// `sendmmsg`. Replies posted from other threads (``send(_:)``, e.g. the group-commit writer after a commit)
/// go into an outbox under a mutex held only to append or swap the array, never across a system call; the
/// eventfd wakes the thread to send them. `SO_REUSEPORT` lets several listeners share one port.
public final class UDPListener: Sendable {
    public let address: SocketAddress
    private let socket: Socket
    private let wakeup: Int32
    private let epoll: Int32
    /// Set once, by the init that takes it or by ``start(handler:)``, before the thread runs.
    private let handlerSlot = Mutex<(any DatagramHandler)?>(nil)
    private let batchSize: Int
    private let outbox = Mutex<[DatagramReply]>([])
    private let state = Mutex<(stopping: Bool, thread: JoinableThread?)>((false, nil))
    private let died = Mutex<String?>(nil)

    /// Nil while the receive thread runs (or after ``stop()``); why it stopped on its own otherwise.
    public var failure: String? { died.withLock { $0 } }
    private let counters = Mutex<Counters>(Counters())

    public struct Counters: Sendable {
        public var received = 0
        public var sent = 0
        public var truncated = 0
        public var sendFailures = 0
    }

    /// Binds `host:port` (port 0 picks a free one) with `handler` for the datagrams.
    public convenience init(host: String, port: Int, handler: any DatagramHandler, batchSize: Int = 64,
                            reusePort: Bool = true) throws(SocketError)
    {
        try self.init(host: host, port: port, batchSize: batchSize, reusePort: reusePort)
        handlerSlot.withLock { $0 = handler }
    }

    /// Binds `host:port` without saying yet who handles the datagrams: ``start(handler:)`` does. For an owner whose
    /// handler needs the listener itself (to send later answers through it).
    public init(host: String, port: Int, batchSize: Int = 64, reusePort: Bool = true) throws(SocketError) {
        let socket = try Socket.bound(.datagram, to: try SocketAddress(host: host, port: port), reusePort: reusePort)
        // Room for bursts while the thread is busy: 4 MiB of receive buffer (the kernel may cap it).
        try? socket.setOption(SOL_SOCKET, SO_RCVBUF, 4 << 20)
        self.socket = socket
        self.address = try socket.localAddress()
        self.batchSize = min(max(batchSize, 1), 256)
        wakeup = boton_eventfd()
        epoll = boton_epoll_create()
        guard wakeup >= 0, epoll >= 0 else { throw SocketError("epoll/eventfd") }
        _ = boton_epoll_ctl(epoll, 1, socket.descriptor, boton_EPOLLIN(), 0)
        _ = boton_epoll_ctl(epoll, 1, wakeup, boton_EPOLLIN(), 1)
    }

    public var counts: Counters { counters.withLock { $0 } }

    /// Starts the listener's thread, with `handler` for the datagrams (required when the init did not take one).
    public func start(handler: (any DatagramHandler)? = nil) {
        let chosen = handlerSlot.withLock { slot in
            if let handler { slot = handler }
            return slot
        }
        guard let chosen else { preconditionFailure("a UDPListener needs a handler before it starts") }
        let thread = JoinableThread(named: "boton-udp") { [self] in run(chosen) }
        state.withLock { $0.thread = thread }
    }

    /// Queues replies from any thread; the listener's thread sends them.
    public func send(_ replies: some Sequence<DatagramReply>) {
        outbox.withLock { $0.append(contentsOf: replies) }
        _ = boton_eventfd_signal(wakeup)
    }

    /// Stops receiving, sends what is queued, and joins the thread.
    public func stop() {
        let thread = state.withLock { s -> JoinableThread? in
            s.stopping = true
            return s.thread
        }
        _ = boton_eventfd_signal(wakeup)
        thread?.join()
        socket.close()
        Glibc.close(wakeup)
        Glibc.close(epoll)
    }

    private func run(_ handler: any DatagramHandler) {
        let capacity = 2048
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: capacity * batchSize, alignment: 16)
        let slots = UnsafeMutablePointer<boton_datagram>.allocate(capacity: batchSize)
        let outSlots = UnsafeMutablePointer<boton_datagram>.allocate(capacity: 256)
        defer {
            buffers.deallocate()
            slots.deallocate()
            outSlots.deallocate()
        }
        var immediate: [DatagramReply] = []
        immediate.reserveCapacity(batchSize)
        var pending: [DatagramReply] = []
        pending.reserveCapacity(1024)
        var tokens = [UInt64](repeating: 0, count: 4)
        var events = [UInt32](repeating: 0, count: 4)
        while true {
            if state.withLock({ $0.stopping }) { break }
            let n = boton_epoll_wait(epoll, &tokens, &events, 4, 1000)
            if n < 0 && errno != EINTR {
                let reason = "epoll_wait failed: errno \(errno)"
                died.withLock { $0 = reason }
                break
            }
            // Replies posted by other threads.
            _ = boton_eventfd_drain(wakeup)
            outbox.withLock { swap(&$0, &pending) }
            if !pending.isEmpty {
                sendAll(pending, slots: outSlots)
                pending.removeAll(keepingCapacity: true)
            }
            // Datagrams, until the socket would block.
            while true {
                for i in 0..<batchSize {
                    slots[i] = boton_datagram()
                    slots[i].buffer = buffers + i * capacity
                    slots[i].capacity = UInt32(capacity)
                }
                let received = Int(boton_recv_batch(socket.descriptor, slots, UInt32(batchSize), Int32(MSG_DONTWAIT)))
                if received <= 0 { break }
                var truncated = 0
                for i in 0..<received {
                    let peer = SocketAddress(storage: slots[i].peer, length: slots[i].peer_length)
                    let bytes = UnsafeRawBufferPointer(start: slots[i].buffer, count: Int(slots[i].length))
                    if slots[i].truncated != 0 { truncated += 1 }
                    if let reply = handler.handle(datagram: bytes, truncated: slots[i].truncated != 0, from: peer) {
                        immediate.append(reply)
                    }
                }
                counters.withLock {
                    $0.received += received
                    $0.truncated += truncated
                }
                if !immediate.isEmpty {
                    sendAll(immediate, slots: outSlots)
                    immediate.removeAll(keepingCapacity: true)
                }
                if received < batchSize { break }
            }
        }
        // Drain what was posted before the stop.
        outbox.withLock { swap(&$0, &pending) }
        if !pending.isEmpty { sendAll(pending, slots: outSlots) }
    }

    private func sendAll(_ replies: [DatagramReply], slots: UnsafeMutablePointer<boton_datagram>) {
        var start = 0
        var sent = 0, failed = 0
        while start < replies.count {
            let count = min(256, replies.count - start)
            // The reply values must stay put while the kernel reads them: copy their bytes into the slots' peers
            // and point at a stable copy of the array's storage.
            replies.withUnsafeBufferPointer { all in
                for i in 0..<count {
                    let r = all.baseAddress! + start + i
                    slots[i] = boton_datagram()
                    slots[i].peer = r.pointee.peer.storage
                    slots[i].peer_length = r.pointee.peer.length
                    slots[i].length = UInt32(r.pointee.count)
                    // Bytes live inline in the array element; its address is stable for this call.
                    slots[i].buffer = UnsafeMutableRawPointer(mutating: UnsafeRawPointer(r)) + DatagramReply.bytesOffset
                }
                var offset = 0
                while offset < count {
                    let n = Int(boton_send_batch(socket.descriptor, slots + offset, UInt32(count - offset), 0))
                    if n <= 0 {
                        if errno == EINTR { continue }
                        failed += count - offset
                        break
                    }
                    sent += n
                    offset += n
                }
            }
            start += count
        }
        counters.withLock {
            $0.sent += sent
            $0.sendFailures += failed
        }
    }
}
