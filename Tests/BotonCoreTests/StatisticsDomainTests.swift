import BotonCore
import Testing

@Suite("Statistics domain: months, placement, privacy, series")
struct StatisticsDomainTests {
    /// 2025-12-31 23:30 in Quito is 2026-01-01 04:30 UTC: it belongs to December.
    @Test func monthsAreEcuadorianMonths() {
        let newYearsEve = Timestamp(millisecondsSince1970: 1_767_241_800_000)  // 2026-01-01T04:30:00Z
        #expect(YearMonth(ecuador: newYearsEve) == YearMonth("2025-12"))
        let december = YearMonth("2025-12")!
        #expect(december.ecuadorStart.millisecondsSince1970 == 1_764_565_200_000)  // 2025-12-01T05:00:00Z
        #expect(december.ecuadorEnd.millisecondsSince1970 == 1_767_243_600_000)  // 2026-01-01T05:00:00Z
        #expect(YearMonth(ecuador: december.ecuadorEnd) == YearMonth("2026-01"))
        #expect(YearMonth(ecuador: december.ecuadorEnd.adding(milliseconds: -1)) == december)
        #expect(YearMonth("2024-02")!.ecuadorEnd.milliseconds(since: YearMonth("2024-02")!.ecuadorStart) == 29 * 86_400_000)
        #expect(december.spanishText == "diciembre de 2025")
    }

    @Test func quejaStatesGoOneStepAtATime() {
        #expect(QuejaState.recibida.canTransition(to: .enGestion))
        #expect(!QuejaState.recibida.canTransition(to: .resuelta))
        #expect(QuejaState.enGestion.canTransition(to: .resuelta))
        #expect(!QuejaState.resuelta.canTransition(to: .enGestion))
        #expect(QuejaState.resuelta.isTerminal && QuejaState.resuelta.next == nil)
        #expect(QuejaState(rawValue: "en_gestion") == .enGestion)
    }

    @Test(arguments: [("1234", 1234), ("#1234", 1234), ("INC-1234", 1234), ("inc 77", 77), ("incidente 9", 9),
                      (" 12 ", 12)] as [(String, Int64)])
    func incidentReferencesAreReadAsTyped(text: String, id: Int64) {
        #expect(IncidentReference(text)?.id == id)
    }

    @Test(arguments: ["", "0", "-3", "INC-", "12a", "1234567890123", "BS-2026-000001-5"])
    func otherTextIsNotAnIncidentReference(text: String) {
        #expect(IncidentReference(text) == nil)
    }

    static let zones = ["17D04C01S01": "ZONA 9", "09D03C01S01": "ZONA 8"]

    @Test func factsArePlacedAtEveryLevelAndUnitsAddUpToTheCountry() {
        var tally = StatisticsTally(countedOutcomes: [.atendida], zoneOf: { Self.zones[$0] })
        tally.add(IncidentFact(isTest: false, outcome: .atendida, subcircuit: "17D04C01S01", upc: "UPC-17D04C01S01",
                               takeMilliseconds: 4000))
        tally.add(IncidentFact(isTest: false, outcome: .atendida, subcircuit: nil, upc: "CENTRAL-ECU911",
                               takeMilliseconds: nil))
        tally.add(IncidentFact(isTest: false, outcome: .falsaAlarma, subcircuit: "09D03C01S01", upc: "UPC-09D03C01S01",
                               takeMilliseconds: 10000))
        tally.add(IncidentFact(isTest: true, outcome: .prueba, subcircuit: "09D03C01S01", upc: "UPC-09D03C01S01",
                               takeMilliseconds: 1000))
        tally.addQueja(PlaceFact(subcircuit: nil, upc: "UPC-17D04C01S01"))
        tally.addQueja(PlaceFact(subcircuit: nil, upc: nil))
        let r = tally.result()
        let national = r[.national]!
        #expect(national.atenciones == 2 && national.falsasAlarmas == 1 && national.pruebas == 1 && national.quejas == 2)
        #expect(national.tomadas == 2 && national.medianaTomaMs == 7000)
        #expect(r[StatisticsScope(level: .zona, code: "ZONA 9")]?.atenciones == 1)
        #expect(r[StatisticsScope(level: .zona, code: "ZONA 9")]?.quejas == 1)  // placed through its UPC
        #expect(r[StatisticsScope(level: .circuito, code: "-")]?.quejas == 2)  // a UPC alone names no circuito
        #expect(r[StatisticsScope(level: .distrito, code: "17D04")]?.quejas == 1)
        #expect(r[StatisticsScope(level: .upc, code: "CENTRAL-ECU911")]?.atenciones == 1)
        #expect(r[StatisticsScope(level: .subcircuito, code: "-")]?.atenciones == 1)
        #expect(r[StatisticsScope(level: .subzona, code: "09")]?.pruebas == 1)
        for level in StatisticsLevel.breakdowns {
            let units = r.filter { $0.key.level == level }.values
            #expect(units.reduce(0) { $0 + $1.atenciones } == national.atenciones, "\(level)")
            #expect(units.reduce(0) { $0 + $1.quejas } == national.quejas, "\(level)")
            #expect(units.reduce(0) { $0 + $1.pruebas } == national.pruebas, "\(level)")
        }
    }

