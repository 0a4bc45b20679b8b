internal import Foundation

extension HTTPResponse {
    /// `text/plain; charset=utf-8`.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// `text/html; charset=utf-8`. Escape interpolated values with ``HTMLEscaping``.
    public static func html(_ html: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }

    /// `application/json`, encoded by `JSONEncoder` with sorted keys (stable bytes for tests and caches).
    public static func json<Value: Encodable>(_ value: Value, status: HTTPStatus = .ok) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(data))
    }

    /// 303 See Other to `location`, empty body: the answer to a successful form POST.
    public static func redirect(to location: String) -> HTTPResponse {
        HTTPResponse(status: .seeOther, headers: ["Location": location])
    }

    /// A plain-text response whose body is the status line's reason phrase (`404 Not Found`).
    public static func status(_ status: HTTPStatus) -> HTTPResponse {
        .text(status.description + "\n", status: status)
    }
}
