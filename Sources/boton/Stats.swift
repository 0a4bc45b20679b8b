import BotonCore
import Foundation
import Glibc
import BotonStatistics
import BotonRuntime

/// `boton stats export|import|close|revise|revisions`: the transparency statistics.
let statsCommand = Command(
    "stats", summary: "Transparency statistics: Volumen de Quejas and Volumen de Atenciones by month.",
    subcommands: [statsExport, statsImport, statsClose, statsRevise, statsRevisions])

/// The service over the configured database, at the current schema.
private func statisticsService(_ args: ParsedArguments) throws -> (StatisticsService, CommandContext) {
    let context = try CommandContext(args)
    let store = try context.openStore(migrate: false)
    try context.requireCurrentSchema(store)
    return (StatisticsService(store: store, settings: StatisticsSettings(context.configuration.stats)), context)
}

private func currentMonth() -> YearMonth { YearMonth(ecuador: SystemClock.now()) }

/// A refusal of the statistics as the command line reports it (exit 1, the Spanish sentence).
private func failure(_ error: StatisticsError) -> CommandFailure {
    CommandFailure(error.mensaje + (error.detail.map { " (\($0))" } ?? ""))
}

private let statsExport = Command(
    "export", summary: "Write the monthly figures in the published layout, CSV, JSON or an SVG chart.",
    details: """
    gobec is the layout of the procedure's page on gob.ec: 'Año<TAB>Mes<TAB>Volumen de Quejas<TAB>Volumen de \
    Atenciones', newest month first, pages of 24 months anchored on stats.page_anchor (2024-05 reproduces the \
    published table). csv and json carry the same figures with their source (publicado, sistema, provisional) and \
    revision; svg draws both series. --by breaks csv and json down by a level of the territory; public exports \
    suppress figures from 1 to stats.privacy_threshold - 1 below distrito (--internal: no suppression, plus tests, \
    false alarms, escalations, median time to take, enrollments). Closed months come from their frozen figures; \
    open ones are computed now and marked provisional. Without --from/--to: every month with figures, from the \
    oldest to the newest (the current month too, provisional, once the system has figures of its own). The range \
    written is said on standard error.
    """,
    options: CommonOptions.store + [
        .init("--from", value: "YYYY-MM", help: "First month (default: the oldest with figures)."),
        .init("--to", value: "YYYY-MM", help: "Last month (default: the newest with figures)."),
        .init("--format", value: "FORMAT", help: "gobec (default), csv, json or svg."),
        .init("--by", value: "LEVEL", help: "csv/json: zona, subzona, distrito, circuito, subcircuito or upc."),
        .init("--internal", help: "Add the internal figures; no privacy suppression (not for publication)."),
        .init("--out", value: "FILE", help: "Write here (replaced whole, only once complete) instead of standard output."),
    ]) { args in
    let formatText = args.value("--format") ?? "gobec"
    guard let format = StatisticsExport.Format(rawValue: formatText) else {
        throw UsageError(path: args.path, message: "--format is gobec, csv, json or svg (got '\(formatText)')")
    }
    let level: StatisticsLevel
    if let by = args.value("--by") {
        guard let parsed = StatisticsLevel(rawValue: by), parsed != .nacional else {
            throw UsageError(path: args.path, message: "--by is zona, subzona, distrito, circuito, subcircuito or upc "
                             + "(got '\(by)')")
        }
        level = parsed
    } else {
        level = .nacional
    }
    let (service, _) = try statisticsService(args)
    let current = currentMonth()
    do {
        try StatisticsExport.check(format, level: level)
        let available = try service.availableMonths(current: current)
        let lastFinished = current.adding(months: -1)
        // The months that have figures: imported, frozen, and the system's own up to this month (provisional).
        // Stopping at the last closed month left a new system's own figures out of its first exports.
        let newest = available?.last ?? lastFinished
        let range = try MonthRange.parse(from: args.value("--from"), to: args.value("--to"),
                                         defaultFrom: available?.first ?? lastFinished,
                                         defaultTo: args.value("--from").flatMap(YearMonth.init).map {
                                             max($0, newest)
                                         } ?? newest,
                                         current: current)
        let progress = Progress(label: "Calculando", enabled: isatty(2) == 1)
        let rows = try service.rows(range, level: level, detailed: args.flag("--internal")) { done, total in
            progress.update(done, total)
        }
        progress.finish()
        let notes = try service.revisions().filter { $0.revision > 0 && range.months.contains($0.month) }.map {
            StatisticsExport.RevisionNote(month: $0.month, revision: $0.revision, at: $0.at, actor: $0.actor,
                                          reason: $0.reason)
        }
        let text = StatisticsExport.render(rows, format: format, context: StatisticsExport.Context(
            range: range, level: level, isInternal: args.flag("--internal"), settings: service.settings,
            revisions: notes))
        let months = Set(rows.map(\.month))
        let missing = range.months.filter { !months.contains($0) }
        let out = args.value("--out")
        if let out {
            try writeWhole(text, to: out)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        // Which range was written, always (on standard error: standard output is the export itself).
        let provisional = range.months.contains(current) && months.contains(current)
            ? " (\(current) en curso: cifras provisionales)" : ""
        let exported = months.count == 1 ? "Exportado 1 mes con cifras" : "Exportados \(months.count) meses con cifras"
        printToStandardError("\(exported), de \(range.from) a \(range.to)\(provisional), en formato \(format.rawValue)"
                             + (out.map { " a \($0)" } ?? "") + ".\n")
        if !missing.isEmpty {
            printToStandardError("Sin cifras para \(missing.count) meses del rango (\(missing.first!)"
                                 + (missing.count > 1 ? " … \(missing.last!)" : "") + "): ni importadas ni del sistema.\n")
        }
        return 0
    } catch let error as StatisticsError {
        throw failure(error)
    }
}

private let statsImport = Command(
    "import", summary: "Load a table in the published layout as the historical series.",
    details: """
    The file is checked whole first: a wrong header, a row without four cells, a non-numeric cell, a month 13, a \
    month twice or a month after the current one is reported with its line and nothing is imported. Imported months \
    replace earlier imports of the same months. Where the system has its own figures for a month (from its first \
    closed alert or complaint on), those win unless --prefer-import.
    """,
    positionals: [("FILE", "The table (UTF-8), or - for standard input.")],
    options: CommonOptions.store + [
        .init("--prefer-import", help: "The imported figures win over the system's own for the same months."),
        .init("--por", value: "USUARIO", help: "The administrator importing it (default: sistema)."),
    ]) { args in
    let path = args.positionals[0]
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(path): no se puede leer el archivo (¿existe y tiene permiso de lectura?). "
                                 + "No se importó nada.")
        }
        data = contents
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure("\(path): el archivo no está en UTF-8. Guárdelo como texto UTF-8. No se importó nada.")
    }
    let (service, context) = try statisticsService(args)
    do {
        let actor = try args.value("--por").map(service.administrator(username:)) ?? Author.sistema.storageForm
        let report = try service.importTable(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text,
                                             source: path == "-" ? "entrada estándar" : path,
                                             preferImport: args.flag("--prefer-import"), by: actor,
                                             current: currentMonth(), at: SystemClock.now())
        context.logger.info("stats_imported", ["file": path, "months": String(report.months),
                                               "replaced": String(report.replaced)])
        print("Importados \(report.months) meses (\(report.first!) a \(report.last!)); \(report.replaced) reemplazaron "
              + "una importación anterior.")
        if !report.overlapping.isEmpty {
            print(args.flag("--prefer-import")
                  ? "En \(report.overlapping.count) meses que el sistema también tiene se publicarán las cifras importadas."
                  : "En \(report.overlapping.count) meses que el sistema también tiene se publican las cifras del sistema "
                    + "(use --prefer-import para publicar las importadas).")
        }
        return 0
    } catch let error as StatisticsError {
        throw failure(error)
    }
}

