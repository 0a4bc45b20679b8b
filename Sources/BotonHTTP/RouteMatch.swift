/// The outcome of ``Router/match(_:path:)``.
public enum RouteMatch: Sendable {
    /// A route for this method; `route` is its pattern (the metrics name).
    case found(route: String, parameters: RouteParameters, handler: RouteHandler)
    /// Patterns match the path, but none for this method; `allowed` is sorted and includes HEAD when GET is.
    case methodNotAllowed(route: String, allowed: [HTTPMethod])
    /// No pattern matches the path.
    case notFound

    /// The pattern, or ``Router/unmatchedRouteName``: a bounded label for metrics and access logs.
    public var routeName: String {
        switch self {
        case .found(let route, _, _), .methodNotAllowed(let route, _): route
        case .notFound: Router.unmatchedRouteName
        }
    }
}
