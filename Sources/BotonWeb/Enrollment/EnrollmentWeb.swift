public import BotonCore
import BotonCrypto
public import BotonHTTP
public import BotonRepository
import Foundation
public import BotonRuntime
public import BotonEnrollment
public import BotonWebKit
public import BotonGeo

/// The enrollment web layer: the citizens' pages (`installCitizenPages(into:)`), the officers' pages
/// (`installOfficerPages(into:)`) and the JSON API (`installAPI(into:)`), over the same
/// ``EnrollmentService`` and ``OperatorAccounts``.
///
/// Built once by the composition root and shared, immutable, by every handler thread. Each request borrows a
/// store connection for the work it does (``StoreProvider/withConnection(_:unavailable:)``): an
/// ``EnrollmentService`` is made over it inside ``withService(_:)`` and dropped with the closure.
public final class EnrollmentWeb: Sendable {
    let routing: RoutingTable
    let store: any StoreProvider
    let csrf: CSRFGuard
    let sessions: Sessions
    /// POST /registro and POST /api/v1/enrolamientos.
    let formLimiter: RateLimiter
    /// The status page and the baja, HTML and API.
    let statusLimiter: RateLimiter
    /// Sign-in, HTML and API.
    let loginLimiter: RateLimiter
    /// Wrong trámite/document pairs, per trámite and per document (see `TramiteAttempts.swift`).
    let attemptLimiter: RateLimiter
    /// Password checks running at once (`http.login_concurrency`).
    let signInSlots: ConcurrencyLimit
    /// Waits per (username, client address) after too many wrong passwords (`http.login_throttle_*`).
    public let signInThrottle: SignInThrottle
    let logger: Logger
    let clock: @Sendable () -> Timestamp

