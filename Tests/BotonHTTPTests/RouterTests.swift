import BotonHTTP
import XCTest

final class RouterTests: XCTestCase {
    struct Boom: Error {}

    func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = ["Host": "a"]) throws -> HTTPRequest {
        try HTTPRequest(method: method, target: target, headers: headers)
    }

    /// Each handler answers with its own name and the parameters it received.
    func makeRouter() -> Router {
        var router = Router()
        func echo(_ name: String) -> RouteHandler {
            { _, parameters in
                .text(([name] + parameters.values.map { "\($0.name)=\($0.value)" }).joined(separator: " "))
            }
        }
        router.get("/", echo("root"))
        router.get("/api/v1/enrolamientos/:tramite/contactos", echo("contactos"))
        router.post("/api/v1/enrolamientos/:tramite/contactos", echo("nuevo-contacto"))
        router.get("/api/v1/enrolamientos/nuevo/contactos", echo("literal"))
        router.get("/static/*path", echo("static"))
        router.delete("/items/:id", echo("delete"))
        router.get("/fail", { _, _ in throw Boom() })
        router.get("/teapot", { _, _ in throw HTTPError(418, "no coffee") })
        return router
    }

    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func testParameters() throws {
        let router = makeRouter()
        let response = router.respond(to: try request(.get, "/api/v1/enrolamientos/T-123/contactos"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(body(response), "contactos tramite=T-123")
        XCTAssertEqual(body(router.respond(to: try request(.post, "/api/v1/enrolamientos/9/contactos"))),
                       "nuevo-contacto tramite=9")
        XCTAssertEqual(body(router.respond(to: try request(.get, "/"))), "root")
    }

    func testPercentDecodedParameters() throws {
        let response = makeRouter().respond(to: try request(.get, "/api/v1/enrolamientos/a%20b%C3%B1%3F/contactos"))
        XCTAssertEqual(body(response), "contactos tramite=a bñ?")
    }

    func testLiteralBeatsParameter() throws {
        let router = makeRouter()
        XCTAssertEqual(body(router.respond(to: try request(.get, "/api/v1/enrolamientos/nuevo/contactos"))), "literal")
        if case .found(let route, _, _, _) = router.match(.get, path: "/api/v1/enrolamientos/nuevo/contactos") {
            XCTAssertEqual(route, "/api/v1/enrolamientos/nuevo/contactos")
        } else {
            XCTFail("expected a match")
        }
    }

    func testWildcard() throws {
        let router = makeRouter()
        XCTAssertEqual(body(router.respond(to: try request(.get, "/static/css/app%20v2.css"))), "static path=css/app v2.css")
        XCTAssertEqual(body(router.respond(to: try request(.get, "/static/"))), "static path=")
        XCTAssertEqual(router.respond(to: try request(.get, "/static")).status, .notFound)
    }

    func testNotFoundVersusMethodNotAllowed() throws {
        let router = makeRouter()
        XCTAssertEqual(router.respond(to: try request(.get, "/nothing/here")).status, .notFound)
        XCTAssertEqual(router.respond(to: try request(.get, "/api/v1/enrolamientos//contactos")).status, .notFound,
                       "a parameter never matches an empty segment")
        let notAllowed = router.respond(to: try request(.put, "/api/v1/enrolamientos/7/contactos"))
        XCTAssertEqual(notAllowed.status, .methodNotAllowed)
        XCTAssertEqual(notAllowed.headers["Allow"], "GET, HEAD, POST")
        let deleteOnly = router.respond(to: try request(.get, "/items/3"))
        XCTAssertEqual(deleteOnly.status, .methodNotAllowed)
        XCTAssertEqual(deleteOnly.headers["Allow"], "DELETE")
        XCTAssertEqual(router.match(.put, path: "/items/3").routeName, "/items/:id")
        XCTAssertEqual(router.match(.get, path: "/zzz").routeName, Router.unmatchedRouteName)
    }

    func testHeadFallsBackToGet() throws {
        let router = makeRouter()
        let response = router.respond(to: try request(.head, "/api/v1/enrolamientos/1/contactos"))
        XCTAssertEqual(body(response), "contactos tramite=1")
    }

    func testHandlerErrors() throws {
        let router = makeRouter()
        let failed = router.respond(to: try request(.get, "/fail"))
        XCTAssertEqual(failed.status, .internalServerError)
        XCTAssertEqual(body(failed), "500 Internal Server Error\n")
        let teapot = router.respond(to: try request(.get, "/teapot"))
        XCTAssertEqual(teapot.status.code, 418)
        XCTAssertEqual(body(teapot), "no coffee\n")

        var custom = Router(onError: { request, error in .text("\(request.path): \(error is Boom)", status: 503) })
        custom.get("/x", { _, _ in throw Boom() })
        let answer = custom.respond(to: try request(.get, "/x"))
        XCTAssertEqual(answer.status, .serviceUnavailable)
        XCTAssertEqual(body(answer), "/x: true")
    }

    func testNonBlockingRoutesAreMarkedInTheMatch() throws {
        var router = makeRouter()
        router.get("/salud", nonBlocking: true) { _, _ in .text("ok") }
        router.get("/archivos/*ruta", nonBlocking: true) { _, _ in .text("archivo") }
        XCTAssertTrue(router.match(.get, path: "/salud").isNonBlocking)
        XCTAssertTrue(router.match(.head, path: "/salud").isNonBlocking, "HEAD falls back to the GET route")
        XCTAssertTrue(router.match(.get, path: "/archivos/a/b").isNonBlocking)
        XCTAssertFalse(router.match(.get, path: "/api/v1/enrolamientos/7/contactos").isNonBlocking)
        XCTAssertFalse(router.match(.get, path: "/").isNonBlocking)
        XCTAssertTrue(router.match(.get, path: "/nada").isNonBlocking, "a 404 is the router's own answer")
        XCTAssertTrue(router.match(.post, path: "/salud").isNonBlocking, "so is a 405")
        XCTAssertEqual(body(router.respond(to: try request(.get, "/salud"))), "ok")
    }

    func testLiteralRoutesFoundDirectlyFollowTheSameRules() throws {
        var router = makeRouter()
        router.post("/api/v1/enrolamientos/nuevo/contactos", echo: "literal-post")
        // The literal GET route wins over the parameter one; POST finds its own literal route.
        XCTAssertEqual(body(router.respond(to: try request(.get, "/api/v1/enrolamientos/nuevo/contactos"))),
                       "literal")
        XCTAssertEqual(body(router.respond(to: try request(.post, "/api/v1/enrolamientos/nuevo/contactos"))),
                       "literal-post")
        // HEAD has no literal route of its own: it falls back to GET's, the most specific one.
        XCTAssertEqual(body(router.respond(to: try request(.head, "/api/v1/enrolamientos/nuevo/contactos"))),
                       "literal")
        // PUT matches nothing: 405 naming every method of every matching pattern.
        let notAllowed = router.respond(to: try request(.put, "/api/v1/enrolamientos/nuevo/contactos"))
        XCTAssertEqual(notAllowed.status, .methodNotAllowed)
        XCTAssertEqual(notAllowed.headers["Allow"], "GET, HEAD, POST")
        XCTAssertEqual(router.match(.put, path: "/api/v1/enrolamientos/nuevo/contactos").routeName,
                       "/api/v1/enrolamientos/nuevo/contactos")
        // A trailing slash is another path.
        XCTAssertEqual(router.respond(to: try request(.get, "/fail/")).status, .notFound)
    }

    func testMiddlewareRunInOrderAroundAMatchedRequest() throws {
        var router = makeRouter()
        let order = Order()
        for name in ["outer", "inner"] {
            router.use(Middleware { request, route, next in
                order.append("\(name)>\(route)")
                let response = next(request)
                order.append("\(name)<")
                return response
            })
        }
        let request = try request(.get, "/api/v1/enrolamientos/5/contactos")
        let matched = router.match(request.method, path: request.path)
        XCTAssertEqual(body(router.respond(to: request, matched: matched)), "contactos tramite=5")
        XCTAssertEqual(order.items, ["outer>/api/v1/enrolamientos/:tramite/contactos",
                                     "inner>/api/v1/enrolamientos/:tramite/contactos", "inner<", "outer<"])
    }
}

/// Collects strings from `@Sendable` middleware in a test.
final class Order: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ item: String) { lock.withLock { list.append(item) } }
    var items: [String] { lock.withLock { list } }
}

extension Router {
    fileprivate mutating func post(_ pattern: String, echo name: String) {
        post(pattern) { _, _ in .text(name) }
    }
}
