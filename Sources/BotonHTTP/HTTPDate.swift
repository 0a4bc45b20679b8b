public import Foundation

/// IMF-fixdate (RFC 9110 §5.6.7), `Sun, 06 Nov 1994 08:49:37 GMT`, computed arithmetically: no
/// `DateFormatter`, so no locale, calendar or time-zone surprises.
public enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `date` rounded down to the second.
    public static func string(from date: Date) -> String {
        string(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func string(secondsSince1970 seconds: Int64) -> String {
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        let weekday = Int((days + 4).floorModulo(7))
        return "\(weekdays[weekday]), \(pad(day, 2)) \(months[month - 1]) \(pad(Int(year), 4)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) GMT"
    }

    /// Parses an IMF-fixdate (the only form servers generate); nil for anything else, including a
    /// weekday that does not match the date.
    public static func date(from string: String) -> Date? {
        guard let seconds = secondsSince1970(from: string) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static func secondsSince1970(from string: String) -> Int64? {
        let bytes = Array(string.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), bytes[4] == ASCII.space, bytes[7] == ASCII.space,
              bytes[11] == ASCII.space, bytes[16] == ASCII.space, bytes[19] == UInt8(ascii: ":"),
              bytes[22] == UInt8(ascii: ":"), bytes[25] == ASCII.space,
              bytes[26...].elementsEqual("GMT".utf8),
              let weekday = weekdays.firstIndex(where: { $0.utf8.elementsEqual(bytes[0..<3]) }),
              let month = months.firstIndex(where: { $0.utf8.elementsEqual(bytes[8..<11]) }),
              let day = number(bytes[5..<7]), let year = number(bytes[12..<16]),
              let hour = number(bytes[17..<19]), let minute = number(bytes[20..<22]),
              let second = number(bytes[23..<25]),
              hour < 24, minute < 60, second < 61, day >= 1, day <= daysIn(month: month + 1, year: year)
        else { return nil }
        let days = daysSinceEpoch(year: Int64(year), month: month + 1, day: day)
        guard Int((days + 4).floorModulo(7)) == weekday else { return nil }
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard ASCII.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's `days_from_civil`.
    static func daysSinceEpoch(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// The `Date` field for the current second, formatted once per second: a server serializing many responses a
/// second keeps one per thread (or per connection) and asks it for each response. A value type, not shared.
public struct HTTPDateCache: Sendable {
    private var second = Int64.min
    private var text = ""

    public init() {}

    /// ``HTTPDate/string(from:)`` of `date`, reusing the last answer while the second is the same.
    public mutating func string(for date: Date) -> String {
        let now = Int64(date.timeIntervalSince1970.rounded(.down))
        if now != second {
            second = now
            text = HTTPDate.string(secondsSince1970: now)
        }
        return text
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
