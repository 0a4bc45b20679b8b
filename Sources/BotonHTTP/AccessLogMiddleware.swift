/// One served request, for an access log or metrics.
public struct AccessLogEntry: Sendable, Equatable {
    public var method: HTTPMethod
    /// The route pattern (bounded cardinality), never the raw path.
    public var route: String
    public var status: HTTPStatus
    /// Response body bytes (a HEAD answer reports the body it would have sent).
    public var bytes: Int
    /// Time spent in the inner middleware and the handler.
    public var duration: Duration
    /// The request's `X-Request-Id` as seen by this middleware (put ``Middleware/requestID(generate:)``
    /// outside it).
    public var requestID: String?

    public init(method: HTTPMethod, route: String, status: HTTPStatus, bytes: Int, duration: Duration,
                requestID: String?) {
        self.method = method
        self.route = route
        self.status = status
        self.bytes = bytes
        self.duration = duration
        self.requestID = requestID
    }
}

extension Middleware {
    /// Calls `record` once per request after the inner chain answered; no logger dependency.
    public static func accessLog(_ record: @escaping @Sendable (AccessLogEntry) -> Void) -> Middleware {
        Middleware { request, route, next in
            let clock = ContinuousClock()
            let start = clock.now
            let response = next(request)
            record(AccessLogEntry(method: request.method, route: route, status: response.status,
                                  bytes: response.body.count, duration: start.duration(to: clock.now),
                                  requestID: request.header(RequestID.headerName)))
            return response
        }
    }
}
