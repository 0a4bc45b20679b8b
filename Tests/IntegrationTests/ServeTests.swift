import Foundation
import Testing

@Suite struct ServeTests {
    @Test func startsLogsReadinessWithCountsAndStopsCleanlyOnSIGTERMAndSIGINT() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        #expect(try Boton.run(["db", "migrate", "--database", db]).status == 0)
        #expect(try Boton.run(["territory", "import", "--database", db, "--if-empty"]).status == 0)
        for signal in [SIGTERM, SIGINT] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Boton.executable)
            process.arguments = ["serve", "--database", db, "--set", "http.port=0"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Synchronise on the log itself: read until the readiness line.
            var log = ""
            let reader = err.fileHandleForReading
            while !log.contains("event=ready") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                log += String(decoding: chunk, as: UTF8.self)
            }
            #expect(log.contains("event=ready"))
            #expect(log.contains("subcircuitos=1483"))
            #expect(log.contains("upcs=1186"))
            kill(process.processIdentifier, signal)
            log += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(process.terminationReason == .exit)
            #expect(log.contains("event=stopped"))
        }
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
        // Simulate a newer binary's schema with the sqlite3 C API through our own store module.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                            + "c.execute('PRAGMA user_version = 99'); c.commit()", db]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
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
