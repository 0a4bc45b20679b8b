public import BotonCore
public import BotonRepository

/// What ``StatisticsService`` needs of the store.
public typealias StatisticsStore = Transactional & StatisticsRepository & AuditLogRepository & OperatorRepository

/// The transparency statistics over one store connection: the national monthly table, the breakdowns, the
/// monthly close and its revisions, and the import of the historical series.
///
/// It is not `Sendable`: make one per request (or per job) over the connection lent to it.
///
/// - **Live figures** come from the operational tables: atenciones and tests by the month their alert was closed
///   (Ecuador time), complaints by the month they were received, escalations by the month they were recorded,
///   enrollments by their state at the end of the month (replayed from their history).
/// - **Frozen figures**: a finished month is closed once (revision 0) and its figures, every level, are stored
///   append-only; a correction recomputes the month and stores a new revision with who and why. A closed month
///   is always served from its newest revision, never recomputed silently.
/// - **The national table** for a range (``series(_:progress:)``) joins the imported series, the frozen months and the live
///   figures of open months (see `TransparencySeries`). Its live part needs only counts: per month, one range
///   count per counted outcome inside the partial index `incident_statistics`, and one for complaints.
public final class StatisticsService {
    public let store: any StatisticsStore
    public let settings: StatisticsSettings

    public init(store: any StatisticsStore, settings: StatisticsSettings) {
        self.store = store
        self.settings = settings
    }

    package func storage<T>(_ body: () throws(StoreError) -> T) throws(StatisticsError) -> T {
        do { return try body() } catch { throw StatisticsError.storage(error) }
    }

    // MARK: Live figures

    /// The published pair of `month` from the operational tables (counts only).
    public func liveNational(_ month: YearMonth) throws(StatisticsError) -> MonthlyFigures {
        let (from, to) = (month.ecuadorStart, month.ecuadorEnd)
        return try storage { () throws(StoreError) -> MonthlyFigures in
            var atenciones = 0
            for outcome in settings.countedOutcomes {
                atenciones += try store.countClosedIncidents(isTest: false, outcome: outcome, from: from, to: to)
            }
            return MonthlyFigures(quejas: try store.countQuejas(from: from, to: to), atenciones: atenciones)
        }
    }

    /// Every figure of `month` for the country and every unit, from the operational tables.
    public func liveFigures(_ month: YearMonth) throws(StatisticsError) -> [StatisticsScope: MonthlyFigures] {
        let (from, to) = (month.ecuadorStart, month.ecuadorEnd)
        return try storage { () throws(StoreError) -> [StatisticsScope: MonthlyFigures] in
            let zones = try store.subcircuitZones()
            var tally = StatisticsTally(countedOutcomes: settings.countedOutcomes, zoneOf: { zones[$0] })
            try store.forEachClosedIncident(from: from, to: to) { tally.add($0) }
            for place in try store.quejaPlaces(from: from, to: to) { tally.addQueja(place) }
            for place in try store.escalationPlaces(from: from, to: to) { tally.addEscalation(place) }
            for (place, state) in try store.enrollmentStates(before: to) { tally.addEnrollment(place, state: state) }
            return tally.result()
        }
    }

    /// The month the system's own series starts: that of its first closed alert or received complaint.
    public func firstSystemMonth() throws(StatisticsError) -> YearMonth? {
        try storage { () throws(StoreError) in try store.firstRecordAt() }.map(YearMonth.init(ecuador:))
    }

    // MARK: The national table

    /// The oldest and newest months that have figures (imported, frozen or the system's), if any.
    public func availableMonths(current: YearMonth) throws(StatisticsError) -> (first: YearMonth, last: YearMonth)? {
        let imported = try storage { () throws(StoreError) in try store.publishedMonths() }.map(\.volume.month)
        let frozen = try storage { () throws(StoreError) in try store.latestRevisions() }.keys
        var months = imported + Array(frozen)
        if let first = try firstSystemMonth() { months += [first, current] }
        guard let first = months.min(), let last = months.max() else { return nil }
        return (first, last)
    }

    /// The published pair of every month of `range` that has one, oldest first, with where it came from.
    /// `progress(done, total)` is called after each month computed live.
    public func series(_ range: MonthRange, progress: (Int, Int) -> Void = { _, _ in }) throws(StatisticsError)
        -> [SeriesMonth]
    {
        let imported = try storage { () throws(StoreError) in try store.publishedMonths() }
        let frozen = try storage { () throws(StoreError) in try store.frozenNational() }
        let first = try firstSystemMonth()
        var live: [YearMonth: MonthlyFigures] = [:]
        let needed = range.months.filter { month in
            guard let first, month >= first, frozen[month] == nil else { return false }
            return imported.first(where: { $0.volume.month == month })?.preferred != true
        }
        for (done, month) in needed.enumerated() {
            live[month] = try liveNational(month)
            progress(done + 1, needed.count)
        }
        var byMonth: [YearMonth: ImportedMonth] = [:]
        for record in imported { byMonth[record.volume.month] = ImportedMonth(volume: record.volume,
                                                                             preferred: record.preferred) }
        return TransparencySeries.merge(months: range.months, imported: byMonth, frozen: frozen,
                                        live: { live[$0] }, firstSystemMonth: first)
    }

