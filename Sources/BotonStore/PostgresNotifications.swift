public import BotonRepository
import CPostgres
import Glibc

/// A session that `LISTEN`s on ``PostgresDatabase/feedChannel``: every transaction that appends console events,
/// on any node, commits with `NOTIFY boton_feed`, and this session's ``wait(upTo:)`` returns true soon after. The
/// console feed of a node wakes on it instead of at its next once-a-second look, so an alert ingested at node A
/// reaches a console streaming from node B in milliseconds.
///
/// A hint, never a source of truth: notifications carry no payload, a session that was down misses them, and
/// PostgreSQL folds duplicates. The feed still reads `incident_event` after its cursor at every wake-up and at
/// least once a second, so a missed notification costs at most that second. The multi-host connection string with
/// `target_session_attrs=read-write` puts the session on the primary (standbys deliver no notifications); after a
/// failover the session breaks, ``wait(upTo:)`` throws, and the owner opens a new one.
public final class PostgresNotifications: ChangeNotifications {
    let database: PostgresDatabase

    public init(connectionString: String) throws(StoreError) {
        database = try PostgresDatabase(connectionString: connectionString, defaults: [
            "keepalives": "1", "keepalives_idle": "2", "keepalives_interval": "1", "keepalives_count": "3",
            "tcp_user_timeout": "5000", "application_name": "boton-feed",
        ])
        try database.execute("LISTEN \(PostgresDatabase.feedChannel)")
    }

    public var location: String { database.location }

    public func wait(upTo timeout: Duration) throws(StoreError) -> Bool {
        let connection = database.connection
        if try drain(connection) { return true }
        let socket = PQsocket(connection)
        guard socket >= 0 else { throw lost("the connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000
                                    + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, max(milliseconds, 0))
        if ready < 0 {
            if errno == EINTR { return false }
            throw lost("poll failed: \(String(cString: strerror(errno)))")
        }
        if ready == 0 { return false }
        guard PQconsumeInput(connection) == 1 else {
            throw lost(PostgresDatabase.trimmed(String(cString: PQerrorMessage(connection))))
        }
        return try drain(connection)
    }

    /// Takes every notification libpq has read; true when there was one.
    private func drain(_ connection: OpaquePointer) throws(StoreError) -> Bool {
        var any = false
        while let notification = PQnotifies(connection) {
            PQfreemem(notification)
            any = true
        }
        if database.isBroken { throw lost("the connection was closed") }
        return any
    }

    private func lost(_ why: String) -> StoreError {
        StoreError(kind: .postgres(sqlState: "08006"), message: "\(database.location): \(why)",
                   codeName: SQLState.name("08006"))
    }
}
