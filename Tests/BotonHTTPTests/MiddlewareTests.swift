@testable import BotonHTTP
import Synchronization
import XCTest

final class MiddlewareTests: XCTestCase {
    func router(with middleware: [Middleware]) -> Router {
        var router = Router()
        for each in middleware { router.use(each) }
        router.get("/items/:id", { request, _ in .text(request.header(RequestID.headerName) ?? "none") })
        return router
    }

    func testRequestIDIsGeneratedOrKept() throws {
        let router = router(with: [.requestID(generate: { "0123456789abcdef" })])
        let fresh = router.respond(to: try HTTPRequest(method: .get, target: "/items/1"))
        XCTAssertEqual(fresh.headers[RequestID.headerName], "0123456789abcdef")
        XCTAssertEqual(String(decoding: fresh.body, as: UTF8.self), "0123456789abcdef", "the handler sees it")
        let kept = router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                      headers: ["x-request-id": "abc-123_X.y"]))
        XCTAssertEqual(kept.headers[RequestID.headerName], "abc-123_X.y")
        let replaced = router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                          headers: ["X-Request-Id": "bad id;<script>"]))
        XCTAssertEqual(replaced.headers[RequestID.headerName], "0123456789abcdef")
        // Also on 404s.
        XCTAssertEqual(router.respond(to: try HTTPRequest(method: .get, target: "/nope")).headers[RequestID.headerName],
                       "0123456789abcdef")
    }

    func testRandomRequestIDs() {
        let ids = (0..<100).map { _ in RequestID.random() }
        for id in ids {
            XCTAssertEqual(id.count, 16)
            XCTAssertTrue(id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, id)
            XCTAssertTrue(RequestID.isValid(id))
        }
        XCTAssertEqual(Set(ids).count, 100)
        let counted = (0..<1000).map { _ in RequestID.next() }
        XCTAssertEqual(Set(counted).count, 1000)
        XCTAssertTrue(counted.allSatisfy { $0.count == 16 && RequestID.isValid($0) })
        XCTAssertEqual(RequestID.hex(0), "0000000000000000")
        XCTAssertEqual(RequestID.hex(0x0123_4567_89ab_cdef), "0123456789abcdef")
        XCTAssertEqual(RequestID.hex(.max), "ffffffffffffffff")
        XCTAssertFalse(RequestID.isValid(""))
        XCTAssertFalse(RequestID.isValid(String(repeating: "a", count: 65)))
        XCTAssertFalse(RequestID.isValid("a b"))
    }

    func testSecurityHeaders() throws {
        var router = router(with: [.securityHeaders()])
        router.get("/framed", { _, _ in
            HTTPResponse(headers: ["X-Frame-Options": "SAMEORIGIN"])
        })
        let response = router.respond(to: try HTTPRequest(method: .get, target: "/items/1"))
        XCTAssertEqual(response.headers["Content-Security-Policy"],
                       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        XCTAssertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        XCTAssertEqual(response.headers["Referrer-Policy"], "no-referrer")
        XCTAssertEqual(response.headers["X-Frame-Options"], "DENY")
        let framed = router.respond(to: try HTTPRequest(method: .get, target: "/framed"))
        XCTAssertEqual(framed.headers.values(for: "X-Frame-Options"), ["SAMEORIGIN"], "a handler's value wins")
        XCTAssertEqual(router.respond(to: try HTTPRequest(method: .post, target: "/items/1"))
            .headers["X-Content-Type-Options"], "nosniff", "405 answers carry them too")
    }

    func testAccessLogAndOrder() throws {
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
        XCTAssertEqual(logged.map(\.route), ["/items/:id", Router.unmatchedRouteName, "/items/:id"])
        XCTAssertEqual(logged.map(\.status), [.ok, .notFound, .methodNotAllowed])
        XCTAssertEqual(logged.map(\.method), [.get, .get, .delete])
        XCTAssertEqual(logged[0].bytes, "feedfacecafebeef".utf8.count)
        XCTAssertEqual(logged[0].requestID, "feedfacecafebeef")
        XCTAssertTrue(logged.allSatisfy { $0.duration >= .zero })
        XCTAssertEqual(order.withLock { Array($0.prefix(4)) }, ["in a", "in b", "out b", "out a"])
    }

    func testShortCircuit() throws {
        let deny = Middleware { request, _, next in
            request.header("Authorization") == nil ? .status(.unauthorized) : next(request)
        }
        let router = router(with: [deny])
        XCTAssertEqual(router.respond(to: try HTTPRequest(method: .get, target: "/items/1")).status, .unauthorized)
        XCTAssertEqual(router.respond(to: try HTTPRequest(method: .get, target: "/items/1",
                                                          headers: ["Authorization": "x"])).status, .ok)
    }
}
