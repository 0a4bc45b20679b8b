import BotonCore
import BotonStore
import Foundation

/// Closes finished months while the service runs: at start-up and every `stats.close_check_minutes`, every month
/// since the system's first record that has ended and is not closed yet is frozen
/// (``StatisticsService/closeFinishedMonths(current:at:)``). A month ends at midnight of its last day in Ecuador; the
/// first check after that closes it. Several nodes may run it against one database: a month is closed once, the
/// others find it closed.
///
/// One ``ServiceThread`` with its own store connection (confined to it); ``stop()`` wakes it and waits for it to finish.
final class MonthlyCloser: Sendable {
    private let path: String
    private let busyTimeoutMilliseconds: Int32
    private let settings: StatisticsSettings
    private let interval: Duration
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let thread = ServiceThread(name: "boton-stats")

    init(path: String, busyTimeoutMilliseconds: Int32, settings: StatisticsSettings, interval: Duration,
         logger: Logger, clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() }) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.settings = settings
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    func start() {
        thread.start { [self] in
            var store: SQLiteStore?
            repeat {
                do {
                    if store == nil {
                        store = try SQLiteStore(path: path, options: Database.Options(
                            busyTimeoutMilliseconds: busyTimeoutMilliseconds))
                    }
                    try check(StatisticsService(store: store!, settings: settings))
                } catch {
                    logger.error("stats_close_failed", ["error": "\(error)"])
                    store = nil
                }
            } while thread.pause(interval)
        }
    }

    func stop() { thread.stop() }

    private func check(_ service: StatisticsService) throws(StatisticsError) {
        let now = clock()
        for month in try service.closeFinishedMonths(current: YearMonth(ecuador: now), at: now) {
            let national = try service.figures(month, level: .nacional).figures[.national] ?? MonthlyFigures()
            logger.info("stats_month_closed", ["month": month.description, "quejas": String(national.quejas),
                                               "atenciones": String(national.atenciones), "actor": "sistema"])
        }
    }
}