    /// The figures of `month` at `level` (every level when nil): the newest frozen revision of a closed month,
    /// else live. Returns the figures, and the revision when frozen.
    public func figures(_ month: YearMonth, level: StatisticsLevel?) throws(StatisticsError)
        -> (figures: [StatisticsScope: MonthlyFigures], revision: Int?)
    {
        if let revision = try storage({ () throws(StoreError) in try store.latestRevisions() })[month] {
            return (try storage { () throws(StoreError) in
                try store.frozenFigures(month: month, revision: revision, level: level)
            }, revision)
        }
        let all = try liveFigures(month)
        return (level.map { level in all.filter { $0.key.level == level } } ?? all, nil)
    }

    // MARK: The monthly close

    /// Freezes `month` (revision 0) with every figure at every level. Only a finished month (before `current`)
    /// can be closed, once.
    @discardableResult
    public func close(_ month: YearMonth, by actor: String, current: YearMonth, at now: Timestamp)
        throws(StatisticsError) -> StatisticsRevisionRecord
    {
        guard month < current else {
            throw StatisticsError(.conflict, code: "month_open",
                                  "El mes \(month) no ha terminado: se cierra a partir del primer día del mes siguiente.")
        }
        let record = StatisticsRevisionRecord(month: month, revision: 0, at: now, actor: actor,
                                              reason: "cierre mensual", countedOutcomes: settings.countedOutcomesText)
        let figures = try liveFigures(month)
        let alreadyClosed = StatisticsError(
            .conflict, code: "month_closed",
            "El mes \(month) ya está cerrado. Para corregirlo registre una revisión con su motivo "
                + "(boton stats revise --month \(month) --motivo … --por …).")
        do {
            try store.inTransaction(rethrowing: {
                guard try store.statisticsRevisions(month: month).isEmpty else { throw alreadyClosed }
                try store.insertFrozenMonth(record, figures: figures)
                try store.appendAudit(AuditEntry(at: now, actor: actor, action: "cerrar_mes_estadistico",
                                                 subject: "estadisticas:\(month)",
                                                 detail: "quejas=\(figures[.national]?.quejas ?? 0) "
                                                     + "atenciones=\(figures[.national]?.atenciones ?? 0)"))
            })
        } catch let error as StatisticsError {
            throw error
        } catch let error as StoreError {
            throw error.isConstraintViolation ? alreadyClosed : StatisticsError.storage(error)
        } catch {
            throw StatisticsError(.unavailable, code: "internal", "No se pudo cerrar el mes.", detail: "\(error)")
        }
        return record
    }

    /// Closes every finished month, from the system's first month on, that is not closed yet (what the running
    /// service does at start-up and every `stats.close_check_minutes`). Returns the months closed.
    public func closeFinishedMonths(current: YearMonth, at now: Timestamp) throws(StatisticsError) -> [YearMonth] {
        guard let first = try firstSystemMonth() else { return [] }
        let closed = try storage { () throws(StoreError) in try store.latestRevisions() }
        var done: [YearMonth] = []
        for month in YearMonth.range(first, current.adding(months: -1)) where closed[month] == nil {
            do {
                try close(month, by: Author.sistema.storageForm, current: current, at: now)
                done.append(month)
            } catch where error.code == "month_closed" {
                continue  // another node closed it meanwhile
            }
        }
        return done
    }

