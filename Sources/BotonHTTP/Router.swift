/// A route handler. Synchronous on purpose: see the DocC page ("Handlers are synchronous").
public typealias RouteHandler = @Sendable (HTTPRequest, RouteParameters) throws -> HTTPResponse

/// Routes requests by method and path pattern, runs the middleware around every answer (404 and 405
/// included) and turns handler errors into responses.
///
/// Build it once at start-up (``add(_:_:_:)`` is not thread-safe: it mutates), then share it: it is an
/// immutable `Sendable` value while serving.
public struct Router: Sendable {
    /// The route name reported for requests no pattern matched (404).
    public static let unmatchedRouteName = "unmatched"

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let handler: RouteHandler
    }

    private var routes: [Route] = []
    private var middleware: [Middleware] = []
    private let onError: @Sendable (HTTPRequest, any Error) -> HTTPResponse

    /// - Parameter onError: answers a handler error other than ``HTTPError`` (log it there); the default
    ///   answers `500 Internal Server Error` without details.
    public init(onError: @escaping @Sendable (HTTPRequest, any Error) -> HTTPResponse = { _, _ in
        .status(.internalServerError)
    }) {
        self.onError = onError
    }

    /// Registers `handler` for `method` and `pattern` (`/a/:id/b`, `/static/*path`). An invalid pattern or a
    /// duplicate method + pattern is a programming error and stops the process.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        guard let parsed = RoutePattern(pattern) else { preconditionFailure("invalid route pattern \(pattern)") }
        precondition(!routes.contains { $0.method == method && $0.pattern.text == pattern },
                     "route \(method) \(pattern) registered twice")
        routes.append(Route(method: method, pattern: parsed, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) { add(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping RouteHandler) { add(.put, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping RouteHandler) {
        add(.delete, pattern, handler)
    }

    /// Appends a middleware; the first one added is the outermost (it sees the request first and the
    /// response last).
    public mutating func use(_ middleware: Middleware) { self.middleware.append(middleware) }

    /// The route for `method` and a decoded `path`. HEAD falls back to GET. Among matching patterns the
    /// most specific wins (literal over `:param` over `*tail`, from the left).
    public func match(_ method: HTTPMethod, path: String) -> RouteMatch {
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
            return .found(route: best.route.pattern.text, parameters: best.parameters, handler: best.route.handler)
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
        let matched = match(request.method, path: request.path)
        let onError = self.onError
        let innermost: Responder = { request in
            switch matched {
            case .found(_, let parameters, let handler):
                do {
                    return try handler(request, parameters)
                } catch let error as HTTPError {
                    return error.response
                } catch {
                    return onError(request, error)
                }
            case .methodNotAllowed(_, let allowed):
                var response = HTTPResponse.status(.methodNotAllowed)
                response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ", "))
                return response
            case .notFound:
                return .status(.notFound)
            }
        }
        return Middleware.chain(middleware, route: matched.routeName, around: innermost)(request)
    }
}
