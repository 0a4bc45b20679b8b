import BotonCore
import Foundation
import Testing
@testable import BotonIngestion
@testable import BotonStore
@testable import BotonRuntime

/// The queue in front of the ingestion writer also carries the alerts the console feed has shown, and the checkpoint
/// thread keeps the write-ahead log short for a writer that never checkpoints.
@Suite("Writer queue and checkpoints")
struct WriterQueueTests {
    static func request(_ byte: UInt8) -> IngestRequest {
        [byte, byte].withUnsafeBytes {
            IngestRequest(frame: $0, receivedAt: Timestamp(millisecondsSince1970: 1_000), route: .callback { _ in })
        }
    }

    @Test func shownAlertsAloneAreTakenWithoutAFrame() {
        let queue = CommitQueue(capacity: 8, maxFrames: 4)
        #expect(queue.offer(shown: [7, 9]))
        #expect(queue.offer(shown: [11]))
        var batch: [IngestRequest] = []
        var shown: [Int64] = []
        // A window of an hour: marks alone never wait for it.
        #expect(queue.takeBatch(into: &batch, shown: &shown, window: 3_600))
        #expect(batch.isEmpty && shown == [7, 9, 11])
    }

    @Test func shownAlertsRideWithTheNextBatchOfFrames() {
        let queue = CommitQueue(capacity: 8, maxFrames: 2)
        #expect(queue.offer(Self.request(1)).succeeded)
        #expect(queue.offer(shown: [3]))
        #expect(queue.offer(Self.request(2)).succeeded)
        #expect(queue.offer(Self.request(3)).succeeded)
        var batch: [IngestRequest] = []
        var shown: [Int64] = []
        #expect(queue.takeBatch(into: &batch, shown: &shown, window: 3_600))  // full at 2 frames: no wait
        #expect(batch.map { $0.withBytes { $0[0] } } == [1, 2] && shown == [3])
        #expect(queue.takeBatch(into: &batch, shown: &shown, window: 0))
        #expect(batch.map { $0.withBytes { $0[0] } } == [3] && shown.isEmpty)
    }

    @Test func aClosedQueueRefusesBothAndDrainsWhatItHas() {
        let queue = CommitQueue(capacity: 8, maxFrames: 4)
        #expect(queue.offer(Self.request(1)).succeeded)
        #expect(queue.offer(shown: [5]))
        queue.close()
        #expect(!queue.offer(Self.request(2)).succeeded)
        #expect(!queue.offer(shown: [6]))
        var batch: [IngestRequest] = []
        var shown: [Int64] = []
        #expect(queue.takeBatch(into: &batch, shown: &shown, window: 3_600))
        #expect(batch.count == 1 && shown == [5])
        #expect(!queue.takeBatch(into: &batch, shown: &shown, window: 3_600))
    }

    /// SQLite-only: the WAL checkpointer of the SQLite store.
    @Test func aCheckpointPassCopiesTheWholeLogOfAWriterThatNeverCheckpoints() throws {
        let dir = NSTemporaryDirectory() + "boton-ckpt-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.sqlite"
        let writer = try Database(path: path)
        try writer.setAutomaticCheckpoint(false)
        try writer.execute("CREATE TABLE t (x BLOB NOT NULL)")
        for _ in 0..<200 {
            try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([UInt8](repeating: 1, count: 2000))])
        }
        // Past the restart limit (100 frames): the pass copies everything, whichever checkpoint it takes.
        let checkpointer = WALCheckpointer(databasePath: path, busyTimeoutMilliseconds: 1_000, intervalMilliseconds: 100,
                                           restartFrames: 100, logger: Logger(level: .error))
        let own = try Database(path: path)
        #expect(try own.checkpoint(.passive).logFrames >= 200)  // nothing copied yet…
        try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([2])])
        try checkpointer.checkpoint(own)
        #expect(checkpointer.checkpoints == 1)
        let after = try own.checkpoint(.passive)
        #expect(after.checkpointedFrames == after.logFrames)
        // …and the writer's next commit starts the log again from the beginning.
        try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([3])])
        #expect(try own.checkpoint(.passive).logFrames < 10)
        #expect(try writer.statement("SELECT count(*) FROM t").first { $0.int(0) } == 202)
    }

    @Test func aRestartCheckpointGivesUpRatherThanHoldTheWriterBehindAReader() throws {
        let dir = NSTemporaryDirectory() + "boton-ckpt-reader-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.sqlite"
        let writer = try Database(path: path)
        try writer.setAutomaticCheckpoint(false)
        try writer.execute("CREATE TABLE t (x BLOB NOT NULL)")
        for _ in 0..<200 {
            try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([UInt8](repeating: 1, count: 2000))])
        }
        // A reader holds a snapshot (a console's replay, a long report)…
        let reader = try Database(path: path)
        try reader.execute("BEGIN")
        #expect(try reader.statement("SELECT count(*) FROM t").first { $0.int(0) } == 200)
        try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([2])])
        // …and the connection's busy timeout is ten minutes: a restart that waited for the reader would hold every
        // writer that long. The pass returns instead, the restart left for a later pass.
        let checkpointer = WALCheckpointer(databasePath: path, busyTimeoutMilliseconds: 600_000,
                                           intervalMilliseconds: 100, restartFrames: 100, logger: Logger(level: .error))
        let own = try Database(path: path, options: Database.Options(busyTimeoutMilliseconds: 600_000))
        try checkpointer.checkpoint(own)
        #expect(checkpointer.checkpoints == 1)
        // The writer is not held back.
        try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([3])])
        try reader.execute("COMMIT")
        // Once the reader is gone, the next pass restarts the log.
        try checkpointer.checkpoint(own)
        try writer.statement("INSERT INTO t VALUES (?1)").run([.blob([4])])
        #expect(try own.checkpoint(.passive).logFrames < 10)
        #expect(try writer.statement("SELECT count(*) FROM t").first { $0.int(0) } == 203)
    }
}

extension Result {
    var succeeded: Bool {
        if case .success = self { return true }
        return false
    }
}
