/// Why a request could not be parsed, and the status to answer before closing the connection.
///
/// | status | cause |
/// |---|---|
/// | 400 | malformed syntax, smuggling-prone framing, obs-fold, missing or repeated Host |
/// | 413 | body larger than ``HTTPLimits/bodyBytes`` (Content-Length or chunked total) |
/// | 414 | request line longer than ``HTTPLimits/requestLineBytes`` |
/// | 431 | header section beyond ``HTTPLimits/headerBytes`` or ``HTTPLimits/headerCount`` |
/// | 505 | an HTTP version other than 1.0 and 1.1 |
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status the server should answer with.
    public let status: HTTPStatus
    /// A short English explanation, safe to send to the client.
    public let reason: String

    public init(status: HTTPStatus, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code) \(reason)" }

    /// A plain-text response carrying the status and the reason; send it with `closeConnection: true`.
    public var response: HTTPResponse { .text(reason + "\n", status: status) }

    static func badRequest(_ reason: String) -> HTTPParseError { .init(status: .badRequest, reason: reason) }
    static func tooLarge(_ reason: String) -> HTTPParseError { .init(status: .contentTooLarge, reason: reason) }
    static func headersTooLarge(_ reason: String) -> HTTPParseError {
        .init(status: .requestHeaderFieldsTooLarge, reason: reason)
    }
    static let requestLineTooLong = HTTPParseError(status: .uriTooLong, reason: "request line too long")
    static let versionNotSupported = HTTPParseError(status: .httpVersionNotSupported,
                                                    reason: "HTTP version not supported")
}
