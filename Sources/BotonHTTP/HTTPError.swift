/// An error a route handler throws to answer with a specific status and a plain-text message.
///
/// The router turns it into `HTTPResponse.text(message, status: status)`; any other error becomes the
/// router's error response (500 by default).
public struct HTTPError: Error, Equatable, Sendable {
    public var status: HTTPStatus
    /// Sent to the client: keep it short and free of internal details.
    public var message: String
    /// Extra response headers (`Retry-After` on a 503 or 429).
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, _ message: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message ?? status.description
        self.headers = headers
    }

    public var response: HTTPResponse {
        var response = HTTPResponse.text(message + "\n", status: status)
        for field in headers { response.headers.replace(name: field.name, value: field.value) }
        return response
    }
}
