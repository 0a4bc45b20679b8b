import Foundation
import Synchronization
import Testing
@testable import BotonRuntime

/// The shared life of the background jobs: a wake-up reaches a sleeping loop, wake-ups before it runs count once,
/// and stop returns only after the loop has.
@Suite("Service thread")
struct ServiceThreadTests {
    final class Rounds: Sendable {
        let count = Atomic<Int>(0)
        let returned = Atomic<Bool>(false)
        let reached = DispatchSemaphore(value: 0)
    }

    @Test func aWakeUpEndsTheSleepAndStopWaitsForTheLoop() {
        let thread = ServiceThread(name: "boton-test")
        let rounds = Rounds()
        #expect(thread.start {
            // An hour's sleep: only wake() and stop() end it.
            while thread.pause(.seconds(3_600)) {
                rounds.count.add(1, ordering: .relaxed)
                rounds.reached.signal()
            }
            rounds.returned.store(true, ordering: .releasing)
        })
        #expect(!thread.start { Issue.record("a second loop ran") })
        thread.wake()
        rounds.reached.wait()
        thread.wake()
        rounds.reached.wait()
        let woke = rounds.count.load(ordering: .relaxed)
        #expect(woke == 2)
        thread.stop()
        let returned = rounds.returned.load(ordering: .acquiring)
        #expect(returned)
        thread.stop()  // a second stop is harmless
    }

    @Test func wakeUpsBeforeThePauseCountOnce() {
        let thread = ServiceThread(name: "boton-test")
        let gate = DispatchSemaphore(value: 0)
        let rounds = Rounds()
        thread.start {
            gate.wait()  // three wake-ups arrive while the loop is busy
            while thread.pause(.seconds(3_600)) {
                rounds.count.add(1, ordering: .relaxed)
                rounds.reached.signal()
            }
        }
        thread.wake()
        thread.wake()
        thread.wake()
        gate.signal()
        rounds.reached.wait()
        thread.stop()
        let woke = rounds.count.load(ordering: .relaxed)
        #expect(woke == 1)
    }

    @Test func aThreadStoppedBeforeItStartedNeverRunsAndIsNotAFailure() {
        let thread = ServiceThread(name: "boton-test")
        thread.stop()
        #expect(!thread.start { Issue.record("a stopped thread ran its loop") })
        #expect(thread.failure == nil)
    }

    @Test func aLoopThatGivesUpIsAFailureAndAStoppedOneIsNot() {
        let dying = ServiceThread(name: "boton-test")
        let gaveUp = DispatchSemaphore(value: 0)
        dying.start {
            dying.fail("cannot open the store")
            gaveUp.signal()
        }
        gaveUp.wait()
        #expect(dying.failure == "cannot open the store")
        dying.stop()
        #expect(dying.failure == "cannot open the store", "stopping does not clear why it died")

        let healthy = ServiceThread(name: "boton-test")
        healthy.start { while healthy.pause(.seconds(3_600)) {} }
        healthy.stop()
        #expect(healthy.failure == nil)
    }
}
