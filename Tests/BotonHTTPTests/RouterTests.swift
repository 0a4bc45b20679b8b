import BotonHTTP
import Foundation
import Testing

@Suite struct RouterTests {
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

    @Test func parameters() throws {
        let router = makeRouter()
        let response = router.respond(to: try request(.get, "/api/v1/enrolamientos/T-123/contactos"))
        #expect(response.status == .ok)
        #expect(body(response) == "contactos tramite=T-123")
        #expect(try body(router.respond(to: request(.post, "/api/v1/enrolamientos/9/contactos")))
                    == "nuevo-contacto tramite=9")
        #expect(try body(router.respond(to: request(.get, "/"))) == "root")
    }

    @Test func percentDecodedParameters() throws {
        let response = makeRouter().respond(to: try request(.get, "/api/v1/enrolamientos/a%20b%C3%B1%3F/contactos"))
        #expect(body(response) == "contactos tramite=a bñ?")
    }

    @Test func literalBeatsParameter() throws {
        let router = makeRouter()
        #expect(try body(router.respond(to: request(.get, "/api/v1/enrolamientos/nuevo/contactos"))) == "literal")
        if case .found(let route, _, _, _) = router.match(.get, path: "/api/v1/enrolamientos/nuevo/contactos") {
            #expect(route == "/api/v1/enrolamientos/nuevo/contactos")
        } else {
            Issue.record("expected a match")
        }
    }

    @Test func wildcard() throws {
        let router = makeRouter()
        #expect(try body(router.respond(to: request(.get, "/static/css/app%20v2.css")))
                    == "static path=css/app v2.css")
        #expect(try body(router.respond(to: request(.get, "/static/"))) == "static path=")
        #expect(try router.respond(to: request(.get, "/static")).status == .notFound)
    }

    @Test func notFoundVersusMethodNotAllowed() throws {
        let router = makeRouter()
        #expect(try router.respond(to: request(.get, "/nothing/here")).status == .notFound)
        #expect(try router.respond(to: request(.get, "/api/v1/enrolamientos//contactos")).status == .notFound,
                "a parameter never matches an empty segment")
        let notAllowed = router.respond(to: try request(.put, "/api/v1/enrolamientos/7/contactos"))
        #expect(notAllowed.status == .methodNotAllowed)
        #expect(notAllowed.headers["Allow"] == "GET, HEAD, POST")
        let deleteOnly = router.respond(to: try request(.get, "/items/3"))
        #expect(deleteOnly.status == .methodNotAllowed)
        #expect(deleteOnly.headers["Allow"] == "DELETE")
        #expect(router.match(.put, path: "/items/3").routeName == "/items/:id")
        #expect(router.match(.get, path: "/zzz").routeName == Router.unmatchedRouteName)
    }

    @Test func headFallsBackToGet() throws {
        let router = makeRouter()
        let response = router.respond(to: try request(.head, "/api/v1/enrolamientos/1/contactos"))
        #expect(body(response) == "contactos tramite=1")
    }

    @Test func handlerErrors() throws {
        let router = makeRouter()
        let failed = router.respond(to: try request(.get, "/fail"))
        #expect(failed.status == .internalServerError)
        #expect(body(failed) == "500 Internal Server Error\n")
        let teapot = router.respond(to: try request(.get, "/teapot"))
        #expect(teapot.status.code == 418)
        #expect(body(teapot) == "no coffee\n")

        var custom = Router(onError: { request, error in .text("\(request.path): \(error is Boom)", status: 503) })
        custom.get("/x", { _, _ in throw Boom() })
        let answer = custom.respond(to: try request(.get, "/x"))
        #expect(answer.status == .serviceUnavailable)
        #expect(body(answer) == "/x: true")
    }

    @Test func nonBlockingRoutesAreMarkedInTheMatch() throws {
        var router = makeRouter()
        router.get("/salud", nonBlocking: true) { _, _ in .text("ok") }
        router.get("/archivos/*ruta", nonBlocking: true) { _, _ in .text("archivo") }
        #expect(router.match(.get, path: "/salud").isNonBlocking)
        #expect(router.match(.head, path: "/salud").isNonBlocking, "HEAD falls back to the GET route")
        #expect(router.match(.get, path: "/archivos/a/b").isNonBlocking)
        #expect(!router.match(.get, path: "/api/v1/enrolamientos/7/contactos").isNonBlocking)
        #expect(!router.match(.get, path: "/").isNonBlocking)
        #expect(router.match(.get, path: "/nada").isNonBlocking, "a 404 is the router's own answer")
        #expect(router.match(.post, path: "/salud").isNonBlocking, "so is a 405")
        #expect(try body(router.respond(to: request(.get, "/salud"))) == "ok")
    }

    @Test func literalRoutesFoundDirectlyFollowTheSameRules() throws {
        var router = makeRouter()
        router.post("/api/v1/enrolamientos/nuevo/contactos", echo: "literal-post")
        // The literal GET route wins over the parameter one; POST finds its own literal route.
        #expect(try body(router.respond(to: request(.get, "/api/v1/enrolamientos/nuevo/contactos")))
                    == "literal")
        #expect(try body(router.respond(to: request(.post, "/api/v1/enrolamientos/nuevo/contactos")))
                    == "literal-post")
        // HEAD has no literal route of its own: it falls back to GET's, the most specific one.
        #expect(try body(router.respond(to: request(.head, "/api/v1/enrolamientos/nuevo/contactos")))
                    == "literal")
        // PUT matches nothing: 405 naming every method of every matching pattern.
        let notAllowed = router.respond(to: try request(.put, "/api/v1/enrolamientos/nuevo/contactos"))
        #expect(notAllowed.status == .methodNotAllowed)
        #expect(notAllowed.headers["Allow"] == "GET, HEAD, POST")
        #expect(router.match(.put, path: "/api/v1/enrolamientos/nuevo/contactos").routeName
                    == "/api/v1/enrolamientos/nuevo/contactos")
        // A trailing slash is another path.
        #expect(try router.respond(to: request(.get, "/fail/")).status == .notFound)
    }

    @Test func middlewareRunInOrderAroundAMatchedRequest() throws {
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
        #expect(body(router.respond(to: request, matched: matched)) == "contactos tramite=5")
        #expect(order.items == ["outer>/api/v1/enrolamientos/:tramite/contactos",
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
