import Glibc

/// The client side of a TCP or TLS connection, for the simulator, the load generator and the tests.
///
/// Connecting (and the TLS handshake) waits up to a deadline; afterwards the socket is non-blocking and
/// ``write(_:)`` / ``read(into:timeoutMs:)`` wait with `poll`. One thread uses a client at a time.
public final class StreamClient {
    private let socket: Socket
    private let tls: TLSSession?
    public let peer: SocketAddress

    /// Connects to `host:port` (a numeric address), then runs the TLS handshake when `tls` is given. `source`: a
    /// local address to connect from (tests use 127.0.0.2 to be a second client address on loopback).
    public init(host: String, port: Int, tls context: TLSContext? = nil, timeoutMs: Int = 5_000,
                source: String? = nil) throws(SocketError)
    {
        // OpenSSL writes with write(2): a server that vanished must give EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let address = try SocketAddress(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                              | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        socket = Socket(descriptor: fd)
        peer = address
        if let source {
            let local: SocketAddress
            do throws(SocketError) { local = try SocketAddress(host: source, port: 0) } catch {
                socket.close()
                throw error
            }
            var localStorage = local.storage
            let bound = withUnsafePointer(to: &localStorage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, local.length) }
            }
            guard bound == 0 else {
                let error = SocketError("bind", detail: local.description)
                socket.close()
                throw error
            }
        }
        var storage = address.storage
        let rc = withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        do throws(SocketError) {
            let deadline = Self.now() + Int64(timeoutMs)
            if rc != 0 {
                guard errno == EINPROGRESS else { throw SocketError("connect", detail: address.description) }
                try Self.wait(fd, for: Int16(POLLOUT), until: deadline, operation: "connect", peer: address)
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                guard error == 0 else { throw SocketError("connect", errno: error, detail: address.description) }
            }
            try? socket.setOption(Int32(IPPROTO_TCP), 1 /* TCP_NODELAY */, 1)
            if let context {
                let session: TLSSession
                do throws(TLSError) {
                    session = try TLSSession(context: context, descriptor: fd, server: false)
                } catch {
                    throw SocketError("TLS setup", errno: EPROTO, detail: error.description)
                }
                tls = session
                while true {
                    switch session.handshake() {
                    case .done: break
                    case .wantRead:
                        try Self.wait(fd, for: Int16(POLLIN), until: deadline, operation: "TLS handshake", peer: address)
                        continue
                    case .wantWrite:
                        try Self.wait(fd, for: Int16(POLLOUT), until: deadline, operation: "TLS handshake", peer: address)
                        continue
                    case .closed:
                        throw SocketError("TLS handshake", errno: ECONNRESET, detail: address.description)
                    case .failed(let reason):
                        throw SocketError("TLS handshake", errno: EPROTO, detail: "\(address): \(reason)")
                    }
                    break
                }
            } else {
                tls = nil
            }
        } catch {
            socket.close()
            throw error
        }
    }

    deinit {
        tls?.shutdown()
        socket.close()
    }

    /// The negotiated TLS version ("TLSv1.3"), or nil on plain TCP.
    public var tlsVersion: String? { tls?.protocolVersion }

    /// Writes all of `bytes`, waiting up to `timeoutMs` for the socket to take them.
    public func write(_ bytes: [UInt8], timeoutMs: Int = 5_000) throws(SocketError) {
        let deadline = Self.now() + Int64(timeoutMs)
        var offset = 0
        while offset < bytes.count {
            let result: (Int, Int16) = bytes.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                if let tls {
                    switch tls.write(rest) {
                    case .done(let n): return (n, 0)
                    case .wantRead: return (0, Int16(POLLIN))
                    case .wantWrite: return (0, Int16(POLLOUT))
                    case .closed, .failed: return (-1, 0)
                    }
                }
                let n = Glibc.send(socket.descriptor, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                if n >= 0 { return (n, 0) }
                return errno == EAGAIN || errno == EINTR ? (0, Int16(POLLOUT)) : (-1, 0)
            }
            if result.0 < 0 { throw SocketError("write", errno: errno == 0 ? EPIPE : errno, detail: peer.description) }
            offset += result.0
            if result.1 != 0 {
                try Self.wait(socket.descriptor, for: result.1, until: deadline, operation: "write", peer: peer)
            }
        }
    }

    /// Reads what is available into `buffer`, waiting up to `timeoutMs` for something to arrive. Returns the byte
    /// count, 0 when nothing arrived in time; throws when the peer closed (`ECONNRESET` for a clean close too).
    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int) throws(SocketError) -> Int {
        let deadline = Self.now() + Int64(timeoutMs)
        while true {
            var waitFor = Int16(POLLIN)
            if let tls {
                switch tls.read(into: buffer) {
                case .done(let n): return n
                case .wantRead: break
                case .wantWrite: waitFor = Int16(POLLOUT)
                case .closed: throw SocketError("read", errno: ECONNRESET, detail: "\(peer) closed the connection")
                case .failed(let reason): throw SocketError("read", errno: EPROTO, detail: "\(peer): \(reason)")
                }
            } else {
                let n = Glibc.recv(socket.descriptor, buffer.baseAddress, buffer.count, 0)
                if n > 0 { return n }
                if n == 0 { throw SocketError("read", errno: ECONNRESET, detail: "\(peer) closed the connection") }
                if errno != EAGAIN && errno != EINTR { throw SocketError("read", detail: peer.description) }
            }
            let remaining = deadline - Self.now()
            if remaining <= 0 { return 0 }
            var p = pollfd(fd: socket.descriptor, events: waitFor, revents: 0)
            if poll(&p, 1, Int32(remaining)) == 0 { return 0 }
        }
    }

    /// Closes the sending side (TCP FIN after TLS close_notify); answers still arrive.
    public func shutdownSending() {
        tls?.shutdown()
        _ = Glibc.shutdown(socket.descriptor, Int32(SHUT_WR))
    }

    public var descriptor: Int32 { socket.descriptor }

    private static func wait(_ fd: Int32, for events: Int16, until deadline: Int64, operation: String,
                             peer: SocketAddress) throws(SocketError)
    {
        while true {
            let remaining = deadline - now()
            guard remaining > 0 else { throw SocketError(operation, errno: ETIMEDOUT, detail: peer.description) }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Int32(remaining))
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw SocketError("poll", detail: peer.description) }
        }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