    @Test func whichOutcomesCountIsConfigurableAndTestsNeverCount() {
        var tally = StatisticsTally(countedOutcomes: [.atendida, .noLocalizada], zoneOf: { _ in nil })
        for outcome in IncidentOutcome.allCases {
            tally.add(IncidentFact(isTest: false, outcome: outcome, subcircuit: nil, upc: "X", takeMilliseconds: nil))
            tally.add(IncidentFact(isTest: true, outcome: outcome, subcircuit: nil, upc: "X", takeMilliseconds: nil))
        }
        #expect(tally.result()[.national]?.atenciones == 2)
        #expect(tally.result()[.national]?.pruebas == IncidentOutcome.allCases.count)
    }

    @Test func medianOfOddAndEvenCounts() {
        #expect(StatisticsTally.median([]) == nil)
        #expect(StatisticsTally.median([5]) == 5)
        #expect(StatisticsTally.median([9, 1, 5]) == 5)
        #expect(StatisticsTally.median([4, 1, 3, 2]) == 2)
    }

    @Test func smallFiguresBelowDistritoAreSuppressed() {
        for level in [StatisticsLevel.circuito, .subcircuito, .upc] {
            #expect(StatisticsPrivacy.publicValue(0, level: level, threshold: 5) == 0)
            #expect(StatisticsPrivacy.publicValue(1, level: level, threshold: 5) == nil)
            #expect(StatisticsPrivacy.publicValue(4, level: level, threshold: 5) == nil)
            #expect(StatisticsPrivacy.publicValue(5, level: level, threshold: 5) == 5)
            #expect(StatisticsPrivacy.publicValue(1, level: level, threshold: 1) == 1)
        }
        for level in [StatisticsLevel.nacional, .zona, .subzona, .distrito] {
            #expect(StatisticsPrivacy.publicValue(1, level: level, threshold: 5) == 1)
        }
    }

    @Test func theSeriesJoinsImportsFrozenAndLiveMonths() {
        let m = { YearMonth($0)! }
        let imported: [YearMonth: ImportedMonth] = [
            m("2025-10"): ImportedMonth(volume: MonthlyVolume(month: m("2025-10"), quejas: 1, atenciones: 100), preferred: false),
            m("2025-11"): ImportedMonth(volume: MonthlyVolume(month: m("2025-11"), quejas: 2, atenciones: 200), preferred: false),
            m("2025-12"): ImportedMonth(volume: MonthlyVolume(month: m("2025-12"), quejas: 3, atenciones: 300), preferred: true),
        ]
        let frozen: [YearMonth: (figures: MonthlyFigures, revision: Int)] = [
            m("2025-11"): (MonthlyFigures(quejas: 9, atenciones: 900), 1),
            m("2025-12"): (MonthlyFigures(quejas: 8, atenciones: 800), 0),
        ]
        let series = TransparencySeries.merge(
            months: YearMonth.range(m("2025-09"), m("2026-01")), imported: imported, frozen: frozen,
            live: { MonthlyFigures(quejas: 0, atenciones: $0.month) }, firstSystemMonth: m("2025-11"))
        #expect(series.map(\.month) == [m("2025-10"), m("2025-11"), m("2025-12"), m("2026-01")])  // 09: nothing
        #expect(series.map(\.source) == [.publicado, .sistema, .publicado, .provisional])
        #expect(series.map(\.volume.atenciones) == [100, 900, 300, 1])
        #expect(series[1].revision == 1)
    }
}
