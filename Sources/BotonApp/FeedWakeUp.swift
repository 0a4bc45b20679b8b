public import BotonRepository
public import BotonRuntime

/// Wakes this node's console feed when another node commits console events (``ChangeNotifications``, PostgreSQL's
/// `LISTEN boton_feed`), so that a console streaming from node B shows what node A ingested within milliseconds
/// rather than at the feed's next once-a-second look.
///
/// One thread (`boton-feed-wake`) owns the session: it waits on it a quarter of a second at a time (so a stop is
/// prompt), calls `wake` for each notification, and after a broken session (a failover, a restart) opens a new one
/// once a second until one works. The hint is never needed for correctness: the feed reads the event table after
/// its cursor at every wake-up and at least once a second anyway.
public final class FeedWakeUp: Component {
    public let name = "feed-wake-up"
    private let open: @Sendable () throws(StoreError) -> any ChangeNotifications
    private let wake: @Sendable () -> Void
    private let logger: Logger
    private let thread = ServiceThread(name: "boton-feed-wake")

    public init(open: @escaping @Sendable () throws(StoreError) -> any ChangeNotifications,
                wake: @escaping @Sendable () -> Void, logger: Logger) {
        self.open = open
        self.wake = wake
        self.logger = logger
    }

    public func start() {
        thread.start { [self] in
            var session: (any ChangeNotifications)?
            var lastError: String?
            while thread.pause(session == nil && lastError != nil ? .seconds(1) : .zero) {
                do throws(StoreError) {
                    if session == nil {
                        session = try open()
                        logger.info("feed_wakeup_listening", ["store": session!.location])
                        lastError = nil
                        // Whatever was committed while no session listened: one look.
                        wake()
                    }
                    if try session!.wait(upTo: .milliseconds(250)) { wake() }
                } catch {
                    session = nil
                    if lastError != error.description {
                        logger.warning("feed_wakeup_failed", ["error": error.description,
                                                              "meaning": "consoles of this node refresh once a second"])
                    }
                    lastError = error.description
                }
            }
        }
    }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }
}
