import BotonTestSupport
import BotonHTTP
import Foundation
import Testing

@Suite struct HTTPDateTests {
    @Test func knownDates() {
        #expect(HTTPDate.string(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.string(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.string(secondsSince1970: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.string(secondsSince1970: 4_133_980_799) == "Fri, 31 Dec 2100 23:59:59 GMT")
        #expect(HTTPDate.string(secondsSince1970: -1) == "Wed, 31 Dec 1969 23:59:59 GMT")
        #expect(HTTPDate.string(from: Date(timeIntervalSince1970: 1_700_000_000.9))
                    == "Tue, 14 Nov 2023 22:13:20 GMT")
    }

    @Test func parseRoundTripsAgainstFoundationCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let seconds = Int64(random.int(-2_000_000_000...5_000_000_000))
            let text = HTTPDate.string(secondsSince1970: seconds)
            #expect(HTTPDate.secondsSince1970(from: text) == seconds, "\(text)")
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday],
                                                from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][parts.weekday! - 1]
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][parts.month! - 1]
            func two(_ value: Int?) -> String { value! < 10 ? "0\(value!)" : "\(value!)" }
            let expected = "\(weekday), \(two(parts.day)) \(month) \(parts.year!) "
                + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) GMT"
            #expect(text == expected)
        }
    }

    @Test func cacheAnswersLikeTheFormatterAcrossSeconds() {
        var cache = HTTPDateCache()
        for seconds in [1_700_000_000.0, 1_700_000_000.25, 1_700_000_000.999, 1_700_000_001.0, 1_699_999_999.5,
                        0, 86_399.9, 86_400] {
            let date = Date(timeIntervalSince1970: seconds)
            let cached = cache.string(for: date)
            #expect(cached == HTTPDate.string(from: date), "\(seconds)")
        }
    }

    @Test func rejectsOtherForms() {
        for text in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 06 Nov 1994 08:49:37 GMT",
                     "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                     "", "Sun, 06 Nov 1994 08:49:37 GMT "] {
            #expect(HTTPDate.date(from: text) == nil, "\(text)")
        }
        #expect(HTTPDate.date(from: "Sun, 06 Nov 1994 08:49:37 GMT")?.timeIntervalSince1970 == 784_111_777)
    }
}
