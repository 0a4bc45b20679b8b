/// The outcome of ``Router/match(_:path:)``.
public enum RouteMatch: Sendable {
    /// A route for this method; `route` is its pattern (the metrics name); `nonBlocking` as registered.
    case found(route: String, parameters: RouteParameters, handler: RouteHandler, nonBlocking: Bool)
    /// Patterns match the path, but none for this method; `allowed` is sorted and includes HEAD when GET is.
    case methodNotAllowed(route: String, allowed: [HTTPMethod])
    /// No pattern matches the path.
    case notFound

    /// The pattern, or ``Router/unmatchedRouteName``: a bounded label for metrics and access logs.
    public var routeName: String {
        switch self {
        case .found(let route, _, _, _), .methodNotAllowed(let route, _): route
        case .notFound: Router.unmatchedRouteName
        }
    }

    /// True when answering cannot block: a route registered `nonBlocking`, or a 404/405 (built by the router
    /// itself). The router's middleware run either way, so middleware must never block.
    public var isNonBlocking: Bool {
        switch self {
        case .found(_, _, _, let nonBlocking): nonBlocking
        case .methodNotAllowed, .notFound: true
        }
    }
}
