import BotonHTTP
import Testing
@testable import BotonWebKit

@Suite("Rate limit and CSRF")
struct FormGuardTests {
    @Test func theBucketAllowsABurstThenRefillsAtItsRate() {
        let limiter = RateLimiter(burst: 3, perMinute: 60)
        #expect(limiter.take("198.51.100.7", now: 1000) == nil)
        #expect(limiter.take("198.51.100.7", now: 1000) == nil)
        #expect(limiter.take("198.51.100.7", now: 1000) == nil)
        #expect(limiter.take("198.51.100.7", now: 1000) == 1)
        // Another address has its own bucket.
        #expect(limiter.take("198.51.100.8", now: 1000) == nil)
        // One token a second comes back.
        #expect(limiter.take("198.51.100.7", now: 1001) == nil)
        #expect(limiter.take("198.51.100.7", now: 1001) == 1)
    }

    @Test func aMillionAddressesHoldAtMostTwoGenerationsOfBuckets() {
        let limiter = RateLimiter(burst: 2, perMinute: 60, maxKeys: 1_024)
        for i in 0 ..< 1_000_000 {
            _ = limiter.take("2001:db8::\(String(i, radix: 16))", now: 1000)
        }
        #expect(limiter.heldBuckets <= 2 * 1_024)
        // An address still asking keeps its bucket across generations: a flood of others does not refill it.
        let limiter2 = RateLimiter(burst: 2, perMinute: 1, maxKeys: 64)
        #expect(limiter2.take("198.51.100.7", now: 1000) == nil)
        #expect(limiter2.take("198.51.100.7", now: 1000) == nil)
        for i in 0 ..< 2_000 {
            _ = limiter2.take("203.0.113.\(i % 256).\(i / 256)", now: 1000)
            // Between two of its requests at most two others arrive: too few to push it out of both generations.
            if i % 2 == 0 { #expect(limiter2.take("198.51.100.7", now: 1000) != nil) }
        }
    }

    @Test func overTheLimitTheHandlerIsNotCalledAndTheAnswerIs429WithRetryAfter() throws {
        let limiter = RateLimiter(burst: 1, perMinute: 2)
        let handler = limiter.limiting { _, _ in .text("ok") }
        var request = try HTTPRequest(method: .get, target: "/registro/estado")
        request.clientAddress = "203.0.113.9"
        #expect(try handler(request, RouteParameters()).status == .ok)
        let refused = try handler(request, RouteParameters())
        #expect(refused.status == .tooManyRequests)
        #expect(refused.headers["Retry-After"] == "30")
        #expect(String(decoding: refused.body, as: UTF8.self).hasPrefix("Demasiadas solicitudes"))
    }

    @Test func aTokenIsAcceptedOnlyWithItsCookieAndThisServersSignature() throws {
        let guardA = try CSRFGuard.random()
        let guardB = try CSRFGuard.random()
        let page = try HTTPRequest(method: .get, target: "/registro")
        let (token, cookie) = try guardA.token(for: page)
        let setCookie = try #require(cookie)
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        #expect(!setCookie.contains("Secure"))

        var post = try HTTPRequest(method: .post, target: "/registro",
                                   headers: ["Cookie": "\(CSRFGuard.cookieName)=\(token)"])
        #expect(guardA.verify(post, submitted: token))
        #expect(!guardA.verify(post, submitted: nil))                       // no field
        #expect(!guardB.verify(post, submitted: token))                     // another server's key
        #expect(!guardA.verify(post, submitted: token, session: "s1"))      // bound to no session, not to s1
        let (other, _) = try guardA.token(for: page)
        #expect(!guardA.verify(post, submitted: other))                     // field and cookie differ
        post.headers = [:]
        #expect(!guardA.verify(post, submitted: token))                     // no cookie

        // A request that already has a valid cookie keeps it; over HTTPS a new cookie is Secure.
        let again = try HTTPRequest(method: .get, target: "/registro", headers: ["Cookie": "\(CSRFGuard.cookieName)=\(token)"])
        #expect(try guardA.token(for: again) == (token, nil))
        var secure = page
        secure.isSecure = true
        #expect(try guardA.token(for: secure).setCookie?.contains("; Secure") == true)
    }
}
