public import BotonHTTP
import Foundation
import BotonRuntime

/// A token bucket per client address: `burst` requests at once, refilled at `perMinute` a minute. Used on the
/// public form and the status page, where a script could otherwise guess trámite numbers or flood the UPCs.
///
/// Every request costs O(1) and the memory is bounded, however many addresses ask: the buckets live in a
/// ``GenerationalTable`` (sharded, two generations of at most `maxKeys` buckets). A bucket dropped from it starts
/// full again, as one whose address stayed away would have.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let burst: Double
    private let perSecond: Double
    private let buckets: GenerationalTable<String, Bucket>

    /// `maxKeys`: addresses remembered per generation, in all shards together (at most twice as many are held).
    public convenience init(burst: Int, perMinute: Int, maxKeys: Int = 65_536) {
        self.init(burst: burst, perSecond: Double(max(perMinute, 1)) / 60, maxKeys: maxKeys)
    }

    /// A bucket refilled at `perHour` an hour: for keys that are not addresses (a número de trámite, a document),
    /// where a guess is worth much more than a request.
    public convenience init(burst: Int, perHour: Int, maxKeys: Int = 65_536) {
        self.init(burst: burst, perSecond: Double(max(perHour, 1)) / 3_600, maxKeys: maxKeys)
    }

    private init(burst: Int, perSecond: Double, maxKeys: Int) {
        self.burst = Double(max(burst, 1))
        self.perSecond = perSecond
        buckets = GenerationalTable(maxKeys: maxKeys)
    }

    /// Whether `key` has a token at `now` without taking it: nil when it has, else the whole seconds until it
    /// will. (A limiter of wrong guesses looks before the guess is checked and takes only for a wrong one.)
    public func wait(_ key: String, now: Double) -> Int? {
        buckets.peek(key) { bucket in
            guard let bucket else { return nil }
            let tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * perSecond)
            return tokens >= 1 ? nil : Int(((1 - tokens) / perSecond).rounded(.up))
        }
    }

    /// Takes a token for `key` at `now` (seconds). Returns nil when allowed, else the whole seconds to wait.
    public func take(_ key: String, now: Double) -> Int? {
        buckets.update(key) { stored in
            var bucket = stored ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * perSecond)
            bucket.updated = now
            let wait: Int?
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                wait = nil
            } else {
                wait = Int(((1 - bucket.tokens) / perSecond).rounded(.up))
            }
            stored = bucket
            return wait
        }
    }

    /// Buckets held now, in every shard and generation (tests).
    var heldBuckets: Int { buckets.count }

    /// The default refusal: a Spanish sentence in plain text.
    public static func plainRefusal(wait: Int) -> HTTPResponse {
        .text("Demasiadas solicitudes desde su conexión. Intente de nuevo en \(wait) segundo\(wait == 1 ? "" : "s").\n", status: .tooManyRequests)
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
