import BotonStoreFixtures
import Foundation
import Testing

@Suite struct IngestionTests {
    @Test func anAlertIsAcknowledgedWithTheUPCOfItsPositionAndRetransmissionsGetTheSameAnswerAfterARestart() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secret) = try provision(db, line: "099 123 4567", lat: "-0.2202", lon: "-78.5123")
        #expect(device.count == 32 && secret.count == 64)

        var server = try Server(database: db)
        let base = ["--device", device, "--secret", secret, "--port", String(server.udpPort)]
        let now = String(Int(Date().timeIntervalSince1970 * 1000))

        // GPS fix in Guayaquil: routed by polygon to a Guayas (09) UPC.
        let gps = try Boton.run(["alert", "send", "--lat", "-2.1894", "--lon", "-79.8862", "--sequence", "10",
                                 "--timestamp", now] + base)
        #expect(gps.status == 0)
        #expect(gps.stdout.hasPrefix("aceptada secuencia=10 incidente=1 upc=UPC-09D"))

        // A test alert with no fix: routed by the registered address (Quito, 17), a separate incident.
        let test = try Boton.run(["alert", "test", "--sequence", "11", "--timestamp", now] + base)
        #expect(test.stdout.hasPrefix("aceptada secuencia=11 incidente=2 upc=UPC-17D"))

        // The same bytes again: the first answer, marked duplicada.
        let again = try Boton.run(["alert", "test", "--sequence", "11", "--timestamp", now] + base)
        #expect(again.stdout.hasPrefix("duplicada secuencia=11 incidente=2 upc=UPC-17D"))

        // A second press within the merge window joins the open alert.
        let press = try Boton.run(["alert", "send", "--sequence", "12"] + base)
        #expect(press.stdout.hasPrefix("aceptada secuencia=12 incidente=1 upc=UPC-09D"))

        // The same sequence on a different frame is a reuse: refused.
        let reuse = try Boton.run(["alert", "send", "--sequence", "12", "--battery", "40"] + base)
        #expect(reuse.stdout.hasPrefix("rechazada motivo=ventana secuencia=12"))

        // Outside the ±300 s window.
        let old = try Boton.run(["alert", "send", "--sequence", "13", "--timestamp", "1000"] + base)
        #expect(old.stdout.hasPrefix("rechazada motivo=ventana"))

        // Unknown device: an unauthenticated rejection.
        let unknown = try Boton.run(["alert", "send", "--device", String(repeating: "0", count: 32),
                                     "--secret", secret, "--port", String(server.udpPort), "--sequence", "1"])
        #expect(unknown.stdout.hasPrefix("rechazada motivo=desconocido (sin autenticar)"))

        #expect(server.stop(SIGTERM) == 0)
        #expect(server.log.contains("event=ingestion_drained accepted=3 duplicates=1"))

        // After a restart, a retransmission still gets the first answer.
        server = try Server(database: db)
        let replay = try Boton.run(["alert", "test", "--sequence", "11", "--timestamp", now, "--device", device,
                                    "--secret", secret, "--port", String(server.udpPort)])
        #expect(replay.stdout.hasPrefix("duplicada secuencia=11 incidente=2 upc=UPC-17D"))
        #expect(server.stop(SIGINT) == 0)
    }

    @Test func aWrongSecretIsNeverAccepted() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secret) = try provision(db, line: "02-234-5678", lat: "-0.2202", lon: "-78.5123")
        let server = try Server(database: db)
        defer { server.stop() }
        var wrong = Array(secret)
        wrong[0] = wrong[0] == "0" ? "1" : "0"
        let r = try Boton.run(["alert", "send", "--device", device, "--secret", String(wrong),
                               "--port", String(server.udpPort)])
        #expect(r.status == 1)
        #expect(r.stderr.contains("did not verify with this secret"))
    }

    @Test func provisioningRejectsABadLineOrAnAddressOutsideTheTerritory() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let phone = try Boton.run(["device", "provision", "--database", db, "--line", "12345",
                                   "--lat", "-0.2202", "--lon", "-78.5123"])
        #expect(phone.status == 1)
        #expect(phone.stderr.contains("telefono: "))
        let sea = try Boton.run(["device", "provision", "--database", db, "--line", "0991234567",
                                 "--lat", "-3.0", "--lon", "-85.0"])
        #expect(sea.status == 1)
        #expect(sea.stderr.contains("not inside any subcircuito"))
        let kind = try Boton.run(["device", "provision", "--database", db, "--line", "0991234567",
                                  "--lat", "-0.2202", "--lon", "-78.5123", "--kind", "radio"])
        #expect(kind.status == 64)
    }

    @Test func aCitizenCancellationMarksTheOpenAlert() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secret) = try provision(db, line: "0987654321", lat: "-2.1894", lon: "-79.8862")
        let server = try Server(database: db)
        let base = ["--device", device, "--secret", secret, "--port", String(server.udpPort)]
        let alert = try Boton.run(["alert", "send", "--sequence", "1"] + base)
        #expect(alert.stdout.hasPrefix("aceptada secuencia=1 incidente=1 upc=UPC-09D"))
        let cancel = try Boton.run(["alert", "cancel", "--sequence", "2"] + base)
        #expect(cancel.stdout.hasPrefix("aceptada secuencia=2 incidente=1 upc=UPC-09D"))
        #expect(server.stop() == 0)
        if TestBackend.isPostgreSQL {
            // Our own libpq connection as the reader.
            #expect(try sqlite(db, "SELECT state || ' ' || (cancelled_at IS NOT NULL)::int FROM incident WHERE id = 1")
                    == "recibida 1")
            #expect(try sqlite(db, "SELECT string_agg(kind, ',' ORDER BY id) FROM incident_event WHERE incident_id = 1")
                    == "transicion,cancelacion")
            return
        }
        // An independent reader: Python's sqlite3 on the same file.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            print(c.execute("SELECT state, cancelled_at IS NOT NULL FROM incident WHERE id = 1").fetchone())
            print(c.execute("SELECT kind FROM incident_event WHERE incident_id = 1 ORDER BY id").fetchall())
            """, db]
        let out = Pipe()
        check.standardOutput = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(text == "('recibida', 1)\n[('transicion',), ('cancelacion',)]\n")
    }
}