    public init(routing: RoutingTable, store: any StoreProvider, csrf: CSRFGuard,
                sessions: Sessions, formLimiter: RateLimiter, statusLimiter: RateLimiter, loginLimiter: RateLimiter,
                attemptLimiter: RateLimiter = RateLimiter(burst: 5, perHour: 10),
                signInSlots: ConcurrencyLimit = ConcurrencyLimit(2), signInThrottle: SignInThrottle = SignInThrottle(),
                logger: Logger,
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() })
    {
        self.routing = routing
        self.store = store
        self.csrf = csrf
        self.sessions = sessions
        self.formLimiter = formLimiter
        self.statusLimiter = statusLimiter
        self.loginLimiter = loginLimiter
        self.attemptLimiter = attemptLimiter
        self.signInSlots = signInSlots
        self.signInThrottle = signInThrottle
        self.logger = logger
        self.clock = clock
    }

    /// Every route of the layer.
    public func install(into router: inout Router) {
        router.unmatched = { request, status in Self.unmatchedPage(request, status) }
        installCitizenPages(into: &router)
        installOfficerPages(into: &router)
        installAPI(into: &router)
    }

    /// Runs `body` with an enrollment service over a connection lent for it.
    func withService<T>(_ body: (EnrollmentService) throws(EnrollmentError) -> T) throws(EnrollmentError) -> T {
        try store.withConnection({ (connection) throws(EnrollmentError) -> T in
            try body(EnrollmentService(store: connection, routing: routing, logger: logger))
        }, unavailable: { EnrollmentError.storage($0) })
    }

    /// The status code of a refusal.
    static func status(for kind: EnrollmentError.Kind) -> HTTPStatus { kind.status }

    /// Logs a refusal worth a line: failures of the store at error level (with the cause), scope refusals as
    /// warnings; ordinary validation is not logged.
    func log(_ error: EnrollmentError, route: String, officer: OperatorIdentity? = nil) {
        switch error.kind {
        case .unavailable:
            logger.error("enrollment_unavailable", ["route": route, "code": error.code, "detail": error.detail ?? "-"])
        case .forbidden:
            logger.warning("enrollment_forbidden", ["route": route, "code": error.code,
                                                    "operator": officer.map { String($0.id) } ?? "-"])
        case .notFound where error.isOutOfScope:
            logger.warning("enrollment_forbidden", ["route": route, "code": "out_of_scope",
                                                    "operator": officer.map { String($0.id) } ?? "-"])
        default:
            break
        }
    }

    // MARK: Requests

    /// The fields of a form body (the first of each name), or nil when the body is not a form.
    static func fields(_ request: HTTPRequest) -> [String: String]? {
        guard let list = request.formFields else { return nil }
        var out: [String: String] = [:]
        for field in list where out[field.name] == nil { out[field.name] = field.value }
        return out
    }

    // MARK: Responses

    /// An HTML page that must not be cached (it holds a CSRF token, personal data or a one-time code), with the
    /// cookies to set.
    static func page(_ title: String, _ body: String, status: HTTPStatus = .ok, cookies: [String] = [],
                     scripts: [String] = [], nav: String = "") -> HTTPResponse
    {
        var response = HTTPResponse.html(HTML.page(title: title, body: body, scripts: scripts, nav: nav),
                                         status: status)
        response.headers.replace(name: "Cache-Control", value: "no-store")
        for cookie in cookies { response.headers.add(name: "Set-Cookie", value: cookie) }
        return response
    }

    /// A request no route takes, in Spanish like every other page: JSON under `/api/`, a page elsewhere.
    static func unmatchedPage(_ request: HTTPRequest, _ status: HTTPStatus) -> HTTPResponse {
        let notFound = status == .notFound
        let mensaje = notFound
            ? "No existe esta dirección. Revise que esté bien escrita."
            : "Esta dirección no acepta esa acción (\(request.method.rawValue)). Use los botones y enlaces de la página."
        if request.path.hasPrefix("/api/") {
            return (try? json(APIJSON.Failure(error: notFound ? "no_encontrado" : "metodo_no_permitido",
                                              mensaje: mensaje, errores: nil), status: status))
                ?? .status(status)
        }
        return page(notFound ? "Página no encontrada" : "Acción no permitida",
                    HTML.alert(mensaje) + "<ul>\n<li><a href=\"/registro\">Solicitar el botón de seguridad</a></li>\n"
                        + "<li><a href=\"/registro/estado\">Consultar una solicitud</a></li>\n"
                        + "<li><a href=\"/quejas\">Presentar una queja</a></li>\n"
                        + "<li><a href=\"/oficial/ingreso\">Ingreso de servidores policiales</a></li>\n</ul>\n",
                    status: status)
    }

    /// 303 to `location`, with cookies.
    static func redirect(_ location: String, cookies: [String] = []) -> HTTPResponse {
        var response = HTTPResponse.redirect(to: location)
        response.headers.replace(name: "Cache-Control", value: "no-store")
        for cookie in cookies { response.headers.add(name: "Set-Cookie", value: cookie) }
        return response
    }

    /// The page for a form sent without a valid CSRF token.
    static func csrfRefusal(back: String) -> HTTPResponse {
        page("No se pudo enviar el formulario", HTML.alert(
            "El formulario venció o no fue enviado desde este sitio. Por seguridad no se guardó nada.")
            + "<p><a class=\"boton\" href=\"\(HTML.attribute(back))\">Volver a cargar el formulario</a></p>\n",
             status: .forbidden)
    }

    /// The page for a client over its rate limit (the limiter adds `Retry-After`).
    static func rateLimitPage(wait: Int) -> HTTPResponse {
        page("Demasiadas solicitudes", HTML.alert(
            "Recibimos demasiadas solicitudes desde su conexión. Espere \(Spanish.wait(seconds: wait)) e intente de nuevo."),
             status: .tooManyRequests)
    }

    /// A form body that is not `application/x-www-form-urlencoded` UTF-8.
    static func notAForm() -> HTTPResponse {
        page("Solicitud no válida", HTML.alert("El formulario no llegó completo. Vuelva a cargar la página e intente de nuevo."),
             status: .badRequest)
    }
}

/// Ecuador's mainland time for pages: `28/05/2026 14:05`.
enum PageTime {
    static func text(_ t: Timestamp) -> String { EcuadorTime.text(t) }
}
