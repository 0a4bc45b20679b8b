public import BotonCore
public import BotonRepository
public import BotonRuntime

/// Closes finished months while the service runs: at start-up and every `stats.close_check_minutes`, every month
/// since the system's first record that has ended and is not closed yet is frozen
/// (``StatisticsService/closeFinishedMonths(current:at:)``). A month ends at midnight of its last day in Ecuador; the
/// first check after that closes it. Several nodes may run it against one database: a month is closed once, the
/// others find it closed. It runs on the cluster's leader only: each check first asks `isLeader` (always true with
/// one node), and the node that becomes the leader wakes it (``changed()``) to check at once.
///
/// One ``ServiceThread`` with its own store connection (confined to it); ``stop()`` wakes it and waits for it to finish.
public final class MonthlyCloser: Component {
    public let name = "monthly-close"
    private let store: any StoreProvider
    private let settings: StatisticsSettings
    private let interval: Duration
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let isLeader: @Sendable () -> Bool
    private let thread = ServiceThread(name: "boton-stats")

    public init(store: any StoreProvider, settings: StatisticsSettings, interval: Duration, logger: Logger,
                isLeader: @escaping @Sendable () -> Bool = { true },
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() }) {
        self.isLeader = isLeader
        self.store = store
        self.settings = settings
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    public func start() {
        thread.start { [self] in
            var connection: (any StoreConnection)?
            repeat {
                guard isLeader() else { continue }
                do {
                    if connection == nil { connection = try store.open(.background) }
                    try check(StatisticsService(store: connection!, settings: settings))
                } catch {
                    logger.error("stats_close_failed", ["error": "\(error)"])
                    connection = nil
                }
            } while thread.pause(interval)
        }
    }

    /// Check now (this node just became the leader). Cheap.
    public func changed() { thread.wake() }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    private func check(_ service: StatisticsService) throws(StatisticsError) {
        let now = clock()
        for month in try service.closeFinishedMonths(current: YearMonth(ecuador: now), at: now) {
            let national = try service.figures(month, level: .nacional).figures[.national] ?? MonthlyFigures()
            logger.info("stats_month_closed", ["month": month.description, "quejas": String(national.quejas),
                                               "atenciones": String(national.atenciones), "actor": "sistema"])
        }
    }
}
