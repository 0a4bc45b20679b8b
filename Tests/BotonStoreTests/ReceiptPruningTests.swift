import BotonCore
import Testing
@testable import BotonStore
import BotonRepository

@Suite struct ReceiptPruningTests {
    @Test func onlyReceiptsOlderThanTheCutGoOldestFirstAndAtMostTheLimit() throws {
        let dir = TemporaryDirectory()
        let store = try dir.migratedStore("r.sqlite")
        let sender = [UInt8](repeating: 7, count: 16)
        for sequence in 1 ... 10 {
            try store.insertReceipt(sender: sender, sequence: UInt64(sequence), kind: "latido",
                                    receipt: FrameReceipt(fingerprint: [UInt8](repeating: 1, count: 16),
                                                          status: "aceptada", incidentID: nil, upcCode: nil),
                                    at: Timestamp(millisecondsSince1970: Int64(sequence) * 1000))
        }
        // Receipts at 1 s … 10 s; cut at 6 s: 1…5 are old. A limit of 3 takes the three oldest.
        #expect(try store.pruneReceipts(before: Timestamp(millisecondsSince1970: 6000), limit: 3) == 3)
        #expect(try store.receipt(sender: sender, sequence: 3) == nil)
        #expect(try store.receipt(sender: sender, sequence: 4) != nil)
        #expect(try store.pruneReceipts(before: Timestamp(millisecondsSince1970: 6000), limit: 3) == 2)
        #expect(try store.pruneReceipts(before: Timestamp(millisecondsSince1970: 6000), limit: 3) == 0)
        for sequence in 6 ... 10 { #expect(try store.receipt(sender: sender, sequence: UInt64(sequence)) != nil) }
    }
}
