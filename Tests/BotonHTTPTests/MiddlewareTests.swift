@testable import BotonHTTP
import Synchronization
import Testing

@Suite struct MiddlewareTests {
    func router(with middleware: [Middleware]) -> Router {
        var router = Router()
        for each in middleware { router.use(each) }
        router.get("/items/:id", { request, _ in .text(request.header(RequestID.headerName) ?? "none") })
        return router
    }

    @Test func requestIDIsGeneratedOrKept() throws {
        let router = router(with: [.requestID(generate: { "0123456789abcdef" })])
        let fresh = router.respond(to: try HTTPRequest(method: .get, target: "/items/1"))
        #expect(fresh.headers[RequestID.headerName] == "0123456789abcdef")
        #expect(String(decoding: fresh.body, as: UTF8.self) == "0123456789abcdef", "the handler sees it")
        let kept = router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                      headers: ["x-request-id": "abc-123_X.y"]))
        #expect(kept.headers[RequestID.headerName] == "abc-123_X.y")
        let replaced = router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                          headers: ["X-Request-Id": "bad id;<script>"]))
        #expect(replaced.headers[RequestID.headerName] == "0123456789abcdef")
        // Also on 404s.
        let notFound = router.respond(to: try HTTPRequest(method: .get, target: "/nope"))
        #expect(notFound.headers[RequestID.headerName] == "0123456789abcdef")
    }

    @Test func randomRequestIDs() {
        let ids = (0..<100).map { _ in RequestID.random() }
        for id in ids {
            #expect(id.count == 16)
            #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
            #expect(RequestID.isValid(id))
        }
        #expect(Set(ids).count == 100)
        let counted = (0..<1000).map { _ in RequestID.next() }
        #expect(Set(counted).count == 1000)
        #expect(counted.allSatisfy { $0.count == 16 && RequestID.isValid($0) })
        #expect(RequestID.hex(0) == "0000000000000000")
        #expect(RequestID.hex(0x0123_4567_89ab_cdef) == "0123456789abcdef")
        #expect(RequestID.hex(.max) == "ffffffffffffffff")
        #expect(!RequestID.isValid(""))
        #expect(!RequestID.isValid(String(repeating: "a", count: 65)))
        #expect(!RequestID.isValid("a b"))
    }

    @Test func securityHeaders() throws {
        var router = router(with: [.securityHeaders()])
        router.get("/framed", { _, _ in
            HTTPResponse(headers: ["X-Frame-Options": "SAMEORIGIN"])
        })
        let response = router.respond(to: try HTTPRequest(method: .get, target: "/items/1"))
        #expect(response.headers["Content-Security-Policy"]
                    == "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
        #expect(response.headers["Referrer-Policy"] == "no-referrer")
        #expect(response.headers["X-Frame-Options"] == "DENY")
        let framed = router.respond(to: try HTTPRequest(method: .get, target: "/framed"))
        #expect(framed.headers.values(for: "X-Frame-Options") == ["SAMEORIGIN"], "a handler's value wins")
        let notAllowed = router.respond(to: try HTTPRequest(method: .post, target: "/items/1"))
        #expect(notAllowed.headers["X-Content-Type-Options"] == "nosniff", "405 answers carry them too")
    }

    @Test func accessLogAndOrder() throws {
        let entries = Mutex<[AccessLogEntry]>([])
        let order = Mutex<[String]>([])
        func tracer(_ name: String) -> Middleware {
            Middleware { request, _, next in
                order.withLock { $0.append("in \(name)") }
                let response = next(request)
                order.withLock { $0.append("out \(name)") }
                return response
            }
        }
        let router = router(with: [
            .requestID(generate: { "feedfacecafebeef" }),
            tracer("a"),
            .accessLog { entry in entries.withLock { $0.append(entry) } },
            tracer("b"),
        ])
        _ = router.respond(to: try HTTPRequest(method: .get, target: "/items/42"))
        _ = router.respond(to: try HTTPRequest(method: .get, target: "/missing"))
        _ = router.respond(to: try HTTPRequest(method: .delete, target: "/items/42"))
        let logged = entries.withLock { $0 }
        #expect(logged.map(\.route) == ["/items/:id", Router.unmatchedRouteName, "/items/:id"])
        #expect(logged.map(\.status) == [.ok, .notFound, .methodNotAllowed])
        #expect(logged.map(\.method) == [.get, .get, .delete])
        #expect(logged[0].bytes == "feedfacecafebeef".utf8.count)
        #expect(logged[0].requestID == "feedfacecafebeef")
        #expect(logged.allSatisfy { $0.duration >= .zero })
        let firstFour = order.withLock { Array($0.prefix(4)) }
        #expect(firstFour == ["in a", "in b", "out b", "out a"])
    }

    @Test func shortCircuit() throws {
        let deny = Middleware { request, _, next in
            request.header("Authorization") == nil ? .status(.unauthorized) : next(request)
        }
        let router = router(with: [deny])
        let denied = router.respond(to: try HTTPRequest(method: .get, target: "/items/1"))
        #expect(denied.status == .unauthorized)
        let allowed = router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                         headers: ["Authorization": "x"]))
        #expect(allowed.status == .ok)
    }
}

/// Finding 11: only a host name or an IP address from `Host` may go into an HTTPS redirect, its port replaced.
@Suite struct HTTPSPolicyTests {
    @Test func onlyHostNamesAndAddressesReachALocation() throws {
        #expect(HTTPSPolicy.hostName("Boton.Example.EC:8080") == "boton.example.ec")
        #expect(HTTPSPolicy.hostName("192.0.2.1") == "192.0.2.1")
        #expect(HTTPSPolicy.hostName("[2001:db8::1]:80") == "[2001:db8::1]")
        for bad in ["", "evil.example/x", "a@b", "-x.example", "x..example", "[2001:db8::1", "host:80:90", "h:8a",
                    "evil.example\\", String(repeating: "a", count: 64) + ".example"] {
            #expect(HTTPSPolicy.hostName(bad) == nil, "\(bad)")
        }
        let policy = HTTPSPolicy(httpsPort: { 443 }, plainPaths: ["/salud", "/static/", "/transparencia*"])
        var request = try HTTPRequest(method: .get, target: "/oficial?x=1")
        request.headers.add(name: "Host", value: "boton.example:80")
        #expect(policy.location(for: request) == "https://boton.example/oficial?x=1")
        #expect(policy.allowsPlain("/salud") && policy.allowsPlain("/static/a.css") && policy.allowsPlain("/transparencia.csv"))
        #expect(!policy.allowsPlain("/saludo") && !policy.allowsPlain("/oficial"))
    }
}
