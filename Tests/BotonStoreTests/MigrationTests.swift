import Foundation
import Testing
@testable import BotonStore
import BotonRepository
import BotonCore

/// SQLite's migrations (`Migrator`, `Schema`); PostgreSQL's migrator and schema have PostgresDatabaseTests.
@Suite struct MigrationTests {
    @Test func migratesAFreshDatabaseAndIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        let first = try Migrator.migrate(db)
        #expect(first.fromVersion == 0)
        #expect(first.toVersion == Schema.latestVersion)
        #expect(first.applied.count == Schema.latestVersion)
        let second = try Migrator.migrate(db)
        #expect(second.applied.isEmpty)
        #expect(second.fromVersion == Schema.latestVersion)
        #expect(try db.userVersion() == Schema.latestVersion)
    }

    @Test func requireCurrentNamesTheCommandToRun() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        #expect {
            try Migrator.requireCurrent(db)
        } throws: { error in
            guard let e = error as? StoreError, case .olderSchema(0, Schema.latestVersion) = e.kind else { return false }
            return e.description.contains("run 'boton db migrate'")
        }
        _ = try Migrator.migrate(db)
        try Migrator.requireCurrent(db)
        try db.execute("PRAGMA user_version = \(Schema.latestVersion + 1)")
        #expect(throws: StoreError.self) { try Migrator.requireCurrent(db) }
    }

    @Test func refusesADatabaseNewerThanTheBinary() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        _ = try Migrator.migrate(db)
        try db.execute("PRAGMA user_version = \(Schema.latestVersion + 5)")
        #expect {
            _ = try Migrator.migrate(db)
        } throws: { error in
            guard let e = error as? StoreError, case .newerSchema(let found, let supported) = e.kind else { return false }
            return found == Schema.latestVersion + 5 && supported == Schema.latestVersion
                && e.description.contains("newer boton")
        }
        #expect(try db.userVersion() == Schema.latestVersion + 5)
    }

    @Test func aFailedMigrationLeavesTheDatabaseExactlyAsItWas() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("a.sqlite")
        let db = try Database(path: path)
        _ = try Migrator.migrate(db)
        try db.execute("INSERT INTO upc (code, name, latitude, longitude) VALUES ('UPC-17D01C01S01', 'x', 0, 0)")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let before = try dump(db)
        let broken = Schema.migrations + [
            Migration(version: Schema.latestVersion + 1, name: "broken",
                      sql: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"),
        ]
        #expect {
            try Migrator.migrate(db, migrations: broken)
        } throws: { error in
            guard let e = error as? StoreError, case .migrationFailed(let version, let name) = e.kind else {
                return false
            }
            return version == Schema.latestVersion + 1 && name == "broken" && e.description.contains("no_such_table")
        }
        #expect(try db.userVersion() == Schema.latestVersion)
        #expect(try dump(db) == before)
    }

    @Test func stopsAtTheFirstFailingMigrationKeepingTheOnesBefore() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        let steps = [
            Migration(version: 1, name: "one", sql: "CREATE TABLE one (x INTEGER)"),
            Migration(version: 2, name: "two", sql: "CREATE TABLE two (x INTEGER); SELECT * FROM nowhere"),
        ]
        #expect(throws: StoreError.self) { try Migrator.migrate(db, migrations: steps) }
        #expect(try db.userVersion() == 1)
        let tables = try db.statement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .rows { $0.text(0) }
        #expect(tables == ["one"])
    }

    @Test func theDatabaseIsDurableWAL() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("a.sqlite"))
        #expect(try db.statement("PRAGMA journal_mode").first { $0.text(0) } == "wal")
        #expect(try db.statement("PRAGMA synchronous").first { $0.int(0) } == 2)  // FULL
        #expect(try db.statement("PRAGMA foreign_keys").first { $0.int(0) } == 1)
    }

    /// Every table's rows and the schema, as text: equal dumps mean an equal database.
    private func dump(_ db: Database) throws -> [String] {
        var out = try db.statement("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .rows { "\($0.text(0)) \($0.text(1)) \($0.text(2))" }
        let tables = try db.statement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .rows { $0.text(0) }
        for table in tables {
            out += try db.statement("SELECT * FROM \(table)").rows { s in "\(table): \(s.text(0))" }
        }
        return out
    }
}