private let statsClose = Command(
    "close", summary: "Freeze a finished month (the running service does it by itself at the start of a month).",
    details: """
    Stores the month's figures at every level as revision 0. A month that has not ended, or is already closed, is \
    refused (a correction is 'boton stats revise'). Without --month, closes every finished month since the system's \
    first record that is not closed yet.
    """,
    options: CommonOptions.store + [
        .init("--month", value: "YYYY-MM", help: "The month to close."),
        .init("--por", value: "USUARIO", help: "The administrator closing it (default: sistema)."),
    ]) { args in
    let (service, context) = try statisticsService(args)
    do {
        let actor = try args.value("--por").map(service.administrator(username:)) ?? Author.sistema.storageForm
        let current = currentMonth()
        if let text = args.value("--month") {
            let range = try MonthRange.parse(from: text, to: text, defaultFrom: current, defaultTo: current,
                                             current: current, names: ("--month", "--month"))
            try service.close(range.from, by: actor, current: current, at: SystemClock.now())
            let national = try service.figures(range.from, level: .nacional).figures[.national] ?? MonthlyFigures()
            context.logger.info("stats_month_closed", ["month": range.from.description, "actor": actor])
            print("Cerrado \(range.from): \(national.quejas) quejas, \(national.atenciones) atenciones (revisión 0).")
        } else {
            let closed = try service.closeFinishedMonths(current: current, at: SystemClock.now())
            print(closed.isEmpty ? "No hay meses terminados sin cerrar."
                                 : "Cerrados \(closed.count) meses: \(closed.map(\.description).joined(separator: ", ")).")
        }
        return 0
    } catch let error as StatisticsError {
        throw failure(error)
    }
}