    /// A correction of a closed month: recomputes it from the operational tables and stores the result as a new
    /// revision with who and why. Refused when nothing changed (a revision records a change, not a visit).
    public func revise(_ month: YearMonth, reason: String, by actor: String, at now: Timestamp)
        throws(StatisticsError) -> (revision: StatisticsRevisionRecord, before: MonthlyFigures, after: MonthlyFigures)
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 5 else {
            throw StatisticsError(.invalid, code: "missing_reason",
                                  "Indique el motivo de la revisión (al menos 5 caracteres): queda publicado junto a las cifras.")
        }
        guard let latest = try storage({ () throws(StoreError) in try store.latestRevisions() })[month] else {
            throw StatisticsError(.conflict, code: "month_not_closed",
                                  "El mes \(month) no está cerrado: sus cifras todavía son provisionales y no necesitan revisión.")
        }
        let old = try storage { () throws(StoreError) in
            try store.frozenFigures(month: month, revision: latest, level: nil)
        }
        let new = try liveFigures(month)
        let previousDefinition = try storage { () throws(StoreError) in
            try store.statisticsRevisions(month: month).last?.countedOutcomes
        }
        guard old != new || previousDefinition != settings.countedOutcomesText else {
            throw StatisticsError(.conflict, code: "no_change",
                                  "Las cifras de \(month) no cambiaron desde la revisión \(latest): no se registró una revisión.")
        }
        let record = StatisticsRevisionRecord(month: month, revision: latest + 1, at: now, actor: actor, reason: reason,
                                              countedOutcomes: settings.countedOutcomesText)
        let before = old[.national] ?? MonthlyFigures(), after = new[.national] ?? MonthlyFigures()
        do {
            try store.inTransaction { () throws(StoreError) in
                try store.insertFrozenMonth(record, figures: new)
                try store.appendAudit(AuditEntry(
                    at: now, actor: actor, action: "revisar_mes_estadistico", subject: "estadisticas:\(month)",
                    detail: "revision=\(record.revision) quejas=\(before.quejas)→\(after.quejas) "
                        + "atenciones=\(before.atenciones)→\(after.atenciones) motivo=\(reason)"))
            }
        } catch {
            if error.isConstraintViolation {
                throw StatisticsError(.conflict, code: "revision_race",
                                      "Otra revisión de \(month) se registró al mismo tiempo. Vuelva a intentarlo.")
            }
            throw StatisticsError.storage(error)
        }
        return (record, before, after)
    }

    /// Every revision (closes and corrections), oldest first.
    public func revisions(_ month: YearMonth? = nil) throws(StatisticsError) -> [StatisticsRevisionRecord] {
        try storage { () throws(StoreError) in try store.statisticsRevisions(month: month) }
    }

    // MARK: The historical series

    /// What an import did.
    public struct ImportReport: Sendable, Equatable {
        public let months: Int
        public let replaced: Int
        public let first: YearMonth?
        public let last: YearMonth?
        /// Imported months the system also has figures for (they stay the system's unless preferred).
        public let overlapping: [YearMonth]
    }

    /// Loads a table in the published layout as the historical series. The whole text is checked first
    /// (`TransparencyTable.parse`: wrong header, non-numeric cell, month 13, duplicate or future month, each with
    /// its line); nothing is stored unless all of it is good, and then all of it in one transaction.
    public func importTable(_ text: String, source: String, preferImport: Bool, by actor: String,
                            current: YearMonth, at now: Timestamp) throws(StatisticsError) -> ImportReport
    {
        let rows: [MonthlyVolume]
        do { rows = try TransparencyTable.parse(text, latest: current) } catch {
            throw StatisticsError(.invalid, code: "import_line", "\(source): línea \(error.line): \(error.reason). "
                                  + "No se importó nada.", line: error.line)
        }
        guard !rows.isEmpty else {
            throw StatisticsError(.invalid, code: "import_empty", "\(source): el archivo no tiene ninguna fila de datos. "
                                  + "No se importó nada.", line: 1)
        }
        let first = try firstSystemMonth()
        let frozen = try storage { () throws(StoreError) in try store.latestRevisions() }
        let records = rows.map {
            PublishedMonthRecord(volume: $0, preferred: preferImport, source: source, importedAt: now, importedBy: actor)
        }
        let replaced: Int
        do {
            replaced = try store.inTransaction { () throws(StoreError) -> Int in
                let n = try store.upsertPublishedMonths(records)
                try store.appendAudit(AuditEntry(at: now, actor: actor, action: "importar_serie_publicada",
                                                 subject: "estadisticas:serie",
                                                 detail: "archivo=\(source) meses=\(rows.count) reemplazados=\(n) "
                                                     + "preferir_importacion=\(preferImport ? "si" : "no")"))
                return n
            }
        } catch { throw StatisticsError.storage(error) }
        let months = rows.map(\.month).sorted()
        let overlapping = months.filter { month in frozen[month] != nil || (first.map { month >= $0 } ?? false) }
        return ImportReport(months: rows.count, replaced: replaced, first: months.first, last: months.last,
                            overlapping: overlapping)
    }

    // MARK: Names

    /// Names of territory units and UPCs, by code, for exports.
    public func unitNames() throws(StatisticsError) -> [String: String] {
        try storage { () throws(StoreError) in try store.unitNames() }
    }
}

import Foundation

extension StatisticsService {
    /// The author of a close or a revision made from the command line: an enabled `administrador` account, as
    /// `operador:ID`.
    public func administrator(username: String) throws(StatisticsError) -> String {
        let record = try storage { () throws(StoreError) in try store.operatorRecord(username: username) }
        guard let record, record.disabledAt == nil else {
            throw StatisticsError(.notFound, code: "unknown_operator",
                                  "No existe una cuenta activa «\(username)». Créela con 'boton operator add'.")
        }
        guard record.role == .administrador else {
            throw StatisticsError(.conflict, code: "not_administrator",
                                  "La cuenta «\(username)» es \(record.role.rawValue): cerrar o revisar las cifras publicadas "
                                  + "corresponde a un administrador.")
        }
        return "operador:\(record.id!)"
    }
}
