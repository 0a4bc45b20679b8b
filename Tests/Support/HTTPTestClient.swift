public import BotonNet
import Foundation

/// A response as the tests see it.
public struct TestResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }
}

/// A minimal HTTP/1.1 client over a real socket (plain or TLS), for tests: writes raw requests, reads responses
/// framed by Content-Length, and can read a Server-Sent Events stream. Waits are bounded: 10 s of silence, and a
/// whole response or marker within 30 s even while bytes keep coming (a failing test, never a timing check).
public final class HTTPTestClient {
    public let connection: StreamClient
    private var buffer: [UInt8] = []

    /// `source`: the local address to connect from (127.0.0.2 is a second client address on loopback).
    public init(port: Int, tls: TLSContext? = nil, source: String? = nil) throws {
        connection = try StreamClient(host: "127.0.0.1", port: port, tls: tls, source: source)
    }

    public func send(_ raw: String) throws { try connection.write(Array(raw.utf8)) }
    public func send(_ bytes: [UInt8]) throws { try connection.write(bytes) }

    /// Sends one request with the usual headers.
    @discardableResult
    public func request(_ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = [])
        throws -> TestResponse
    {
        // `Host: test` unless the caller gives its own.
        var head = "\(method) \(target) HTTP/1.1\r\n"
            + (headers.keys.contains { $0.lowercased() == "host" } ? "" : "Host: test\r\n")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try response()
    }

    /// Reads the next response; throws when the connection ends first or the response is not complete within
    /// `limit` seconds.
    public func response(within limit: Double = 30) throws -> TestResponse {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[0 ..< end], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1]) ?? 0
                let headers = lines.dropFirst().compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4) ..< (end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return TestResponse(status: status, headers: headers, body: body)
                }
            }
            try fill(before: deadline)
        }
    }

    /// Reads until `marker` has arrived (for event streams), returns everything read so far and clears it. Throws
    /// when the connection ends first or the marker has not come within `limit` seconds.
    public func read(until marker: String, within limit: Double = 30) throws -> String {
        let bytes = Array(marker.utf8)
        let deadline = Date().addingTimeInterval(limit)
        while find(bytes) == nil { try fill(before: deadline) }
        let text = String(decoding: buffer, as: UTF8.self)
        buffer.removeAll()
        return text
    }

    /// True when the server closes the connection within `limit` seconds (whatever it sends before); false when it
    /// is still open then.
    public func closedByPeer(within limit: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            do {
                try fill(before: deadline)
            } catch let error as SocketError where error.errno == Self.timedOut {
                return false
            } catch {
                return true
            }
        }
    }

    private static let timedOut: Int32 = 110  // ETIMEDOUT

    /// Reads what arrives next: throws (ETIMEDOUT) after 10 s of silence or at `overall`, whichever comes first.
    private func fill(before overall: Date) throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let deadline = min(Date().addingTimeInterval(10), overall)
        while Date() < deadline {
            let n = try chunk.withUnsafeMutableBytes { try connection.read(into: $0, timeoutMs: 500) }
            if n > 0 {
                buffer += chunk[0 ..< n]
                return
            }
        }
        throw SocketError("read", errno: Self.timedOut, detail: "no data within 10 s, or not all of it in time")
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0 ... (buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i ..< i + needle.count]) == needle { return i }
        }
        return nil
    }
}
