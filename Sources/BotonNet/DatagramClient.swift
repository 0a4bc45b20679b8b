import Glibc

/// A connected UDP socket, as a phone (or a test) uses one: datagrams out to one server, its answers in.
///
/// Sends never block (a full socket buffer drops the datagram, as the network may); ``receive(timeoutMs:)`` waits
/// up to its timeout for the first answer and then takes every answer already queued (``receiveOne(timeoutMs:)``
/// takes one). An ICMP "port unreachable" while the server is down shows as no answer: the caller retries. One
/// thread uses a client; it closes its socket when released.
public final class DatagramClient {
    private let socket: Socket
    private var buffer: [UInt8]

    /// `receiveBuffer`: the kernel's receive buffer (`SO_RCVBUF`), for clients that expect bursts of answers.
    /// `localHost`: the numeric address to send from (e.g. `127.0.0.2`, a second sender on loopback).
    public init(host: String, port: Int, receiveBuffer: Int32? = nil, maxDatagram: Int = 64 << 10,
                localHost: String? = nil) throws(SocketError)
    {
        let local = try localHost.map { (h) throws(SocketError) in try SocketAddress(host: h, port: 0) }
        socket = try Socket.connectedDatagram(to: try SocketAddress(host: host, port: port), from: local)
        if let receiveBuffer { try? socket.setOption(SOL_SOCKET, SO_RCVBUF, receiveBuffer) }
        buffer = [UInt8](repeating: 0, count: maxDatagram)
    }

    deinit { socket.close() }

    /// Sends one datagram without waiting. False when the kernel did not take it.
    @discardableResult
    public func send(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { Glibc.send(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            == datagram.count
    }

    /// Waits up to `timeoutMs` for one answer and returns it (nil when none came); later answers stay queued.
    public func receiveOne(timeoutMs: Int) -> [UInt8]? {
        var p = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(max(timeoutMs, 0))) > 0 else { return nil }
        let n = buffer.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n >= 0 ? Array(buffer[0 ..< n]) : nil
    }

    /// Waits up to `timeoutMs` for an answer, then returns every answer queued (empty when none came).
    public func receive(timeoutMs: Int) -> [[UInt8]] {
        var p = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(max(timeoutMs, 0))) > 0 else { return [] }
        var answers: [[UInt8]] = []
        while true {
            let n = buffer.withUnsafeMutableBytes {
                recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            if n < 0 { break }
            answers.append(Array(buffer[0 ..< n]))
        }
        return answers
    }
}
