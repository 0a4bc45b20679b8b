public import BotonHTTP
import Foundation
import Synchronization

/// A token bucket per client address: `burst` requests at once, refilled at `perMinute` a minute. Used on the
/// public form and the status page, where a script could otherwise guess trámite numbers or flood the UPCs.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let burst: Double
    private let perSecond: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(burst: Int, perMinute: Int) {
        self.burst = Double(max(burst, 1))
        perSecond = Double(max(perMinute, 1)) / 60
    }

    /// Takes a token for `key` at `now` (seconds). Returns nil when allowed, else the whole seconds to wait.
    public func take(_ key: String, now: Double) -> Int? {
        buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets = buckets.filter { now - $0.value.updated < 3600 } }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return Int(((1 - bucket.tokens) / perSecond).rounded(.up))
        }
    }

    /// The default refusal: a Spanish sentence in plain text.
    public static func plainRefusal(wait: Int) -> HTTPResponse {
        .text("Demasiadas solicitudes desde su conexión. Intente de nuevo en \(wait) segundos.\n", status: .tooManyRequests)
    }

    /// Wraps `handler`: over the limit, `refusal` (429 with a Spanish message by default; a page or JSON for
    /// routes that answer those) with `Retry-After` set; the handler is not called.
    public func limiting(_ handler: @escaping RouteHandler,
                         refusal: @escaping @Sendable (_ wait: Int) -> HTTPResponse = RateLimiter.plainRefusal)
        -> RouteHandler
    {
        { request, parameters in
            if let wait = self.take(request.clientAddress, now: Date().timeIntervalSince1970) {
                var response = refusal(wait)
                response.status = .tooManyRequests
                response.headers.replace(name: "Retry-After", value: String(wait))
                return response
            }
            return try handler(request, parameters)
        }
    }
}
