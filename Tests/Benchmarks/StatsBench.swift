import BotonCore
import BotonRepository
import BotonRuntime
import BotonStatistics
import BotonStore
import BotonStoreFixtures
import Foundation

/// `boton-bench stats`: the national monthly table over many bulk-loaded alerts (Scripts/bench stats).
let statsBench = Command(
    "stats", summary: "Benchmark: the national monthly table over bulk-loaded alerts in a scratch database.",
    details: """
    Creates and migrates DATABASE if needed and bulk-loads --incidents closed alerts spread over the 84 published \
    months (2019-01 … 2025-12), unless it already holds exactly that many. Then computes the national monthly table \
    (Volumen de Quejas and Volumen de Atenciones, every month live: nothing imported or frozen) --repeat times and \
    prints the times, the best one and the alerts per second; checks its total against the loader's arithmetic; and \
    times the same table served from frozen months after closing them. Never point it at the service's database.
    """,
    options: [
        .init("--database", value: "PATH", help: "Scratch SQLite file.", required: true),
        .init("--incidents", value: "N", help: "Alerts to load (default 10000000)."),
        .init("--repeat", value: "R", help: "Timed runs (default 5)."),
    ]) { args in
    let path = args.value("--database")!
    let count = try args.int("--incidents") ?? 10_000_000
    let repeats = max(1, try args.int("--repeat") ?? 5)
    guard count >= 100 else { throw UsageError(path: args.path, message: "--incidents must be at least 100") }
    let store = try SQLiteStore(path: path, options: Database.Options(durable: false))
    try store.migrate()
    let range = MonthRange(from: YearMonth("2019-01")!, to: YearMonth("2025-12")!)
    let existing = try store.database.statement("SELECT count(*) FROM incident").first { $0.int(0) } ?? 0
    if existing != count {
        guard existing == 0 else {
            throw CommandFailure("\(path) holds \(existing) alerts, not \(count): remove it, or use another scratch file")
        }
        let places = (1...40).flatMap { c in (1...5).map { s -> (upc: String, subcircuit: String) in
            let sub = "17D\(c < 10 ? "0" : "")\(c)C01S0\(s)"
            return ("UPC-" + sub, sub)
        } }
        let began = ContinuousClock.now
        try store.bulkLoadSyntheticIncidents(count: count, from: range.from.ecuadorStart, to: range.to.ecuadorEnd,
                                             places: places)
        print("bulk load: \(count) closed alerts over \(range.months.count) months in \(seconds(ContinuousClock.now - began)) s "
              + "(one INSERT … SELECT from a recursive CTE, one transaction)")
    } else {
        print("bulk load: reusing \(path) with \(count) alerts")
    }
    try store.database.execute("PRAGMA optimize")
    // The figures of a table computed live: nothing imported, nothing frozen.
    let frozen = try store.latestRevisions()
    let imported = try store.publishedMonths()
    guard frozen.isEmpty, imported.isEmpty else {
        throw CommandFailure("\(path) has frozen or imported months; the benchmark needs a scratch file of its own")
    }
    let service = StatisticsService(store: store, settings: StatisticsSettings())
    var times: [Duration] = []
    var table: [SeriesMonth] = []
    for _ in 0..<repeats {
        let began = ContinuousClock.now
        table = try service.series(range)
        times.append(ContinuousClock.now - began)
    }
    let best = times.min()!
    let atenciones = table.reduce(0) { $0 + $1.volume.atenciones }
    // The loader's rule: not every 50th (tests), and n mod 10 in 0…6 is atendida.
    let expected = (0..<count).lazy.filter { $0 % 50 != 0 && $0 % 10 < 7 }.count
    print("measures: the national monthly table (\(table.count) months, Volumen de Quejas and Volumen de Atenciones) "
          + "computed from \(count) alerts: per month, a range count in the partial index incident_statistics "
          + "(is_test, outcome, closed_at) and one in queja(received_at)")
    print("runs: " + times.map { seconds($0) + " s" }.joined(separator: ", "))
    let rate = Double(count) / (Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18)
    print("stats national_table best=\(seconds(best)) s alerts_per_second=\(Int(rate)) "
          + "(\(String(format: "%.1f", rate / 1e6)) M/s) target=1.000 s \(best <= .seconds(1) ? "met" : "NOT MET")")
    print("check: atenciones total \(atenciones), expected \(expected): \(atenciones == expected ? "ok" : "MISMATCH")")
    // The same table once the months are frozen (what the service serves for closed months), inside a transaction
    // that is rolled back: frozen months are append-only, and the scratch file keeps only the alerts.
    try store.database.execute("BEGIN")
    let closeBegan = ContinuousClock.now
    for month in range.months {
        try store.insertFrozenMonth(
            StatisticsRevisionRecord(month: month, revision: 0, at: SystemClock.now(), actor: "sistema",
                                     reason: "benchmark", countedOutcomes: "atendida"),
            figures: [.national: try service.liveNational(month)])
    }
    let closeTime = ContinuousClock.now - closeBegan
    let frozenBegan = ContinuousClock.now
    let frozenTable = try service.series(range)
    let frozenTime = ContinuousClock.now - frozenBegan
    try store.database.execute("ROLLBACK")
    print("frozen: \(frozenTable.count) months served from statistics_figure in \(milliseconds(frozenTime)) ms "
          + "(freezing them took \(seconds(closeTime)) s)")
    return atenciones == expected ? 0 : 1
}

private func milliseconds(_ d: Duration) -> String {
    String(format: "%.2f", (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000)
}

private func seconds(_ d: Duration) -> String {
    String(format: "%.3f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}
