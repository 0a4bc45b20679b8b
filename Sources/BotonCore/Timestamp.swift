/// An instant, as whole milliseconds since the Unix epoch (1970-01-01T00:00:00Z).
///
/// BotonCore never reads a clock: every state transition and event records a `Timestamp` that the caller
/// passes in. Arithmetic traps on overflow, like `Int64`; real instants are nowhere near the limits.
///
/// Encodes as a single integer (milliseconds), which is also how the store keeps it.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z (negative before it).
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// Whole seconds since the epoch, e.g. from `time(2)`.
    public init(secondsSince1970: Int64) {
        self.millisecondsSince1970 = secondsSince1970 * 1000
    }

    /// Seconds since the epoch, with the milliseconds as the fraction (what `Date(timeIntervalSince1970:)` takes).
    public var secondsSince1970: Double { Double(millisecondsSince1970) / 1000 }

    /// This instant moved by `milliseconds` (negative moves back).
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }

    /// This instant moved by `seconds` (negative moves back).
    public func adding(seconds: Int64) -> Timestamp { adding(milliseconds: seconds * 1000) }

    /// This instant moved by a `Duration`, truncated to whole milliseconds.
    public func adding(_ duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        return adding(milliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Milliseconds from `earlier` to this instant (negative if `earlier` is later).
    public func milliseconds(since earlier: Timestamp) -> Int64 {
        millisecondsSince1970 - earlier.millisecondsSince1970
    }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp { lhs.adding(rhs) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        millisecondsSince1970 = try container.decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSince1970)
    }

    public var description: String { "\(millisecondsSince1970)ms" }
}
