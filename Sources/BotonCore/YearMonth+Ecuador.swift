/// Months as the transparency figures count them: calendar months of mainland Ecuador (UTC−5, no daylight saving
/// time), so an alert closed at 23:30 on 31 December in Quito belongs to December even though it is already
/// January in UTC.
extension YearMonth {
    /// The month that holds `instant` in mainland Ecuador.
    public init(ecuador instant: Timestamp) {
        let date = CivilDate.ecuador(instant)
        self.init(index: date.year * 12 + date.month - 1)
    }

    /// The first instant of the month in mainland Ecuador (00:00 of day 1, UTC−5).
    public var ecuadorStart: Timestamp {
        let days = CivilDate(year: year, month: month, day: 1)!.daysSince1970
        return Timestamp(millisecondsSince1970: Int64(days) * 86_400_000
                         - Int64(CivilDate.ecuadorUTCOffsetSeconds) * 1000)
    }

    /// The first instant of the next month: the month is `ecuadorStart ..< ecuadorEnd`.
    public var ecuadorEnd: Timestamp { adding(months: 1).ecuadorStart }

    /// The Spanish name of the month (`enero` … `diciembre`).
    public var monthName: String { YearMonth.monthNames[month - 1] }

    /// `diciembre de 2025`.
    public var spanishText: String { "\(monthName) de \(year)" }

    public static let monthNames = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                    "septiembre", "octubre", "noviembre", "diciembre"]
}