@Suite struct EnrollmentMigrationTests {
    @Test func version3KeepsExistingRequestsAndAddsTheTramiteSequence() throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        _ = try Migrator.migrate(store.database, migrations: Array(Schema.migrations.prefix(2)))
        try store.database.execute("""
            INSERT INTO territory_unit (code, level, name) VALUES ('17', 'subzona', 'PICHINCHA');
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04', 'distrito', 'X', NULL);
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04C01', 'circuito', 'X', '17D04');
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04C01S01', 'subcircuito', 'X', '17D04C01');
            INSERT INTO upc (code, name, latitude, longitude) VALUES ('UPC-17D04C01S01', 'UPC X', -0.2, -78.5);
            INSERT INTO citizen (document_kind, document_key, document_number, nationality, nombres, apellidos,
                birth_date, created_at) VALUES ('cedula', 'cedula:1710034065', '1710034065', 'EC', 'A', 'B', '1980-01-01', 1);
            INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593991234567', 'celular', 1);
            INSERT INTO enrollment (tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
                home_address, home_latitude, home_longitude, created_at, updated_at)
                VALUES ('OLD-1', 'en_linea', 'ingresada', 1, '+593991234567', 'UPC-17D04C01S01', '17D04C01S01',
                        'Calle 1', -0.2, -78.5, 1, 1);
            """)
        let report = try Migrator.migrate(store.database, migrations: Array(Schema.migrations.prefix(3)))
        #expect(report.fromVersion == 2 && report.toVersion == 3 && report.applied == ["3 enrollment service"])
        let old = try #require(try store.enrollment(tramite: "OLD-1"))
        #expect(old.registeredAt == nil && old.deviceID == nil && old.intakeUPCCode == nil)
        try store.database.inTransaction { () throws(StoreError) in
            #expect(try store.nextTramiteSequence(year: 2026) == 1)
            #expect(try store.nextTramiteSequence(year: 2026) == 2)
            #expect(try store.nextTramiteSequence(year: 2027) == 1)
        }
    }
}

@Suite struct BajaRequestMigrationTests {
    @Test func version9RebuildsEnrollmentKeepingEveryRowReferenceAndIndex() throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        let db = store.database
        _ = try Migrator.migrate(db, migrations: Array(Schema.migrations.prefix(8)))
        try db.execute("""
            INSERT INTO territory_unit (code, level, name) VALUES ('17', 'subzona', 'PICHINCHA');
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04', 'distrito', 'X', NULL);
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04C01', 'circuito', 'X', '17D04');
            INSERT INTO territory_unit (code, level, name, parent_code) VALUES ('17D04C01S01', 'subcircuito', 'X', '17D04C01');
            INSERT INTO upc (code, name, latitude, longitude) VALUES ('UPC-17D04C01S01', 'UPC X', -0.2, -78.5);
            INSERT INTO citizen (document_kind, document_key, document_number, nationality, nombres, apellidos,
                birth_date, created_at) VALUES ('cedula', 'cedula:1710034065', '1710034065', 'EC', 'A', 'B', '1980-01-01', 1);
            INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593991234567', 'celular', 1);
            INSERT INTO device (id, kind, line_e164, secret, created_at) VALUES ('d1', 'app', '+593991234567', x'00', 1);
            INSERT INTO enrollment (tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
                home_address, home_latitude, home_longitude, created_at, updated_at, registered_at, device_id,
                intake_upc_code, usage_policy_accepted_at)
                VALUES ('BS-2026-000001-5', 'en_linea', 'activa', 1, '+593991234567', 'UPC-17D04C01S01', '17D04C01S01',
                        'Calle 1', -0.2, -78.5, 1, 2, 3, 'd1', 'UPC-17D04C01S01', 4);
            INSERT INTO enrollment (tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
                home_address, home_latitude, home_longitude, linked_to, created_at, updated_at)
                VALUES ('BS-2026-000002-3', 'en_linea', 'ingresada', 1, '+593991234567', 'UPC-17D04C01S01',
                        '17D04C01S01', 'Calle 1', -0.2, -78.5, 1, 5, 5);
            INSERT INTO enrollment_transition (enrollment_id, from_state, to_state, actor, at)
                VALUES (1, NULL, 'ingresada', 'ciudadano', 1);
            INSERT INTO enrollment_contact (enrollment_id, position, name, phone) VALUES (1, 1, 'Ana', '+593987654321');
            """)
        func rows() throws -> [String] {
            try db.statement("SELECT * FROM enrollment ORDER BY id").rows { s in
                (Int32(0) ..< 23).map { s.isNull($0) ? "∅" : s.text($0) }.joined(separator: "|")
            }
        }
        let before = try rows()
        let indexes = try db.statement(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enrollment' AND sql IS NOT NULL ORDER BY name")
            .rows { $0.text(0) }
        let report = try Migrator.migrate(db, migrations: Array(Schema.migrations.prefix(9)))
        #expect(report.applied == ["9 baja requests"])
        #expect(try rows() == before)
        #expect(try db.statement(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enrollment' AND sql IS NOT NULL ORDER BY name")
            .rows { $0.text(0) } == (indexes + ["enrollment_device"]).sorted())
        #expect(try db.statement("PRAGMA foreign_keys").first { $0.int(0) } == 1)
        #expect(try db.statement("PRAGMA foreign_key_check").rows { $0.text(0) }.isEmpty)
        // The new state is accepted; the children still point at their request.
        try db.execute("UPDATE enrollment SET state = 'baja_solicitada' WHERE id = 1")
        #expect(try store.transitions(enrollmentID: 1).count == 1)
        #expect(try store.enrollment(deviceID: "d1")?.tramite == "BS-2026-000001-5")
        // A pending baja still holds the line's one live button.
        #expect(throws: StoreError.self) {
            try db.execute("UPDATE enrollment SET state = 'activa' WHERE id = 2")
        }
        // Foreign keys are enforced again.
        #expect(throws: StoreError.self) {
            try db.execute("INSERT INTO enrollment_contact (enrollment_id, position, name, phone) VALUES (77, 1, 'x', 'y')")
        }
    }
}

