/// A calendar month (`2025-12`), the unit of the transparency figures. Ordered; counts months with ``index``.
public struct YearMonth: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    /// 1…12.
    public let month: Int

    /// nil unless `month` is 1…12 and `year` is 1900…9999.
    public init?(year: Int, month: Int) {
        guard (1 ... 12).contains(month), (1900 ... 9999).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` (the command line's form).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// Months since January of year 0: consecutive months differ by one.
    public var index: Int { year * 12 + month - 1 }

    public init(index: Int) {
        year = index / 12
        month = index % 12 + 1
    }

    public func adding(months: Int) -> YearMonth { YearMonth(index: index + months) }

    /// `2025-12`.
    public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    /// The month as the published table writes it: two digits.
    public var twoDigitMonth: String { month < 10 ? "0\(month)" : "\(month)" }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.index < rhs.index }

    /// Every month from `from` to `to`, inclusive, oldest first.
    public static func range(_ from: YearMonth, _ to: YearMonth) -> [YearMonth] {
        from.index <= to.index ? (from.index ... to.index).map(YearMonth.init(index:)) : []
    }
}
