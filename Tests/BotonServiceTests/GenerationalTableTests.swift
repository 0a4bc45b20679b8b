import Testing
import BotonRuntime

/// The bounded per-key table under the rate limiter and the sign-in throttle.
struct GenerationalTableTests {
    @Test func updatesKeepAndRemoveAndPeekingMovesNothing() {
        let table = GenerationalTable<String, Int>(maxKeys: 1_024)
        #expect(table.peek("a") { $0 } == nil)
        // An update that leaves nil stores nothing.
        #expect(table.update("a") { value -> Bool in value == nil })
        #expect(table.count == 0)
        table.update("a") { $0 = ($0 ?? 0) + 1 }
        table.update("a") { $0 = ($0 ?? 0) + 1 }
        #expect(table.peek("a") { $0 } == 2 && table.count == 1)
        table.update("a") { $0 = nil }
        #expect(table.peek("a") { $0 } == nil && table.count == 0)
        table.update("b") { $0 = 7 }
        table.remove("b")
        #expect(table.count == 0)
        // A read that forgets.
        table.update("c") { $0 = 3 }
        #expect(table.peek("c", forgetting: { ($0, $0 == 3) }) == 3)
        #expect(table.peek("c") { $0 } == nil && table.count == 0)
    }

    @Test func readsNeverMakeRoom() {
        // Both generations partly full in every shard; reading every key, old ones included, keeps exactly the keys
        // that were there (a read that moved an old key into a full current generation would drop others).
        let table = GenerationalTable<Int, Int>(maxKeys: 64)
        for i in 0 ..< 200 { table.update(i) { $0 = i } }
        let present = Set((0 ..< 200).filter { i in table.peek(i) { $0 } != nil })
        for _ in 0 ..< 3 {
            for i in 0 ..< 200 { _ = table.peek(i, forgetting: { ($0, false) }) }
        }
        #expect(Set((0 ..< 200).filter { i in table.peek(i) { $0 } != nil }) == present)
    }

    @Test func aFullGenerationIsDroppedWholeAndWhatIsUpdatedLives() {
        // 16 shards of 4 keys: a key kept busy survives a flood of new ones; the flood stays within two generations.
        let table = GenerationalTable<Int, Int>(maxKeys: 64)
        table.update(-1) { $0 = 0 }
        for i in 0 ..< 100_000 {
            table.update(i) { $0 = i }
            if i % 2 == 0 { table.update(-1) { $0 = ($0 ?? 0) + 1 } }
        }
        #expect(table.count <= 2 * 64)
        #expect(table.peek(-1) { $0 } == 50_000)
        // Old keys are gone: each is as if never seen.
        #expect(table.peek(0) { $0 } == nil)
    }
}
