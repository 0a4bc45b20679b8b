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
        if case .found(let route, _, _) = router.match(.get, path: "/api/v1/enrolamientos/nuevo/contactos") {
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
}
