public import BotonCore
public import BotonHTTP
import BotonRepository
import Foundation
public import BotonRuntime
public import BotonStatistics
public import BotonWebKit

/// The quejas and transparency web layer: the public complaint form (`/quejas`), the officers' complaint pages
/// (`/oficial/quejas…`), the transparency page with its table and chart (`/transparencia…`) and the public JSON
/// API (`/api/v1/estadisticas`).
///
/// It rides on ``EnrollmentWeb`` for what the officers' pages share — sessions, CSRF, the store provider, the page
/// wrappers — so a session signed in on one page works on all. Built once by the composition root, immutable,
/// shared by every handler thread; each request makes its ``QuejaService`` or ``StatisticsService`` over the
/// connection lent to it.
public final class StatisticsWeb: Sendable {
    let web: EnrollmentWeb
    let settings: StatisticsSettings
    /// POST /quejas, per client address.
    let quejaLimiter: RateLimiter
    let logger: Logger
    let clock: @Sendable () -> Timestamp

    public init(enrollment: EnrollmentWeb, settings: StatisticsSettings, quejaLimiter: RateLimiter, logger: Logger,
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() })
    {
        web = enrollment
        self.settings = settings
        self.quejaLimiter = quejaLimiter
        self.logger = logger
        self.clock = clock
    }

    public func install(into router: inout Router) {
        installQuejaPages(into: &router)
        installOfficerQuejaPages(into: &router)
        installTransparency(into: &router)
    }

    /// Runs `body` with a complaint service over a connection lent for it.
    func withQuejas<T>(_ body: (QuejaService) throws(QuejaError) -> T) throws(QuejaError) -> T {
        try web.store.withConnection({ (connection) throws(QuejaError) -> T in
            try body(QuejaService(store: connection, logger: logger))
        }, unavailable: { QuejaError.storage($0) })
    }

    /// Runs `body` with a statistics service over a connection lent for it.
    func withStatistics<T>(_ body: (StatisticsService) throws(StatisticsError) -> T) throws(StatisticsError) -> T {
        try web.store.withConnection({ (connection) throws(StatisticsError) -> T in
            try body(StatisticsService(store: connection, settings: settings))
        }, unavailable: { StatisticsError.storage($0) })
    }

    static func status(for kind: RefusalKind) -> HTTPStatus { kind.status }

    func log(_ error: QuejaError, route: String, officer: OperatorIdentity? = nil) {
        switch error.kind {
        case .unavailable:
            logger.error("queja_unavailable", ["route": route, "code": error.code, "detail": error.detail ?? "-"])
        case .forbidden:
            logger.warning("queja_forbidden", ["route": route, "code": error.code,
                                               "operator": officer.map { String($0.id) } ?? "-"])
        default:
            break
        }
    }

    /// Field errors for the page helpers.
    static func errors(_ fields: [(String, String)]) -> HTML.Errors {
        var errors = HTML.Errors()
        errors.entries = fields.map { (field: $0.0, message: $0.1) }
        return errors
    }
}
