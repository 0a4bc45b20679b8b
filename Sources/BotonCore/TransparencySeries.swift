/// Where a month's published pair comes from.
public enum FigureSource: String, Sendable, Hashable, Codable {
    /// The system's own figures, frozen at the monthly close (or at a later revision).
    case sistema
    /// The system's own figures for a month that is not closed yet: they can still change.
    case provisional
    /// A figure imported from the published table (`boton stats import`).
    case publicado

    public var nombre: String {
        switch self {
        case .sistema: return "Sistema"
        case .provisional: return "Provisional (mes sin cerrar)"
        case .publicado: return "Publicado (serie histórica)"
        }
    }
}

/// One month of the series with its origin: the revision it was taken from when frozen.
public struct SeriesMonth: Sendable, Hashable {
    public let volume: MonthlyVolume
    public let source: FigureSource
    /// The frozen revision (0 = the close itself) for ``FigureSource/sistema``.
    public let revision: Int?

    public init(volume: MonthlyVolume, source: FigureSource, revision: Int? = nil) {
        self.volume = volume
        self.source = source
        self.revision = revision
    }

    public var month: YearMonth { volume.month }
}

/// An imported month of the published series.
public struct ImportedMonth: Sendable, Hashable {
    public let volume: MonthlyVolume
    /// Imported with `--prefer-import`: it wins over the system's own figure for the month.
    public let preferred: Bool
    public init(volume: MonthlyVolume, preferred: Bool) {
        self.volume = volume
        self.preferred = preferred
    }
}

/// The rule that joins the historical series and the system's own figures into the one published table:
///
/// - from the month of the system's first record (``firstSystemMonth``) on, every month is the system's: frozen
///   figures for a closed month, provisional ones otherwise (a month without a single alert is a real zero);
/// - before it, the imported figures; months with neither are absent;
/// - where both exist the system wins, unless the imported month was loaded with `--prefer-import`.
public enum TransparencySeries {
    public static func merge(months: [YearMonth], imported: [YearMonth: ImportedMonth],
                             frozen: [YearMonth: (figures: MonthlyFigures, revision: Int)],
                             live: (YearMonth) -> MonthlyFigures?, firstSystemMonth: YearMonth?) -> [SeriesMonth]
    {
        var out: [SeriesMonth] = []
        for month in months {
            if let imported = imported[month], imported.preferred {
                out.append(SeriesMonth(volume: imported.volume, source: .publicado))
            } else if let frozen = frozen[month] {
                out.append(SeriesMonth(volume: frozen.figures.volume(month), source: .sistema, revision: frozen.revision))
            } else if let first = firstSystemMonth, month >= first, let figures = live(month) {
                out.append(SeriesMonth(volume: figures.volume(month), source: .provisional))
            } else if let imported = imported[month] {
                out.append(SeriesMonth(volume: imported.volume, source: .publicado))
            }
        }
        return out
    }
}
