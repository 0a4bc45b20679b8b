/// A complete response: status, header fields and body.
///
/// Framing is the serializer's job: `Content-Length`, `Transfer-Encoding` and `Connection` fields set here
/// are ignored by ``serialize(closeConnection:headOnly:date:)``.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
