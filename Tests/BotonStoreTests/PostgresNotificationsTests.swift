import BotonCore
import Testing
@testable import BotonStore
import BotonRepository

/// The console feed's wake-up hint across nodes: a transaction that appends console events commits with
/// `NOTIFY boton_feed`, heard by every `PostgresNotifications` session once the rows are visible; one that
/// appends none, or rolls back, announces nothing.
@Suite(.enabled(if: TestPostgres.isConfigured, TestPostgres.skipReason))
struct PostgresNotificationsTests {
    @Test func committedEventAppendsWakeListenersAndNothingElseDoes() throws {
        let scratch = try PostgresScratch()
        let store = try PostgresStore(connectionString: scratch.connectionString)
        try store.migrate()
        let listener = try PostgresNotifications(connectionString: scratch.connectionString)
        #expect(try listener.wait(upTo: .zero) == false)

        // A write without events (an audit entry) announces nothing; a rolled-back event append neither.
        try store.sql.inTransaction { () throws(StoreError) in
            try store.sql.execute("CREATE TABLE unrelated (x BIGINT)")
        }
        #expect(throws: StoreError.self) {
            try store.sql.inTransaction { () throws(StoreError) in
                _ = try store.createIncident(NewIncident(
                    lineE164: "+593991234567", deviceID: nil, isTest: false, upcCode: "UPC-17D04C01S01",
                    subcircuitCode: nil, locationSource: "domicilio", lineSuspended: false,
                    openedAt: Timestamp(millisecondsSince1970: 1), author: "x"))
                throw StoreError(kind: .notFound, message: "rolled back on purpose")
            }
        }
        #expect(try listener.wait(upTo: .milliseconds(200)) == false)

        // A committed alert: heard, and its event is there to read when the listener wakes.
        try store.sql.inTransaction { () throws(StoreError) in
            try store.sql.prepared("""
                INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593991234567', 'celular', 0)
                """).run([])
            _ = try store.createIncident(NewIncident(
                lineE164: "+593991234567", deviceID: nil, isTest: false, upcCode: "UPC-17D04C01S01",
                subcircuitCode: nil, locationSource: "domicilio", lineSuspended: false,
                openedAt: Timestamp(millisecondsSince1970: 2), author: "x"))
        }
        #expect(try listener.wait(upTo: .seconds(30)) == true)
        let reader = try PostgresStore(connectionString: scratch.connectionString)
        #expect(try reader.latestIncidentEventID() == 1)
        // Each notification is taken once.
        #expect(try listener.wait(upTo: .milliseconds(200)) == false)
    }

    @Test func aSessionThatLosesItsServerThrows() throws {
        let scratch = try PostgresScratch()
        let listener = try PostgresNotifications(connectionString: scratch.connectionString)
        let admin = try scratch.connect()
        try admin.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'boton-feed'
              AND datname = current_database()
            """)
        #expect(throws: StoreError.self) {
            // The terminated session's socket is readable (the server's goodbye): the wait sees it broken. Bounded,
            // so that a listener that never notices fails the test in half a minute instead of hanging it.
            for _ in 0 ..< 3 { _ = try listener.wait(upTo: .seconds(10)) }
        }
    }
}
