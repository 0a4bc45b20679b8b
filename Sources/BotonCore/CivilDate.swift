/// A calendar date (proleptic Gregorian), without time or zone: a birth date, the day an instant falls on.
///
/// ``init(iso:)`` reads exactly `YYYY-MM-DD` (four-digit year 0001–9999, two-digit month and day) and refuses
/// dates that do not exist (`2023-02-29`, `2024-04-31`). Day arithmetic uses the days-from-civil algorithm
/// (H. Hinnant), so no calendar library or clock is needed.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless the date exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date of `instant` at a fixed UTC offset (seconds east of UTC; Ecuador mainland is −5 h, no DST).
    public init(_ instant: Timestamp, utcOffsetSeconds: Int) {
        let ms = instant.millisecondsSince1970 + Int64(utcOffsetSeconds) * 1000
        // Floor division: instants before 1970 belong to the previous day.
        let days = Int(ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000)
        (year, month, day) = CivilDate.civil(fromDays: days)
    }

    /// The UTC offset of mainland Ecuador (ECT, UTC−5, no daylight saving time since 1993).
    public static let ecuadorUTCOffsetSeconds = -5 * 3600

    /// The date of `instant` in mainland Ecuador.
    public static func ecuador(_ instant: Timestamp) -> CivilDate {
        CivilDate(instant, utcOffsetSeconds: ecuadorUTCOffsetSeconds)
    }

    /// Why a text is not a date.
    public enum ParseFailure: Error, Sendable, Equatable {
        /// Not `YYYY-MM-DD`.
        case format
        /// The shape is right but the date does not exist (month 13, 30 February, …).
        case nonexistent
    }

    /// Reads `YYYY-MM-DD` (surrounding whitespace ignored).
    public init(iso text: String) throws(ParseFailure) {
        let u = Array(text.trimmingWhitespace().utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { throw .format }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard (0x30...0x39).contains(u[i]) else { return nil }
                n = n * 10 + Int(u[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { throw .format }
        guard let date = CivilDate(year: y, month: m, day: d) else { throw .nonexistent }
        self = date
    }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Completed years from this date to `date` (a birthday on 29 February is reached on 1 March in common
    /// years). Negative when `date` is earlier.
    public func years(until date: CivilDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// `2026-03-07`.
    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `07/03/2026`: how dates are written in Ecuador.
    public var ecuadorianFormat: String {
        let s = description
        return "\(s.suffix(2))/\(s.dropFirst(5).prefix(2))/\(s.prefix(4))"
    }
}

/// A birth date: a real date, not in the future, and an age of 0 to ``maximumAge`` years.
public struct BirthDate: Sendable, Hashable {
    public static let maximumAge = 120
    public let date: CivilDate

    /// `today` is the current date where the person is (``CivilDate/ecuador(_:)``); BotonCore reads no clock.
    public init(_ input: String, today: CivilDate) throws(BirthDateError) {
        guard !input.trimmingWhitespace().isEmpty else { throw BirthDateError(.empty) }
        let date: CivilDate
        do { date = try CivilDate(iso: input) } catch {
            throw BirthDateError(error == .format ? .format : .nonexistent)
        }
        guard date <= today else { throw BirthDateError(.future) }
        guard date.years(until: today) <= BirthDate.maximumAge else { throw BirthDateError(.age) }
        self.date = date
    }

    public func age(on today: CivilDate) -> Int { date.years(until: today) }
}

/// Why a birth date was rejected. `field` is `fecha_nacimiento`.
public struct BirthDateError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case empty, format, nonexistent, future, age
    }
    public let kind: Reason
    public init(_ kind: Reason) { self.kind = kind }
    public var field: String { "fecha_nacimiento" }
    public var reason: String { kind.rawValue }
    /// How to write it, as the form's hint says and its errors repeat.
    public static let hint = "Año, mes y día con guiones: por ejemplo 1985-04-23 para el 23 de abril de 1985."

    public var mensaje: String {
        switch kind {
        case .empty: return "Ingrese su fecha de nacimiento. \(Self.hint)"
        case .format: return "Escriba la fecha de nacimiento como año-mes-día. \(Self.hint)"
        case .nonexistent: return "La fecha de nacimiento no existe en el calendario: revise el día y el mes. "
            + Self.hint
        case .future: return "La fecha de nacimiento no puede ser posterior a la fecha de hoy."
        case .age: return "La fecha de nacimiento indica más de \(BirthDate.maximumAge) años. Revise el año."
        }
    }
}
