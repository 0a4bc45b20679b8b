public import BotonRepository

/// The singleton jobs' lock on PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection
/// of its own, kept open for as long as the node leads.
///
/// Why a session lock on a dedicated connection: the server holds it exactly as long as the session lives. A node
/// that dies (SIGKILL, a crash, a power cut) closes nothing, but its session ends when its socket does (at once on
/// the same host; through TCP keepalives across a network, see below), and the lock is free for another node. The
/// pooled connections never take it: a pool drops and reopens connections at will, which would hand the role over
/// by accident.
///
/// ``isHeld()`` is one `SELECT 1`: a session lock is released only by `pg_advisory_unlock` or by the end of the
/// session, so a session that still answers still holds it; one that does not (a server restart, a failover, a
/// cut) throws, and the caller drops the lock at once.
///
/// A network cut must end the leader's belief before the server frees the lock for another node. The session asks
/// the server to drop it after about 16 s of silence (`tcp_keepalives_idle` 10 s, then 3 probes 2 s apart), while
/// the client gives up a check after 5 s unanswered (`tcp_user_timeout`, with keepalives while idle): a leader cut
/// off stops its jobs some 10 s before a follower can take over. A connection string may override the client side.
public final class PostgresLeaderLock: LeaderLock {
    /// The advisory lock key ("BotonLdr" in ASCII): distinct from the migrations' and the event order's.
    public static let defaultKey: Int64 = 0x426F_746F_6E4C_6472

    let database: PostgresDatabase
    let key: Int64
    private var held = false

    /// Opens the lock's own session (nothing is taken yet: ``tryAcquire()``).
    public init(connectionString: String, key: Int64 = PostgresLeaderLock.defaultKey) throws(StoreError) {
        database = try PostgresDatabase(connectionString: connectionString, defaults: [
            "keepalives": "1", "keepalives_idle": "2", "keepalives_interval": "1", "keepalives_count": "3",
            "tcp_user_timeout": "5000", "application_name": "boton-leader",
        ])
        self.key = key
        // Server side, so that the server notices a vanished node (ignored on Unix sockets, which need no probe).
        try database.execute("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 2; "
            + "SET tcp_keepalives_count = 3")
    }

    public func tryAcquire() throws(StoreError) -> Bool {
        if held { return try isHeld() }
        held = try database.statement("SELECT pg_try_advisory_lock(?1)").first([.integer(key)]) { $0.bool(0) }
            ?? false
        return held
    }

    public func isHeld() throws(StoreError) -> Bool {
        guard held else { return false }
        do {
            _ = try database.statement("SELECT 1").first([]) { $0.int(0) }
        } catch {
            held = false
            throw error
        }
        return true
    }

    public func release() {
        guard held else { return }
        held = false
        if !database.isBroken {
            _ = try? database.statement("SELECT pg_advisory_unlock(?1)").first([.integer(key)]) { $0.bool(0) }
        }
    }

    public var location: String { database.location }
}