private let statsRevise = Command(
    "revise", summary: "Correct a closed month: recompute it and store a new revision with who and why.",
    details: """
    The month's figures are recomputed from the alerts and complaints as they are now (for example after an alert \
    was reclassified) and stored as the next revision; the previous ones stay. The reason is published beside the \
    figures. Refused when nothing changed.
    """,
    options: CommonOptions.store + [
        .init("--month", value: "YYYY-MM", help: "The closed month.", required: true),
        .init("--motivo", value: "TEXT", help: "Why (published).", required: true),
        .init("--por", value: "USUARIO", help: "The administrator revising it.", required: true),
    ]) { args in
    let (service, context) = try statisticsService(args)
    do {
        let current = currentMonth()
        let text = args.value("--month")!
        let range = try MonthRange.parse(from: text, to: text, defaultFrom: current, defaultTo: current,
                                         current: current, names: ("--month", "--month"))
        let actor = try service.administrator(username: args.value("--por")!)
        let (revision, before, after) = try service.revise(range.from, reason: args.value("--motivo")!, by: actor,
                                                           at: SystemClock.now())
        context.logger.info("stats_month_revised", ["month": range.from.description, "revision": String(revision.revision),
                                                    "actor": actor])
        print("Revisión \(revision.revision) de \(range.from): quejas \(before.quejas) → \(after.quejas), "
              + "atenciones \(before.atenciones) → \(after.atenciones). Motivo: \(revision.reason)")
        return 0
    } catch let error as StatisticsError {
        throw failure(error)
    }
}

private let statsRevisions = Command(
    "revisions", summary: "List the closes and revisions of the monthly figures.",
    options: CommonOptions.store + [.init("--month", value: "YYYY-MM", help: "Only this month.")]) { args in
    let (service, _) = try statisticsService(args)
    do {
        var month: YearMonth?
        if let text = args.value("--month") {
            let current = currentMonth()
            month = try MonthRange.parse(from: text, to: text, defaultFrom: current, defaultTo: current,
                                         current: current, names: ("--month", "--month")).from
        }
        let revisions = try service.revisions(month)
        // Who revised, by rank and name as well as by account (issue 15, item 14).
        var ids = Set<Int64>()
        for r in revisions { if case .operador(let o)? = Author(storageForm: r.actor) { ids.insert(Int64(o.id)) } }
        let names = ids.isEmpty ? [:] : try service.store.operatorNames(ids: ids)
        for r in revisions {
            let national = try service.store.frozenFigures(month: r.month, revision: r.revision, level: .nacional)[.national]
            var who = r.actor
            if case .operador(let o)? = Author(storageForm: r.actor), let name = names[Int64(o.id)] { who = "\(name) (\(r.actor))" }
            print("\(r.month)\trevisión \(r.revision)\t\(StatisticsExport.fecha(r.at))\t\(who)\tquejas=\(national?.quejas ?? 0)"
                  + "\tatenciones=\(national?.atenciones ?? 0)\t\(r.reason)")
        }
        return 0
    } catch let error as StatisticsError {
        throw failure(error)
    }
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`: a failed export never leaves half a
/// file where a previous good one was.
private func writeWhole(_ text: String, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
        throw CommandFailure("\(path): no se puede escribir el archivo (¿existe la carpeta y tiene permiso?).")
    }
    guard rename(temporary, path) == 0 else {
        unlink(temporary)
        throw CommandFailure("\(path): no se pudo reemplazar el archivo: \(String(cString: strerror(errno))).")
    }
}

/// A one-line progress counter on standard error, only on a terminal.
final class Progress {
    let label: String
    let enabled: Bool
    private var shown = false
    private var last = ContinuousClock.now

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 1 else { return }
        let now = ContinuousClock.now
        guard done == total || now - last > .milliseconds(100) else { return }
        last = now
        shown = true
        printToStandardError("\r\(label): \(done)/\(total) meses (\(done * 100 / total) %)")
    }

    func finish() {
        if shown { printToStandardError("\n") }
    }
}
