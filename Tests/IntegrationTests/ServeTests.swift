import BotonStoreFixtures
import Foundation
import Testing

@Suite struct ServeTests {
    @Test func startsLogsReadinessWithCountsAndStopsCleanlyOnSIGTERMAndSIGINT() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        #expect(try Boton.run(["db", "migrate", "--database", db]).status == 0)
        #expect(try Boton.run(["territory", "import", "--database", db, "--if-empty"]).status == 0)
        for signal in [SIGTERM, SIGINT] {
            // Server synchronises on the log itself: it reads until the readiness line.
            let server = try Server(database: db)
            #expect(server.log.contains("subcircuitos=1483"))
            #expect(server.log.contains("upcs=1186"))
            for transport in ["udp", "tcp", "tls", "http", "https"] {
                #expect(server.log.contains("event=listening transport=\(transport)"))
            }
            #expect(server.stop(signal) == 0)
            #expect(server.process.terminationReason == .exit)
            #expect(server.log.contains("event=stopped"))
        }
    }

    /// The test helper's guard: a log line that never comes fails the wait with the log so far once its deadline
    /// passes, instead of hanging the suite (the short deadline is the point; nothing here is timed).
    @Test func waitingForALogLineThatNeverComesFailsWithTheLogAtTheDeadline() throws {
        let dir = TemporaryDirectory()
        let server = try Server(database: try preparedDatabase(in: dir))
        let error = #expect(throws: Server.ServerError.self) {
            try server.waitFor("event=never_logged", within: .milliseconds(300))
        }
        #expect(error?.reason.contains("event=never_logged") == true)
        #expect(error?.log.contains("event=ready") == true)
        #expect(server.stop() == 0)
    }

    @Test func aMissingTLSCertificateStopsStartupWithWhatToDo() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let r = try Boton.run(["serve", "--database", db, "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
                               "--set", "ingest.tls_port=0", "--set", "http.port=0", "--set", "http.tls_port=0",
                               "--set", "ingest.tls_certificate=\(dir.file("none.pem"))"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("none.pem"))
        #expect(r.stderr.contains("boton tls generate"))
    }

    @Test func refusesAnUnmigratedDatabaseWithAClearMessage() throws {
        let dir = TemporaryDirectory()
        let r = try Boton.run(["serve", "--database", dir.file("empty.sqlite")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("run 'boton db migrate'"))
    }

    @Test func refusesADatabaseFromANewerBoton() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        #expect(try Boton.run(["db", "migrate", "--database", db]).status == 0)
        // Simulate a newer binary's schema: PostgreSQL's schema_version row, or SQLite's user_version through
        // Python's sqlite3.
        if TestBackend.isPostgreSQL {
            try TestDatabases.database(db).openStore().sql.execute("UPDATE schema_version SET version = 99")
        } else {
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                            + "c.execute('PRAGMA user_version = 99'); c.commit()", db]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        }
        let migrate = try Boton.run(["db", "migrate", "--database", db])
        #expect(migrate.status == 1)
        #expect(migrate.stderr.contains("newer boton"))
        let serve = try Boton.run(["serve", "--database", db])
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("newer boton"))
    }

    @Test func aConfigurationErrorNamesTheFileAndLine() throws {
        let dir = TemporaryDirectory()
        let conf = dir.write("boton.conf", "[store]\npath = x.sqlite\n\n[http]\nprot = 8080\n")
        let r = try Boton.run(["db", "migrate", "--config", conf])
        #expect(r.status == 1)
        #expect(r.stderr.contains("boton.conf:5: http.prot = 8080: unknown setting"))
    }
}
