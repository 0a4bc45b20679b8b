import BotonHTTP
import BotonStore
import Foundation
import Synchronization
import Testing
@testable import BotonWeb
@testable import BotonIngestion
import BotonRepository

/// `/salud` answers from the monitor's last reading, says when it was taken, and refuses to pass an old reading
/// off as current. The clock is the test's, so nothing here waits.
@Suite("Health monitor")
struct HealthMonitorTests {
    final class Clock: Sendable {
        let now = Atomic<Int64>(1_000)
        func advance(_ ms: Int64) { now.add(ms, ordering: .relaxed) }
    }

    final class Reads: Sendable {
        let store = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
    }

    func monitor(clock: Clock, reads: Reads, intervalMs: Int = 250) -> HealthMonitor {
        let probe = ServiceProbe(
            store: {
                reads.store.add(1, ordering: .relaxed)
                return reads.failing.load(ordering: .relaxed)
                    ? .failure(StoreError(kind: .sqlite(code: 10, extendedCode: 10), message: "disk I/O error")) : .success(4)
            },
            ingestion: { IngestionStatus() }, queueDepth: { 0 }, listeners: { ["http": 8080] },
            territory: ["zonas": 9], openIncidents: { 0 }, web: nil)
        return HealthMonitor(probe: probe, intervalMs: intervalMs, clock: { clock.now.load(ordering: .relaxed) })
    }

    func answer(_ monitor: HealthMonitor) throws -> (HTTPResponse, [String: Any]) {
        let response = try monitor.route()(try HTTPRequest(method: .get, target: "/salud", headers: ["Host": "a"]),
                                           RouteParameters())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (response, json)
    }

    @Test func saysWhetherThisNodeLeadsTheSingletonJobs() throws {
        let clock = Clock()
        let plain = monitor(clock: clock, reads: Reads())
        plain.measure()
        #expect(try answer(plain).1["cluster"] == nil, "no election: no cluster field")
        let leader = Atomic<Bool>(true)
        var probe = ServiceProbe(store: { .success(4) }, ingestion: { IngestionStatus() }, queueDepth: { 0 },
                                 listeners: { [:] }, territory: ["zonas": 9], openIncidents: { 0 }, web: nil)
        probe.cluster = { (leader.load(ordering: .relaxed), "nodo-a:1") }
        let monitor = HealthMonitor(probe: probe, intervalMs: 250, clock: { clock.now.load(ordering: .relaxed) })
        monitor.measure()
        var (response, json) = try answer(monitor)
        #expect(response.status == .ok)
        #expect((json["cluster"] as? [String: String]) == ["rol": "lider", "nodo": "nodo-a:1"])
        leader.store(false, ordering: .relaxed)
        monitor.measure()
        (response, json) = try answer(monitor)
        #expect(response.status == .ok, "a follower is healthy")
        #expect((json["cluster"] as? [String: String])?["rol"] == "seguidor")
    }

    @Test func answersFromTheLastReadingWithItsTime() throws {
        let clock = Clock()
        let reads = Reads()
        let monitor = monitor(clock: clock, reads: reads)
        let (before, _) = try answer(monitor)
        #expect(before.status == .serviceUnavailable, "no reading yet")
        monitor.measure()
        #expect(reads.store.load(ordering: .relaxed) == 1)
        let (first, json) = try answer(monitor)
        #expect(first.status == .ok)
        #expect(first.headers["Cache-Control"] == "no-store")
        #expect(json["estado"] as? String == "ok")
        let measured = try #require(json["medido"] as? String)
        #expect(measured.count == 24 && measured.hasSuffix("Z"))
        #expect((json["escuchas"] as? [String: Any])?["http"] as? Int == 8080)
        // Answering does not read the store again.
        clock.advance(100)
        _ = try answer(monitor)
        #expect(reads.store.load(ordering: .relaxed) == 1)
        // A failing store shows at the next reading.
        reads.failing.store(true, ordering: .relaxed)
        monitor.measure()
        let (failing, failed) = try answer(monitor)
        #expect(failing.status == .serviceUnavailable)
        #expect((failed["almacen"] as? [String: Any])?["error"] as? String != nil)
    }

    @Test func aReadingOlderThanFourIntervalsIsNotServedAsCurrent() throws {
        let clock = Clock()
        let monitor = monitor(clock: clock, reads: Reads(), intervalMs: 1_000)
        #expect(monitor.staleAfterMs == 4_000)
        monitor.measure()
        clock.advance(4_000)
        #expect(try answer(monitor).0.status == .ok)
        clock.advance(1)
        let (stale, json) = try answer(monitor)
        #expect(stale.status == .serviceUnavailable)
        #expect(json["estado"] as? String == "error")
        #expect((json["error"] as? String)?.contains("4001 ms") == true)
        #expect((json["medido"] as? String)?.isEmpty == false)
        #expect(self.monitor(clock: clock, reads: Reads(), intervalMs: 50).staleAfterMs == 2_000,
                "at least two seconds")
    }

    @Test func theThreadKeepsReadingUntilStopped() throws {
        let reads = Reads()
        let monitor = monitor(clock: Clock(), reads: reads, intervalMs: 10)
        monitor.start()
        #expect(reads.store.load(ordering: .relaxed) >= 1, "the first reading is taken before start returns")
        monitor.stop()
        let after = reads.store.load(ordering: .relaxed)
        monitor.stop()
        #expect(reads.store.load(ordering: .relaxed) == after, "no reading after stop")
    }
}
