/// The lock that makes one node of several the leader: the node that runs the singleton jobs (escalation and the
/// central's outbox, the monthly close, receipt pruning).
///
/// One lock is one session of its own, owned by one thread (the app's leader election), never shared with the
/// connections that do the work: the lock lives exactly as long as that session, so a node that dies (its process,
/// its host, its connection) lets go of it without doing anything. With a store that only one node can use
/// (SQLite) the lock is always held.
public protocol LeaderLock: AnyObject {
    /// Takes the lock if nobody holds it, without waiting. True when this session holds it (now or already);
    /// throws when the session cannot be used (then it holds nothing and is dropped).
    func tryAcquire() throws(StoreError) -> Bool
    /// Whether this session still holds the lock: a cheap round trip to the store. Throws when the session broke
    /// (a server restart, a failover, a network cut): the lock is then gone with it.
    func isHeld() throws(StoreError) -> Bool
    /// Lets go of the lock (a node that stops hands the role over at once). Nothing happens when it is not held.
    func release()
    /// Where the lock lives, for messages (never a password).
    var location: String { get }
}

/// A session that hears when other nodes commit console events (PostgreSQL: `LISTEN boton_feed`): a wake-up hint
/// for the console feed, never a source of truth (the event table is). A store that one process owns (SQLite)
/// has none: that process wakes its feed itself.
public protocol ChangeNotifications: AnyObject {
    /// Waits up to `timeout` for a notification; true when one (or several) arrived. Throws when the session broke
    /// (the owner opens a new one).
    func wait(upTo timeout: Duration) throws(StoreError) -> Bool
    /// Where the session lives, for messages (never a password).
    var location: String { get }
}
