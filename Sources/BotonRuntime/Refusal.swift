public import BotonHTTP

/// Why the service refused an operation, as every service error of this module classifies it (enrollment,
/// console, quejas, statistics): the web layer answers each with one status code, the command line with a
/// non-zero exit.
public enum RefusalKind: String, Sendable {
    /// No such thing (or outside the caller's scope, answered alike so ids cannot be probed): 404.
    case notFound = "not_found"
    /// The caller's role or scope does not allow it: 403.
    case forbidden
    /// The current state does not allow it now: 409.
    case conflict
    /// The input is wrong: 422.
    case invalid
    /// The store failed (disk, lock timeout): 503; try again.
    case unavailable

    /// The HTTP status of the refusal.
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .conflict: return .conflict
        case .invalid: return .unprocessableContent
        case .unavailable: return .serviceUnavailable
        }
    }
}
