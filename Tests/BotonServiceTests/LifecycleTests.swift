import BotonHTTP
import Foundation
import Synchronization
import Testing
@testable import BotonIngestion
@testable import BotonRuntime
@testable import BotonWeb

/// The one lifecycle: components start in order and stop in reverse, a failed start undoes what it started, and a
/// component whose thread dies turns `/salud` to 503 naming it.
@Suite("Lifecycle")
struct LifecycleTests {
    final class Journal: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    struct Refused: Error {}

    final class Part: Component {
        let name: String
        let journal: Journal
        let refuses: Bool
        init(_ name: String, _ journal: Journal, refuses: Bool = false) {
            self.name = name
            self.journal = journal
            self.refuses = refuses
        }
        func start() throws {
            if refuses { throw Refused() }
            journal.add("start \(name)")
        }
        func stop() { journal.add("stop \(name)") }
    }

    /// A background job on a ServiceThread, as the feed and the escalator are.
    final class Job: Component {
        let name: String
        let thread: ServiceThread
        let body: @Sendable (ServiceThread) -> Void
        init(_ name: String, body: @escaping @Sendable (ServiceThread) -> Void) {
            self.name = name
            thread = ServiceThread(name: "boton-test")
            self.body = body
        }
        func start() throws { thread.start { [thread, body] in body(thread) } }
        func stop() { thread.stop() }
        var failure: String? { thread.failure }
    }

    let logger = Logger(level: .error)

    @Test func startsInOrderAndStopsInReverseOnce() throws {
        let journal = Journal()
        let group = ComponentGroup([Part("a", journal), Part("b", journal)], logger: logger)
        group.add(Part("c", journal))
        #expect(group.names == ["a", "b", "c"])
        try group.start()
        group.stop()
        group.stop()
        #expect(journal.all == ["start a", "start b", "start c", "stop c", "stop b", "stop a"])
    }

    @Test func aFailedStartStopsWhatHadStartedAndRethrows() {
        let journal = Journal()
        let group = ComponentGroup([Part("a", journal), Part("b", journal), Part("c", journal, refuses: true),
                                    Part("d", journal)], logger: logger)
        #expect(throws: Refused.self) { try group.start() }
        #expect(journal.all == ["start a", "start b", "stop b", "stop a"])
        group.stop()
        #expect(journal.all.count == 4, "nothing is stopped twice")
    }

    @Test func aDeadComponentTurnsHealthTo503NamingIt() throws {
        let died = DispatchSemaphore(value: 0)
        let feed = Job("console-feed") { thread in
            thread.fail("store unreachable")
            died.signal()
        }
        let escalation = Job("escalation") { thread in while thread.pause(.seconds(3_600)) {} }
        let group = ComponentGroup([feed, escalation], logger: logger)
        var probe = ServiceProbe(store: { .success(8) }, ingestion: { IngestionStatus() }, queueDepth: { 0 },
                                 listeners: { ["http": 8080] }, territory: ["zonas": 9], openIncidents: { 0 }, web: nil)
        probe.failedComponents = { group.failures }
        probe.components = { group.names }
        let monitor = HealthMonitor(probe: probe, intervalMs: 250, clock: { 1_000 })
        try group.start()
        defer { group.stop() }
        died.wait()

        monitor.measure()
        let request = try HTTPRequest(method: .get, target: "/salud", headers: ["Host": "a"])
        let response = try monitor.route()(request, RouteParameters())
        #expect(response.status == .serviceUnavailable)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(json["estado"] as? String == "error")
        #expect(json["componentes_caidos"] as? [String: String] == ["console-feed": "store unreachable"])

        let metrics = try SystemRoutes.metrics(probe)(try HTTPRequest(method: .get, target: "/metrics",
                                                                       headers: ["Host": "a"]), RouteParameters())
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains("boton_component_up{component=\"console-feed\"} 0"))
        #expect(text.contains("boton_component_up{component=\"escalation\"} 1"))
    }

    @Test func aHealthyServiceHasNoDeadComponentsField() throws {
        let group = ComponentGroup([Job("escalation") { thread in while thread.pause(.seconds(3_600)) {} }],
                                   logger: logger)
        var probe = ServiceProbe(store: { .success(8) }, ingestion: { IngestionStatus() }, queueDepth: { 0 },
                                 listeners: { [:] }, territory: ["zonas": 9], openIncidents: { 0 }, web: nil)
        probe.failedComponents = { group.failures }
        let monitor = HealthMonitor(probe: probe, intervalMs: 250, clock: { 1_000 })
        try group.start()
        defer { group.stop() }
        monitor.measure()
        let response = try monitor.route()(try HTTPRequest(method: .get, target: "/salud", headers: ["Host": "a"]),
                                           RouteParameters())
        #expect(response.status == .ok)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(json["componentes_caidos"] == nil)
    }
}
