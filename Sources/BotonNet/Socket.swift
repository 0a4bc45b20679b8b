import Glibc

/// A socket address: IPv4 or IPv6, as the kernel gives it.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// Resolves a numeric host (`0.0.0.0`, `127.0.0.1`, `::1`) and a port.
    public init(host: String, port: Int) throws(SocketError) {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw SocketError("getaddrinfo", errno: EINVAL, detail: "\(host):\(port)")
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
        self.init(storage: storage, length: info.pointee.ai_addrlen)
    }

    public var family: Int32 { Int32(storage.ss_family) }

    public var port: Int {
        // sin_port and sin6_port both sit at offset 2, in network byte order.
        withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self))) }
    }

    /// The numeric host without the port (`127.0.0.1`, `::1`).
    public var host: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var copy = storage
        let rc = withUnsafePointer(to: &copy) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return rc == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    /// Feeds the host's address bytes (not the port) to `hasher`: one key per sender address, for per-address
    /// limits. Swift's `Hasher` is seeded anew in each process, so a sender cannot choose addresses that collide.
    public func hashHost(into hasher: inout Hasher) {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[4 ..< 8]))
            case AF_INET6: hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[8 ..< 24]))
            default: hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[0 ..< Int(length)]))
            }
        }
    }

    public var description: String {
        family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A socket descriptor with the few operations the listeners need. A small value, like FlyingFox's `Socket`:
/// whoever creates it closes it (`close()`), exactly once. It stays inside BotonNet: other modules use the
/// listeners and clients (`DatagramClient`, `StreamClient`) and never the descriptor or the C socket API.
struct Socket: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    enum Kind: Sendable { case datagram, stream }

    /// Creates a socket bound to `address` (port 0 picks a free port), non-blocking and close-on-exec, with
    /// `SO_REUSEADDR`, and `SO_REUSEPORT` when asked (several processes or threads may then share the port).
    public static func bound(_ kind: Kind, to address: SocketAddress, reusePort: Bool = false)
        throws(SocketError) -> Socket
    {
        let type = (kind == .datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue))
            | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(address.family, type, 0)
        guard fd >= 0 else { throw SocketError("socket") }
        let socket = Socket(descriptor: fd)
        do throws(SocketError) {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try socket.setOption(SOL_SOCKET, SO_REUSEPORT, 1) }
            var storage = address.storage
            let rc = withUnsafePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, address.length) }
            }
            guard rc == 0 else { throw SocketError("bind", detail: address.description) }
            if kind == .stream {
                guard Glibc.listen(fd, 1024) == 0 else { throw SocketError("listen", detail: address.description) }
            }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// A UDP socket connected to `address` (a client: `send` and `recv` need no address, and only that peer's
    /// datagrams arrive), blocking and close-on-exec.
    /// `local`: the address to send from (a test's second loopback address), else the kernel's choice.
    public static func connectedDatagram(to address: SocketAddress, from local: SocketAddress? = nil)
        throws(SocketError) -> Socket
    {
        let fd = Glibc.socket(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        if let local {
            var storage = local.storage
            let rc = withUnsafePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, local.length) }
            }
            guard rc == 0 else {
                let error = SocketError("bind", detail: local.description)
                Glibc.close(fd)
                throw error
            }
        }
        var storage = address.storage
        let rc = withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        guard rc == 0 else {
            let error = SocketError("connect", detail: address.description)
            Glibc.close(fd)
            throw error
        }
        return Socket(descriptor: fd)
    }

    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var v = value
        guard setsockopt(descriptor, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt", detail: "\(level)/\(name)")
        }
    }

    /// The address the kernel bound (the real port when 0 was asked for).
    public func localAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard rc == 0 else { throw SocketError("getsockname") }
        return SocketAddress(storage: storage, length: length)
    }

    public func setBlocking(_ blocking: Bool) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK)
    }

    public func close() { _ = Glibc.close(descriptor) }
}
