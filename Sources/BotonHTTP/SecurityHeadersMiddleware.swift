/// The security headers every response carries.
public enum SecurityHeaders {
    public static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// Name and value, in the order they are added.
    public static let fields: [(name: String, value: String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ]
}

extension Middleware {
    /// Adds each of ``SecurityHeaders/fields`` that the response does not already set (a handler may set a
    /// stricter or route-specific value itself).
    public static func securityHeaders() -> Middleware {
        Middleware { request, _, next in
            var response = next(request)
            for field in SecurityHeaders.fields {
                response.headers.addIfAbsent(name: field.name, value: field.value)
            }
            return response
        }
    }
}
