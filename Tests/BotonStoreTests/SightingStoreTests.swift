import BotonCore
import Testing
@testable import BotonStore
import BotonRepository

/// A batch's signs of life: supervision starts one upsert at a time, refreshes go by chunks of one multi-row
/// `UPDATE … FROM (VALUES …)` that touches only senders already supervised. On both backends.
@Suite struct SightingStoreTests {
    func sighting(_ i: Int, at ms: Int64, starts: Bool, position: Bool) -> SenderSighting {
        SenderSighting(kind: .telefono, sender: "dev\(i)", label: "+59399000\(1000 + i)", upcCode: "UPC-17D04C01S01",
                       intervalSeconds: 900, at: Timestamp(millisecondsSince1970: ms),
                       silentAt: Timestamp(millisecondsSince1970: ms + 1_200_000),
                       latitude: position ? -0.2 - Double(i) / 1000 : nil, longitude: position ? -78.5 : nil,
                       starts: starts)
    }

    @Test func refreshesByChunksTouchOnlySupervisedSendersAndKeepKnownPositions() throws {
        let dir = TemporaryDirectory()
        let store = try dir.migratedStore("s.sqlite")
        let chunk = SQLiteStore.sightingChunk
        // Supervision starts for 2 chunks and a bit (with positions).
        let supervised = 2 * chunk + 3
        try store.recordSightings((0 ..< supervised).map { sighting($0, at: 1_000, starts: true, position: true) })
        // One batch later: every supervised sender and as many unsupervised ones, half without a position.
        try store.recordSightings((0 ..< 2 * supervised).map {
            sighting($0, at: 5_000, starts: false, position: $0 % 2 == 0)
        })
        for i in 0 ..< supervised {
            let row = try #require(try store.supervisedSender(kind: .telefono, sender: "dev\(i)"))
            #expect(row.lastSeenAt == Timestamp(millisecondsSince1970: 5_000))
            #expect(row.silentAt == Timestamp(millisecondsSince1970: 1_205_000))
            // A sighting without a position keeps the last one known.
            #expect(row.latitude == -0.2 - Double(i) / 1000)
        }
        for i in supervised ..< 2 * supervised {
            #expect(try store.supervisedSender(kind: .telefono, sender: "dev\(i)") == nil)
        }
    }
}
