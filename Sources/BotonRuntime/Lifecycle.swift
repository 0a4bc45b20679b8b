import Synchronization

/// A long-lived part of the service: a listener, a background job, the web server.
///
/// ``start()`` brings it up (and may fail, saying why); ``stop()`` takes it down and returns once its threads have
/// been joined; ``failure`` says whether it has died on its own since it started (a background loop that returned,
/// a thread that could not keep its store open). The ``ComponentGroup`` starts components in order, stops them in
/// reverse, and reports every failure to `/salud` and `/metrics`.
public protocol Component: AnyObject, Sendable {
    /// Short and stable: `ingestion`, `console-feed`, `escalation`, … (`/salud`, `/metrics`, logs).
    var name: String { get }
    func start() throws
    func stop()
    /// Nil while healthy; what went wrong once the component stopped working without being told to.
    var failure: String? { get }
}

extension Component {
    public var failure: String? { nil }
}

/// The service's components in start order: the one lifecycle (swift-service-lifecycle's shape, without tasks).
///
/// ``start()`` starts each in turn and logs `component_started`; when one fails to start, those already started
/// are stopped in reverse order and the error is rethrown. ``stop()`` stops them all in reverse order, once (the
/// signal handler and a failed start may both ask). ``failures`` lists the components that died since they
/// started; ``BotonApp`` makes `/salud` answer 503 naming them.
public final class ComponentGroup: Sendable {
    private let components: Mutex<[any Component]>
    private let started = Mutex<Int>(0)
    private let logger: Logger

    public init(_ components: [any Component] = [], logger: Logger) {
        self.components = Mutex(components)
        self.logger = logger
    }

    /// Appends a component started after the ones already added.
    public func add(_ component: any Component) {
        components.withLock { $0.append(component) }
    }

    public var names: [String] { components.withLock { $0.map(\.name) } }

    public func start() throws {
        let all = components.withLock { $0 }
        for (index, component) in all.enumerated() {
            do {
                try component.start()
            } catch {
                logger.error("component_start_failed", ["component": component.name, "error": "\(error)"])
                started.withLock { $0 = index }
                stop()
                throw error
            }
            started.withLock { $0 = index + 1 }
            logger.debug("component_started", ["component": component.name])
        }
    }

    /// Stops the started components in reverse order. Safe to call more than once.
    public func stop() {
        let count = started.withLock { count in
            defer { count = 0 }
            return count
        }
        let all = components.withLock { $0 }
        for component in all.prefix(count).reversed() {
            component.stop()
            logger.debug("component_stopped", ["component": component.name])
        }
    }

    /// Each component that has died since it started, with why.
    public var failures: [(component: String, reason: String)] {
        components.withLock { $0 }.compactMap { c in c.failure.map { (c.name, $0) } }
    }
}
