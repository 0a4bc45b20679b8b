public import BotonCore

/// One line of an export: a month, a unit (the country at `nacional`), its figures and where they came from.
public struct StatisticsRow: Sendable, Equatable {
    public let month: YearMonth
    public let scope: StatisticsScope
    /// The unit's name (`DMQ ELOY ALFARO`, `UPC Chile 1`), when the territory knows it.
    public let name: String?
    public let figures: MonthlyFigures
    public let source: FigureSource
    /// The frozen revision (0 = the close) of a closed month.
    public let revision: Int?

    public init(month: YearMonth, scope: StatisticsScope, name: String?, figures: MonthlyFigures,
                source: FigureSource, revision: Int?) {
        self.month = month
        self.scope = scope
        self.name = name
        self.figures = figures
        self.source = source
        self.revision = revision
    }
}

extension StatisticsService {
    /// The rows of an export: the national table (`level` `.nacional`), or every unit of `level` for each month
    /// of the range that has the system's own figures (the imported series is national only). `detailed` adds the
    /// internal figures to national rows (breakdown rows always carry them; the renderer decides what to show).
    /// `progress(done, total)` follows the months.
    public func rows(_ range: MonthRange, level: StatisticsLevel, detailed: Bool,
                     progress: (Int, Int) -> Void = { _, _ in }) throws(StatisticsError) -> [StatisticsRow]
    {
        let series = try series(range, progress: level == .nacional && !detailed ? progress : { _, _ in })
        if level == .nacional && !detailed {
            return series.map {
                StatisticsRow(month: $0.month, scope: .national, name: nil,
                              figures: MonthlyFigures(quejas: $0.volume.quejas, atenciones: $0.volume.atenciones),
                              source: $0.source, revision: $0.revision)
            }
        }
        let names = level == .nacional ? [:] : try unitNames()
        var rows: [StatisticsRow] = []
        for (done, entry) in series.enumerated() {
            defer { progress(done + 1, series.count) }
            guard entry.source != .publicado else {
                if level == .nacional {
                    rows.append(StatisticsRow(month: entry.month, scope: .national, name: nil,
                                              figures: MonthlyFigures(quejas: entry.volume.quejas,
                                                                      atenciones: entry.volume.atenciones),
                                              source: entry.source, revision: nil))
                }
                continue
            }
            let (figures, revision) = try self.figures(entry.month, level: level)
            for (scope, f) in figures.sorted(by: { $0.key < $1.key }) {
                rows.append(StatisticsRow(month: entry.month, scope: scope, name: names[scope.code], figures: f,
                                          source: entry.source, revision: revision))
            }
        }
        return rows
    }
}