@Suite struct ConsoleReplayMigrationTests {
    @Test func version10GivesEveryEventItsAlertsUPCIndexedWithTheIdAndKeepsTheTableAppendOnly() throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("a.sqlite"))
        let db = store.database
        _ = try Migrator.migrate(db, migrations: Array(Schema.migrations.prefix(9)))
        try db.execute("""
            INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593991234567', 'celular', 1);
            INSERT INTO incident (line_e164, state, upc_code, location_source, opened_at)
                VALUES ('+593991234567', 'recibida', 'UPC-17D04C01S01', 'gps', 1);
            INSERT INTO incident (line_e164, state, upc_code, location_source, opened_at)
                VALUES ('+593991234567', 'recibida', 'UPC-09D03C01S01', 'gps', 2);
            INSERT INTO incident_event (incident_id, kind, actor, at) VALUES (1, 'transicion', 'sistema', 1);
            INSERT INTO incident_event (incident_id, kind, actor, at) VALUES (2, 'transicion', 'sistema', 2);
            INSERT INTO incident_event (incident_id, kind, actor, at) VALUES (1, 'nota', 'operador:1', 3);
            """)
        let report = try Migrator.migrate(db, migrations: Array(Schema.migrations.prefix(10)))
        #expect(report.applied == ["10 console replay by UPC"])
        #expect(try db.statement("SELECT upc_code FROM incident_event ORDER BY id").rows { $0.text(0) }
            == ["UPC-17D04C01S01", "UPC-09D03C01S01", "UPC-17D04C01S01"])
        // One UPC's events after an id are one range of the new index.
        let plan = try db.statement("""
            EXPLAIN QUERY PLAN SELECT id FROM incident_event WHERE upc_code = 'UPC-17D04C01S01' AND id > 1 ORDER BY id
            """).rows { $0.text(3) }.joined(separator: " ")
        #expect(plan.contains("incident_event_upc") && !plan.contains("TEMP B-TREE"))
        #expect(throws: StoreError.self) { try db.execute("UPDATE incident_event SET upc_code = 'x'") }
        #expect(throws: StoreError.self) { try db.execute("DELETE FROM incident_event") }
        // What the service writes from now on carries the UPC.
        let id = try store.appendIncidentEvent(IncidentEventRecord(incidentID: 2, kind: "nota", actor: "operador:1",
                                                                   at: Timestamp(millisecondsSince1970: 4), detail: "x"))
        #expect(try db.statement("SELECT upc_code FROM incident_event WHERE id = \(id)").first { $0.text(0) }
            == "UPC-09D03C01S01")
    }
}
