import BotonCore
import BotonStore
import BotonTestSupport
import Foundation
import Testing
import BotonStoreFixtures
@testable import BotonStatistics
import BotonRepository

/// The statistics over a real SQLite file with the national territory: aggregation against an independent count,
/// the monthly close and its revisions, the imported series, the exports.
@Suite("Statistics service")
struct StatisticsServiceTests {
    static let published: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/procedimiento-boton-seguridad.txt")
        let text = try! String(contentsOf: url, encoding: .utf8)
        return String(text[text.range(of: TransparencyTable.header)!.lowerBound...])
    }()

    static let current = YearMonth("2026-11")!
    static let now = YearMonth("2026-11")!.ecuadorStart.adding(seconds: 3600)

    /// Subcircuitos of the bundled territory with their UPC and zona, for generated alerts.
    static let places: [(subcircuit: String, upc: String, zone: String)] = EnrollmentFixture.territory.subcircuits
        .enumerated().filter { $0.offset % 97 == 0 }.map { ($0.element.code.rawValue, $0.element.upc.rawValue,
                                                            $0.element.zone.description) }

    /// An alert generated for the test, with what the test itself knows about it.
    struct Generated {
        let fixture: IncidentFixture
        let month: YearMonth?
    }

    /// `count` alerts over the months of `range` (and a few still open), seeded.
    static func generate(_ count: Int, in range: [YearMonth], seed: UInt64) -> [Generated] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let month = rng.pick(range)
            let span = month.ecuadorEnd.milliseconds(since: month.ecuadorStart)
            // Close instants anywhere in the month, including its first and last millisecond.
            let offset = rng.chance(0.05) ? (rng.chance(0.5) ? 0 : span - 1) : Int64(rng.int(0...Int(span - 1)))
            let closed = month.ecuadorStart.adding(milliseconds: offset)
            let isTest = rng.chance(0.1)
            let outcome: IncidentOutcome = isTest ? .prueba
                : rng.pick([.atendida, .atendida, .atendida, .falsaAlarma, .canceladaPorCiudadano, .noLocalizada])
            let centralOnly = rng.chance(0.05)
            let place = rng.pick(places)
            let opened = closed.adding(seconds: -Int64(rng.int(60...7200)))
            let taken = rng.chance(0.8) ? opened.adding(milliseconds: Int64(rng.int(500...90_000))) : nil
            let stillOpen = rng.chance(0.05)
            let escalations = taken == nil && rng.chance(0.3) ? [opened.adding(seconds: 60)] : []
            return Generated(
                fixture: IncidentFixture(isTest: isTest, outcome: outcome,
                                         upcCode: centralOnly ? "CENTRAL-ECU911" : place.upc,
                                         subcircuitCode: centralOnly ? nil : place.subcircuit, openedAt: opened,
                                         takenAt: taken, closedAt: stillOpen ? nil : closed, escalatedAt: escalations),
                month: stillOpen ? nil : month)
        }
    }

    func service(_ fixture: EnrollmentFixture, outcomes: Set<IncidentOutcome> = [.atendida]) -> StatisticsService {
        StatisticsService(store: fixture.store, settings: StatisticsSettings(countedOutcomes: outcomes))
    }

    @Test func aggregationEqualsAnIndependentCount() throws {
        let fixture = try EnrollmentFixture()
        let months = YearMonth.range(YearMonth("2026-07")!, YearMonth("2026-09")!)
        let generated = Self.generate(1500, in: months, seed: 6)
        try fixture.store.insertIncidentFixtures(generated.map(\.fixture))
        let zones = Dictionary(uniqueKeysWithValues: Self.places.map { ($0.subcircuit, $0.zone) })
        for outcomes in [Set([IncidentOutcome.atendida]), [.atendida, .noLocalizada]] {
            let stats = service(fixture, outcomes: outcomes)
            for month in months {
                let closed = generated.filter { $0.month == month }.map(\.fixture)
                let real = closed.filter { !$0.isTest }
                let counted = real.filter { outcomes.contains($0.outcome!) }
                // The national table's fast path and the tally agree with the test's own count.
                #expect(try stats.liveNational(month).atenciones == counted.count)
                let figures = try stats.liveFigures(month)
                let national = try #require(figures[.national])
                #expect(national.atenciones == counted.count)
                #expect(national.pruebas == closed.count - real.count)
                #expect(national.falsasAlarmas == real.filter { $0.outcome == .falsaAlarma }.count)
                let takes = real.compactMap { f in f.takenAt.map { $0.milliseconds(since: f.openedAt) } }.sorted()
                #expect(national.tomadas == takes.count)
                let median = takes.count % 2 == 1 ? takes[takes.count / 2]
                    : (takes[takes.count / 2 - 1] + takes[takes.count / 2]) / 2
                #expect(national.medianaTomaMs == median)
                let escalated = generated.flatMap(\.fixture.escalatedAt).filter { YearMonth(ecuador: $0) == month }
                #expect(national.escaladas == escalated.count)
                // Every level, unit by unit.
                func code(_ f: IncidentFixture, _ level: StatisticsLevel) -> String {
                    guard let sub = f.subcircuitCode else { return level == .upc ? f.upcCode : "-" }
                    switch level {
                    case .zona: return zones[sub]!
                    case .subzona: return String(sub.prefix(2))
                    case .distrito: return String(sub.prefix(5))
                    case .circuito: return String(sub.prefix(8))
                    case .subcircuito: return sub
                    case .upc: return f.upcCode
                    case .nacional: return ""
                    }
                }
                for level in StatisticsLevel.breakdowns {
                    let expected = Dictionary(grouping: counted, by: { code($0, level) }).mapValues(\.count)
                    let actual = figures.filter { $0.key.level == level && $0.value.atenciones > 0 }
                        .reduce(into: [String: Int]()) { $0[$1.key.code] = $1.value.atenciones }
                    #expect(actual == expected, "\(level) \(month)")
                }
            }
        }
    }

    @Test func closingFreezesAMonthAndACorrectionIsARevisionWithWhoAndWhy() throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        let october = YearMonth("2026-10")!
        try fixture.store.insertIncidentFixtures(Self.generate(200, in: [october], seed: 1).map(\.fixture))
        let before = try stats.liveNational(october)
        // The current month cannot be closed; October can, once.
        #expect(throws: StatisticsError.self) { try stats.close(Self.current, by: "sistema", current: Self.current, at: Self.now) }
        try stats.close(october, by: "sistema", current: Self.current, at: Self.now)
        let again = #expect(throws: StatisticsError.self) {
            try stats.close(october, by: "sistema", current: Self.current, at: Self.now)
        }
        #expect(again?.code == "month_closed")
        // A late change to October (an alert reclassified as atendida) does not move the frozen figure…
        let extra = IncidentFixture(outcome: .atendida, upcCode: Self.places[0].upc, subcircuitCode: Self.places[0].subcircuit,
                                    openedAt: october.ecuadorStart.adding(seconds: 60),
                                    closedAt: october.ecuadorStart.adding(seconds: 600))
        try fixture.store.insertIncidentFixtures([extra])
        let range = MonthRange(from: october, to: october)
        #expect(try stats.series(range).first?.volume.atenciones == before.atenciones)
        #expect(try stats.series(range).first?.source == .sistema)
        // …until an administrator revises it, saying why.
        #expect(throws: StatisticsError.self) { try stats.revise(october, reason: "", by: "operador:1", at: Self.now) }
        let (revision, old, new) = try stats.revise(october, reason: "Alerta 123 reclasificada como atendida",
                                                    by: "operador:1", at: Self.now.adding(seconds: 60))
        #expect(revision.revision == 1 && old.atenciones == before.atenciones && new.atenciones == before.atenciones + 1)
        #expect(try stats.series(range).first?.volume.atenciones == before.atenciones + 1)
        #expect(try stats.series(range).first?.revision == 1)
        // Both revisions stay, and the audit log has both acts.
        #expect(try stats.revisions(october).map(\.revision) == [0, 1])
        #expect(try stats.revisions(october).last?.reason == "Alerta 123 reclasificada como atendida")
        let audit = try fixture.store.auditEntries(subject: "estadisticas:2026-10", limit: 10).map(\.action)
        #expect(audit == ["revisar_mes_estadistico", "cerrar_mes_estadistico"])
        // Nothing changed since: no revision.
        let unchanged = #expect(throws: StatisticsError.self) {
            try stats.revise(october, reason: "Otra revisión", by: "operador:1", at: Self.now)
        }
        #expect(unchanged?.code == "no_change")
        // The frozen rows cannot be edited behind the service's back.
        #expect(throws: StoreError.self) {
            try fixture.store.sql.execute("UPDATE statistics_figure SET atenciones = 0")
        }
        #expect(throws: StoreError.self) { try fixture.store.sql.execute("DELETE FROM statistics_revision") }
    }

    @Test func finishedMonthsAreClosedFromTheFirstRecordOn() throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        #expect(try stats.closeFinishedMonths(current: Self.current, at: Self.now).isEmpty)  // no data yet
        try fixture.store.insertIncidentFixtures(Self.generate(20, in: [YearMonth("2026-08")!], seed: 2).map(\.fixture))
        #expect(try stats.closeFinishedMonths(current: Self.current, at: Self.now).map(\.description)
            == ["2026-08", "2026-09", "2026-10"])
        #expect(try stats.closeFinishedMonths(current: Self.current, at: Self.now).isEmpty)
        #expect(try stats.revisions().allSatisfy { $0.actor == "sistema" && $0.revision == 0 })
    }

    @Test func theSeedTableRoundTripsThroughTheStore() throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        let report = try stats.importTable(Self.published, source: "seed", preferImport: false, by: "sistema",
                                           current: Self.current, at: Self.now)
        #expect(report.months == 84 && report.replaced == 0 && report.overlapping.isEmpty)
        let range = MonthRange(from: YearMonth("2019-01")!, to: YearMonth("2025-12")!)
        let rows = try stats.rows(range, level: .nacional, detailed: false)
        let text = StatisticsExport.render(rows, format: .gobec, context: .init(range: range, level: .nacional,
                                                                                isInternal: false, settings: stats.settings))
        #expect(text == Self.published + "\n")
        // Importing again replaces, month by month.
        #expect(try stats.importTable(Self.published, source: "seed", preferImport: false, by: "sistema",
                                      current: Self.current, at: Self.now).replaced == 84)
    }

    @Test(arguments: [
        ("Año\tMes\tQuejas\tAtenciones\n2025\t01\t0\t1\n", 1, "cabecera"),
        ("\(TransparencyTable.header)\n2025\t01\t0\t1\n2025\t02\tx\t1\n", 3, "no es un número entero"),
        ("\(TransparencyTable.header)\n2025\t02\t0\t1\n2025\t02\t0\t5\n", 3, "ya aparece en la línea 2"),
        ("\(TransparencyTable.header)\n2026\t12\t0\t1\n", 2, "posterior al mes en curso"),
        ("\(TransparencyTable.header)\n2025\t13\t0\t1\n", 2, "el mes «13» no existe"),
        ("", 1, "ninguna fila"),
    ])
    func badImportsNameTheLineAndImportNothing(text: String, line: Int, reason: String) throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        let error = #expect(throws: StatisticsError.self) {
            try stats.importTable(text, source: "tabla.txt", preferImport: false, by: "sistema",
                                  current: Self.current, at: Self.now)
        }
        #expect(error?.line == line)
        #expect(error?.mensaje.contains(reason) == true, "\(error?.mensaje ?? "")")
        #expect(error?.mensaje.contains("No se importó nada") == true)
        #expect(try fixture.store.publishedMonths().isEmpty)
    }

    @Test func theSystemWinsOverAnImportUnlessPreferred() throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        let september = YearMonth("2026-09")!
        try fixture.store.insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: Self.places[0].upc, subcircuitCode: Self.places[0].subcircuit,
            openedAt: september.ecuadorStart.adding(seconds: 10), closedAt: september.ecuadorStart.adding(seconds: 99))])
        let table = "\(TransparencyTable.header)\n2026\t09\t4\t40\n2026\t08\t3\t30\n"
        let report = try stats.importTable(table, source: "t", preferImport: false, by: "sistema", current: Self.current,
                                           at: Self.now)
        #expect(report.overlapping == [september])
        let range = MonthRange(from: YearMonth("2026-08")!, to: september)
        #expect(try stats.series(range).map(\.volume.atenciones) == [30, 1])
        #expect(try stats.series(range).map(\.source) == [.publicado, .provisional])
        _ = try stats.importTable(table, source: "t", preferImport: true, by: "sistema", current: Self.current, at: Self.now)
        #expect(try stats.series(range).map(\.volume.atenciones) == [30, 40])
    }

    @Test func rangesAreCheckedWithAClearMessage() throws {
        let y = { YearMonth($0)! }
        func parse(_ from: String?, _ to: String?) throws(StatisticsError) -> MonthRange {
            try MonthRange.parse(from: from, to: to, defaultFrom: y("2019-01"), defaultTo: y("2026-10"), current: Self.current)
        }
        #expect(try parse(nil, nil) == MonthRange(from: y("2019-01"), to: y("2026-10")))
        for (from, to, code) in [("2025-13", nil, "month_format"), ("2025-1", nil, "month_format"),
                                 ("enero", nil, "month_format"), ("2025-12", "2025-01", "range_reversed"),
                                 (nil, "2027-01", "range_future")] as [(String?, String?, String)] {
            let error = #expect(throws: StatisticsError.self) { try parse(from, to) }
            #expect(error?.code == code)
        }
        let reversed = #expect(throws: StatisticsError.self) { try parse("2025-12", "2025-01") }
        #expect(reversed?.mensaje == "El rango está invertido: --from 2025-12 es posterior a --to 2025-01. "
                + "Escriba primero el mes más antiguo.")
    }

    @Test func publicBreakdownsBelowDistritoSuppressSmallFigures() throws {
        let fixture = try EnrollmentFixture()
        let stats = service(fixture)
        let august = YearMonth("2026-08")!
        let place = Self.places[1]
        try fixture.store.insertIncidentFixtures((0..<7).map { i in
            IncidentFixture(outcome: .atendida, upcCode: place.upc, subcircuitCode: i < 6 ? place.subcircuit : Self.places[2].subcircuit,
                            openedAt: august.ecuadorStart.adding(seconds: 10), closedAt: august.ecuadorStart.adding(seconds: Int64(100 + i)))
        })
        let range = MonthRange(from: august, to: august)
        func csv(_ level: StatisticsLevel, detailed: Bool = false) throws -> String {
            StatisticsExport.render(try stats.rows(range, level: level, detailed: detailed), format: .csv,
                                    context: .init(range: range, level: level, isInternal: detailed, settings: stats.settings))
        }
        let subcircuits = try csv(.subcircuito)
        #expect(subcircuits.contains("2026,08,subcircuito,\(place.subcircuit),"))
        #expect(subcircuits.contains(",6,"))  // six is at the threshold or above: shown
        #expect(subcircuits.contains("2026,08,subcircuito,\(Self.places[2].subcircuit),") && subcircuits.contains("<5"))
        #expect(!(try csv(.distrito)).contains("<5"))  // distritos are never suppressed
        #expect(!(try csv(.subcircuito, detailed: true)).contains("<5"))
        #expect(throws: StatisticsError.self) { try StatisticsExport.check(.gobec, level: .upc) }
    }

    @Test func theChartHasSpanishLabelsAndATextAlternative() {
        let volumes = YearMonth.range(YearMonth("2024-11")!, YearMonth("2025-02")!).enumerated().map {
            MonthlyVolume(month: $0.element, quejas: $0.offset, atenciones: 1000 * ($0.offset + 1))
        }
        let svg = TransparencyChart.svg(volumes)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        for text in ["Volumen de Atenciones", "Volumen de Quejas", "2024", "2025", "noviembre de 2024 a febrero de 2025",
                     "máximo 4\u{00A0}000 en febrero de 2025", "role=\"img\""] {
            #expect(svg.contains(text), "\(text)")
        }
        #expect(!svg.contains("style"))  // presentation attributes only: the CSP forbids inline styles
        #expect(TransparencyChart.scale(30_814, lines: 5) == (10_000, 40_000))
        #expect(TransparencyChart.scale(1, lines: 2) == (1, 1))
        #expect(TransparencyChart.svg([]).contains("Sin cifras"))
    }
}
