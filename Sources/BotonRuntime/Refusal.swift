public import BotonHTTP

/// Why the service refused an operation, as every service error classifies it (enrollment, operator accounts,
/// console, quejas, statistics): the one refusal vocabulary, carrying its HTTP status. The web layer answers each
/// with ``status``, the command line with a non-zero exit.
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
    /// Wrong credentials, or none: 401.
    case unauthorized
    /// Too many attempts: refused until a time the error gives: 429.
    case locked

    /// The HTTP status of the refusal.
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .conflict: return .conflict
        case .invalid: return .unprocessableContent
        case .unavailable: return .serviceUnavailable
        case .unauthorized: return .unauthorized
        case .locked: return .tooManyRequests
        }
    }
}

/// A service's refusal: its ``RefusalKind`` (and so its HTTP status), the Spanish sentence to show, and technical
/// detail for logs. Every service error type conforms (`EnrollmentError`, `OperatorAccountError`, `ConsoleError`,
/// `QuejaError`, `StatisticsError`), so the web layer answers any of them the same way.
public protocol Refusal: Error, Sendable {
    var kind: RefusalKind { get }
    var mensaje: String { get }
    var detail: String? { get }
}

extension Refusal {
    public var status: HTTPStatus { kind.status }
}
