/// A route handler. Synchronous on purpose: see the DocC page ("Handlers are synchronous").
public typealias RouteHandler = @Sendable (HTTPRequest, RouteParameters) throws -> HTTPResponse

/// Routes requests by method and path pattern, runs the middleware around every answer (404 and 405
/// included) and turns handler errors into responses.
///
/// Build it once at start-up (``add(_:_:nonBlocking:_:)`` is not thread-safe: it mutates), then share it: it is an
/// immutable `Sendable` value while serving.
public struct Router: Sendable {
    /// The route name reported for requests no pattern matched (404).
    public static let unmatchedRouteName = "unmatched"

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let handler: RouteHandler
        let nonBlocking: Bool
    }

    private var routes: [Route] = []
    /// Routes whose pattern is all literal segments, by pattern text (which is then the only path they match):
    /// the lookup that answers most requests without splitting the path.
    private var literalRoutes: [String: [Int]] = [:]
    private var middleware: [Middleware] = []
    private let onError: @Sendable (HTTPRequest, any Error) -> HTTPResponse
    /// Answers a request no route matches (`404`) or whose route does not take its method (`405`, the router adds
    /// `Allow`); nil answers the status line as plain text. The application sets it to speak its users' language.
    public var unmatched: (@Sendable (HTTPRequest, HTTPStatus) -> HTTPResponse)?

    /// - Parameter onError: answers a handler error other than ``HTTPError`` (log it there); the default
    ///   answers `500 Internal Server Error` without details.
    public init(onError: @escaping @Sendable (HTTPRequest, any Error) -> HTTPResponse = { _, _ in
        .status(.internalServerError)
    }) {
        self.onError = onError
    }

    /// Registers `handler` for `method` and `pattern` (`/a/:id/b`, `/static/*path`). An invalid pattern or a
    /// duplicate method + pattern is a programming error and stops the process.
    ///
    /// `nonBlocking`: the handler promises never to block its thread (no file, database or network I/O, no
    /// waiting, no long computation, no lock held for long), so a server may run it on the thread that serves the
    /// connection instead of handing it to a worker thread (see ``RouteMatch/isNonBlocking``). Leave it false
    /// when in doubt: a blocking handler marked non-blocking stalls every connection of that thread.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, nonBlocking: Bool = false,
                             _ handler: @escaping RouteHandler) {
        guard let parsed = RoutePattern(pattern) else { preconditionFailure("invalid route pattern \(pattern)") }
        precondition(!routes.contains { $0.method == method && $0.pattern.text == pattern },
                     "route \(method) \(pattern) registered twice")
        if parsed.isLiteral { literalRoutes[pattern, default: []].append(routes.count) }
        routes.append(Route(method: method, pattern: parsed, handler: handler, nonBlocking: nonBlocking))
    }

    public mutating func get(_ pattern: String, nonBlocking: Bool = false, _ handler: @escaping RouteHandler) {
        add(.get, pattern, nonBlocking: nonBlocking, handler)
    }
    public mutating func post(_ pattern: String, nonBlocking: Bool = false, _ handler: @escaping RouteHandler) {
        add(.post, pattern, nonBlocking: nonBlocking, handler)
    }
    public mutating func put(_ pattern: String, nonBlocking: Bool = false, _ handler: @escaping RouteHandler) {
        add(.put, pattern, nonBlocking: nonBlocking, handler)
    }
    public mutating func delete(_ pattern: String, nonBlocking: Bool = false, _ handler: @escaping RouteHandler) {
        add(.delete, pattern, nonBlocking: nonBlocking, handler)
    }

    /// Appends a middleware; the first one added is the outermost (it sees the request first and the
    /// response last).
    public mutating func use(_ middleware: Middleware) { self.middleware.append(middleware) }

    /// The route for `method` and a decoded `path`. HEAD falls back to GET. Among matching patterns the
    /// most specific wins (literal over `:param` over `*tail`, from the left).
    public func match(_ method: HTTPMethod, path: String) -> RouteMatch {
        // An all-literal pattern equal to the path beats every other pattern that matches it (it is literal at
        // every position), so when one exists for this very method it is the answer.
        if let indices = literalRoutes[path] {
            for index in indices where routes[index].method == method {
                let route = routes[index]
                return .found(route: route.pattern.text, parameters: RouteParameters(), handler: route.handler,
                              nonBlocking: route.nonBlocking)
            }
        }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var candidates: [(route: Route, parameters: RouteParameters)] = []
        for route in routes {
            if let parameters = route.pattern.match(segments) { candidates.append((route, parameters)) }
        }
        guard !candidates.isEmpty else { return .notFound }
        let forMethod = candidates.filter { $0.route.method == method }
        let chosen = forMethod.isEmpty && method == .head
            ? candidates.filter { $0.route.method == .get } : forMethod
        if let best = mostSpecific(chosen) {
            return .found(route: best.route.pattern.text, parameters: best.parameters, handler: best.route.handler,
                          nonBlocking: best.route.nonBlocking)
        }
        var allowed = Set(candidates.map(\.route.method))
        if allowed.contains(.get) { allowed.insert(.head) }
        let name = mostSpecific(candidates)?.route.pattern.text ?? Self.unmatchedRouteName
        return .methodNotAllowed(route: name, allowed: allowed.sorted())
    }

    private func mostSpecific(_ candidates: [(route: Route, parameters: RouteParameters)])
        -> (route: Route, parameters: RouteParameters)? {
        candidates.reduce(nil) { best, candidate in
            guard let best else { return candidate }
            return candidate.route.pattern.isMoreSpecific(than: best.route.pattern) ? candidate : best
        }
    }

    /// Routes `request`, runs the middleware and the handler, and returns the response: 404 when no pattern
    /// matches the path, 405 with `Allow` when patterns match but not for this method, the ``HTTPError``'s
    /// response or `onError`'s when the handler throws.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        respond(to: request, matched: match(request.method, path: request.path))
    }

    /// ``respond(to:)`` for a request already matched with ``match(_:path:)`` (a server that looked at the match
    /// to choose a thread does not route twice).
    public func respond(to request: HTTPRequest, matched: RouteMatch) -> HTTPResponse {
        respond(request, through: 0, route: matched.routeName, matched: matched)
    }

    /// Runs the middleware around `responder` instead of a routed handler, with `route` as the route's name: for
    /// answers a server produces itself (an event stream's head), so they get the same request id, access log and
    /// security headers as every routed answer.
    public func respond(to request: HTTPRequest, route: String, with responder: @escaping Responder) -> HTTPResponse {
        Middleware.chain(middleware, route: route, around: responder)(request)
    }

    /// Middleware `index` and everything inside it. `next` is a non-escaping closure, so a request builds no
    /// closure on the heap (``Middleware/chain(_:route:around:)`` does, once per call).
    private func respond(_ request: HTTPRequest, through index: Int, route: String, matched: RouteMatch)
        -> HTTPResponse {
        guard index < middleware.count else { return answer(request, matched) }
        return middleware[index].body(request, route) { request in
            respond(request, through: index + 1, route: route, matched: matched)
        }
    }

    private func answer(_ request: HTTPRequest, _ matched: RouteMatch) -> HTTPResponse {
        switch matched {
        case .found(_, let parameters, let handler, _):
            do {
                return try handler(request, parameters)
            } catch let error as HTTPError {
                return error.response
            } catch {
                return onError(request, error)
            }
        case .methodNotAllowed(_, let allowed):
            var response = unmatched?(request, .methodNotAllowed) ?? .status(.methodNotAllowed)
            response.headers.replace(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ", "))
            return response
        case .notFound:
            return unmatched?(request, .notFound) ?? .status(.notFound)
        }
    }
}
