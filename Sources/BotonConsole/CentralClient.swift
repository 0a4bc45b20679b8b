import BotonNet
import Foundation

/// The smallest HTTP/1.1 client the central needs: one `POST` of a JSON body per connection
/// (`Connection: close`), answered by a status line. Only the status matters: 2xx is delivered, anything else
/// (or no answer within the timeout) is retried.
struct CentralClient: Sendable {
    struct Target: Sendable {
        let secure: Bool
        let host: String
        let port: Int
        let path: String
    }

    let target: Target
    let timeoutMs: Int

    /// Parses `http://host[:port]/path` or `https://…`; nil for anything else.
    static func target(_ url: String) -> Target? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return nil }
        let secure = scheme == "https"
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return Target(secure: secure, host: host, port: components.port ?? (secure ? 443 : 80), path: path + query)
    }

    /// Sends `body`; returns the status code, or throws with what went wrong.
    func post(_ body: String, idempotencyKey: String) throws -> Int {
        let context = target.secure ? try TLSContext(clientVerifying: nil, maximumVersion: .tls13) : nil
        let client = try StreamClient(host: target.host, port: target.port, tls: context, timeoutMs: timeoutMs)
        let payload = Array(body.utf8)
        let head = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(payload.count)\r\nIdempotency-Key: \(idempotencyKey)\r\n"
            + "User-Agent: boton-de-seguridad\r\nConnection: close\r\n\r\n"
        try client.write(Array(head.utf8) + payload, timeoutMs: timeoutMs)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(0x0A), received.count < 8192 {
            let n = try buffer.withUnsafeMutableBytes { try client.read(into: $0, timeoutMs: timeoutMs) }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        let line = String(decoding: received.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw CentralError(detail: "no HTTP status line in the answer: \(line.prefix(80))")
        }
        return status
    }
}

struct CentralError: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}
