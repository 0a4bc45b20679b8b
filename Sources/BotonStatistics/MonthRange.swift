public import BotonCore

/// A range of months asked for (`--from 2019-01 --to 2025-12`, `?desde=…&hasta=…`), checked: both in the fixed
/// `YYYY-MM` form, in order, and not after the current month.
public struct MonthRange: Sendable, Equatable {
    public let from: YearMonth
    public let to: YearMonth

    public init(from: YearMonth, to: YearMonth) {
        self.from = from
        self.to = to
    }

    public var months: [YearMonth] { YearMonth.range(from, to) }

    /// `from`/`to` as typed (nil: the default given), against the current month `current`. `names` are the
    /// option names used in messages (`--from`/`--to` or `desde`/`hasta`).
    public static func parse(from: String?, to: String?, defaultFrom: YearMonth, defaultTo: YearMonth,
                             current: YearMonth, names: (String, String) = ("--from", "--to"))
        throws(StatisticsError) -> MonthRange
    {
        func month(_ text: String?, _ name: String, _ fallback: YearMonth) throws(StatisticsError) -> YearMonth {
            guard let text else { return fallback }
            guard let month = YearMonth(text.trimmingCharacters(in: .whitespaces)) else {
                throw StatisticsError(.invalid, code: "month_format",
                                      "\(name) «\(text)» no es un mes válido: escriba el año y el mes como AAAA-MM, "
                                      + "por ejemplo 2025-07 (mes de 01 a 12).")
            }
            return month
        }
        let start = try month(from, names.0, defaultFrom)
        let end = try month(to, names.1, defaultTo)
        guard start <= end else {
            throw StatisticsError(.invalid, code: "range_reversed",
                                  "El rango está invertido: \(names.0) \(start) es posterior a \(names.1) \(end). "
                                  + "Escriba primero el mes más antiguo.")
        }
        guard end <= current else {
            throw StatisticsError(.invalid, code: "range_future",
                                  "\(names.1) \(end) es posterior al mes en curso (\(current)): no hay cifras del futuro.")
        }
        return MonthRange(from: start, to: end)
    }
}

import Foundation
