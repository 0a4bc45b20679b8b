import BotonCore
import Foundation
import Testing
@testable import BotonStore
import BotonStoreFixtures
import BotonRepository

@Suite struct StatisticsStoreTests {
    func store() throws -> (TemporaryDirectory, any SQLStore) {
        let dir = TemporaryDirectory()
        let store = try dir.migratedStore("s.sqlite")
        return (dir, store)
    }

    /// The national table never reads a row of `incident`: its counts run inside the partial index. SQLite-only:
    /// it reads SQLite's query plan (`EXPLAIN QUERY PLAN`, `INDEXED BY`); PostgreSQL's planner chooses by statistics.
    @Test(.enabled(if: !TestBackend.isPostgreSQL, "SQLite's query plan"))
    func theMonthlyCountRunsInsideThePartialIndex() throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        try store.migrate()
        let plan = try store.database.statement("""
            EXPLAIN QUERY PLAN SELECT count(*) FROM incident
            WHERE is_test = ?1 AND outcome = ?2 AND closed_at >= ?3 AND closed_at < ?4
            """).rows([.integer(0), .text("atendida"), .integer(0), .integer(1)]) { $0.text(3) }
        #expect(plan.joined().contains("COVERING INDEX incident_statistics"), "\(plan)")
        // Open alerts (what ingestion inserts) are not in it.
        try store.insertIncidentFixtures([
            IncidentFixture(outcome: nil, upcCode: "UPC-17D04C01S01", subcircuitCode: "17D04C01S01",
                            openedAt: Timestamp(millisecondsSince1970: 1000), closedAt: nil),
            IncidentFixture(outcome: .atendida, upcCode: "UPC-17D04C01S01", subcircuitCode: "17D04C01S01",
                            openedAt: Timestamp(millisecondsSince1970: 1000),
                            closedAt: Timestamp(millisecondsSince1970: 5000)),
        ])
        let indexed = try store.database.statement(
            "SELECT count(*) FROM incident INDEXED BY incident_statistics WHERE closed_at IS NOT NULL"
        ).first { $0.int(0) }
        #expect(indexed == 1)
        #expect(try store.countClosedIncidents(isTest: false, outcome: .atendida,
                                               from: Timestamp(millisecondsSince1970: 5000),
                                               to: Timestamp(millisecondsSince1970: 5001)) == 1)
        #expect(try store.countClosedIncidents(isTest: false, outcome: .atendida,
                                               from: Timestamp(millisecondsSince1970: 0),
                                               to: Timestamp(millisecondsSince1970: 5000)) == 0)
    }

    @Test func importedMonthsAreReplacedMonthByMonth() throws {
        let (dir, store) = try store()
        defer { withExtendedLifetime(dir) {} }
        let at = Timestamp(millisecondsSince1970: 0)
        func record(_ month: String, _ atenciones: Int) -> PublishedMonthRecord {
            PublishedMonthRecord(volume: MonthlyVolume(month: YearMonth(month)!, quejas: 0, atenciones: atenciones),
                                 preferred: false, source: "t", importedAt: at, importedBy: "sistema")
        }
        #expect(try store.upsertPublishedMonths([record("2025-01", 1), record("2025-02", 2)]) == 0)
        #expect(try store.upsertPublishedMonths([record("2025-02", 3), record("2025-03", 4)]) == 1)
        #expect(try store.publishedMonths().map(\.volume.atenciones) == [1, 3, 4])
    }

    @Test func frozenMonthsRoundTripAndAreAppendOnly() throws {
        let (dir, store) = try store()
        defer { withExtendedLifetime(dir) {} }
        var figures = MonthlyFigures(quejas: 2, atenciones: 30)
        figures.medianaTomaMs = 4500
        figures.enrolamientos = ["activa": 3, "ingresada": 1]
        let month = YearMonth("2026-01")!
        try store.insertFrozenMonth(StatisticsRevisionRecord(month: month, revision: 0,
                                                             at: Timestamp(millisecondsSince1970: 9), actor: "sistema",
                                                             reason: "cierre mensual", countedOutcomes: "atendida"),
                                    figures: [.national: figures,
                                              StatisticsScope(level: .upc, code: "UPC-17D04C01S01"): figures])
        #expect(try store.frozenFigures(month: month, revision: 0, level: nil).count == 2)
        #expect(try store.frozenNational()[month]?.figures == figures)
        #expect(try store.latestRevisions() == [month: 0])
        #expect(throws: StoreError.self) {  // revision 0 exists
            try store.insertFrozenMonth(StatisticsRevisionRecord(month: month, revision: 0, at: Timestamp(millisecondsSince1970: 9),
                                                                 actor: "sistema", reason: "x", countedOutcomes: "atendida"),
                                        figures: [:])
        }
        for sql in ["UPDATE statistics_figure SET atenciones = 1", "DELETE FROM statistics_figure",
                    "UPDATE statistics_revision SET reason = 'x'", "DELETE FROM statistics_revision"] {
            #expect(throws: StoreError.self, "\(sql)") { try store.sql.execute(sql) }
        }
    }
}
