/// An error a route handler throws to answer with a specific status and a plain-text message.
///
/// The router turns it into `HTTPResponse.text(message, status: status)`; any other error becomes the
/// router's error response (500 by default).
public struct HTTPError: Error, Equatable, Sendable {
    public var status: HTTPStatus
    /// Sent to the client: keep it short and free of internal details.
    public var message: String

    public init(_ status: HTTPStatus, _ message: String? = nil) {
        self.status = status
        self.message = message ?? status.description
    }

    public var response: HTTPResponse { .text(message + "\n", status: status) }
}
