/// Produces the response to a request; middleware call the next one with a (possibly changed) request.
public typealias Responder = @Sendable (HTTPRequest) -> HTTPResponse

/// A function around the rest of the chain: it may change the request, short-circuit, or change the
/// response. `route` is the matched pattern (or ``Router/unmatchedRouteName``).
public struct Middleware: Sendable {
    public typealias Body = @Sendable (_ request: HTTPRequest, _ route: String, _ next: Responder) -> HTTPResponse

    public let body: Body

    public init(_ body: @escaping Body) { self.body = body }

    /// `middleware[0]` outermost, `responder` innermost.
    public static func chain(_ middleware: [Middleware], route: String, around responder: @escaping Responder)
        -> Responder {
        middleware.reversed().reduce(responder) { next, outer in
            { request in outer.body(request, route, next) }
        }
    }
}
