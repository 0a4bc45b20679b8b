import BotonRepository
import Synchronization
public import BotonRuntime

/// Copies SQLite's write-ahead log into the database file on its own thread, so that no alert waits for it.
///
/// With SQLite's default, the commit that takes the log past 1,000 pages checkpoints inside its own COMMIT: it
/// copies the log into the database file and syncs that file before COMMIT returns. When that commit is the
/// ingestion writer's, every alert of the batch waits for the copy before it is acknowledged and shown, and every
/// frame queued behind it waits too: at 1,000 alerts/s that was about one batch in a hundred, the slowest percent
/// of the console benchmark. The writer therefore turns automatic checkpoints off, and this thread (`boton-wal-ckpt`) runs a passive checkpoint every `store.checkpoint_ms` on a connection
/// of its own: it takes no lock that a writer needs, and the writer goes on appending to the log meanwhile.
///
/// A passive checkpoint that races a steady writer may never catch the log's end, and the log only starts again
/// from its beginning once it has been copied whole. Past `store.checkpoint_restart_frames` frames the thread
/// therefore runs one *restart* checkpoint, which makes writers wait while it copies the rest and waits for readers
/// of older snapshots: a rare, logged pause that keeps the log file bounded. It waits at most 50 ms
/// (``restartPatienceMs``) and otherwise tries again on the next pass, so a long reader never holds the writer.
///
/// Concurrency: one ``ServiceThread`` owns the connection; `stop()` is the only call from outside.
public final class WALCheckpointer: Component {
    public let name = "wal-checkpoints"
    private let databasePath: String
    private let busyTimeout: Int32
    private let interval: Duration
    private let restartFrames: Int
    private let logger: Logger
    private let thread = ServiceThread(name: "boton-wal-ckpt")
    private let passes = Atomic<Int>(0)

    public init(databasePath: String, busyTimeoutMilliseconds: Int32, intervalMilliseconds: Int,
                restartFrames: Int, logger: Logger) {
        self.databasePath = databasePath
        busyTimeout = busyTimeoutMilliseconds
        interval = .milliseconds(max(intervalMilliseconds, 1))
        self.restartFrames = max(restartFrames, 1)
        self.logger = logger
    }

    /// Checkpoint passes run since start.
    public var checkpoints: Int { passes.load(ordering: .relaxed) }

    public func start() {
        thread.start { [self] in
            var store: SQLiteStore?
            var pause = interval
            while thread.pause(pause) {
                pause = interval
                do throws(StoreError) {
                    if store == nil {
                        store = try SQLiteStore(path: databasePath,
                                                options: Database.Options(busyTimeoutMilliseconds: busyTimeout))
                    }
                    try checkpoint(store!.database)
                } catch {
                    logger.error("checkpoint_failed", ["error": error.description])
                    store = nil
                    pause = max(interval, .seconds(5))  // one line per attempt, not ten a second
                }
            }
        }
    }

    /// Stops the thread; whatever is left in the log is copied when the last connection closes.
    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    /// One pass: passive checkpoints until one finds nothing new to copy (the writer appends while they copy, and
    /// the log starts again from its beginning only once a checkpoint has caught its end), then a restart
    /// checkpoint when the log has grown past the limit anyway.
    func checkpoint(_ database: Database) throws(StoreError) {
        var result = try database.checkpoint(.passive)
        for _ in 0..<Self.catchUpPasses {
            let again = try database.checkpoint(.passive)
            defer { result = again }
            if again == result && again.checkpointedFrames == again.logFrames { break }
        }
        passes.add(1, ordering: .relaxed)
        guard result.logFrames > restartFrames else { return }
        let began = ContinuousClock.now
        // A restart holds every writer back while it waits for readers of older snapshots (a console's replay, a
        // long report): with the connection's usual busy timeout that was seconds of ingestion stalled behind one
        // reader (Scripts/bench hostile, replay phase). It gives up after ``restartPatienceMs`` instead and is
        // tried again on the next pass; the log stays longer meanwhile, never the writer waiting.
        let restart = try database.withBusyTimeout(milliseconds: Self.restartPatienceMs) { () throws(StoreError) in
            try database.checkpoint(.restart)
        }
        let elapsed = ContinuousClock.now - began
        logger.info("checkpoint_restart", [
            "log_frames": String(result.logFrames), "limit": String(restartFrames),
            "copied": String(restart.checkpointedFrames),
            "complete": restart.checkpointedFrames == restart.logFrames ? "true" : "false",
            "ms": String(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
        ])
    }

    /// How long a restart checkpoint waits for readers (and so holds writers back) before it gives up for this pass.
    static let restartPatienceMs: Int32 = 50

    /// Passive checkpoints of one pass after the first, at most.
    static let catchUpPasses = 8
}
