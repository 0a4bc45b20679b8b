/// How far a frame's client timestamp may be from the server's clock, inclusive on both sides. A pure function:
/// the caller passes the server time.
public struct ReplayWindow: Hashable, Sendable {
    /// Half-width of the window in milliseconds.
    public let milliseconds: UInt64

    /// `seconds` must not be negative.
    public init(seconds: Int) {
        precondition(seconds >= 0, "a replay window cannot be negative")
        let (product, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        self.milliseconds = overflow ? .max : product
    }

    public init(milliseconds: UInt64) {
        self.milliseconds = milliseconds
    }

    /// True when `|clientTimestampMs − serverTimeMs| ≤ milliseconds`. Never traps, whatever the (untrusted)
    /// client timestamp.
    public func contains(clientTimestampMs: Int64, serverTimeMs: Int64) -> Bool {
        // The true difference fits in UInt64 even for Int64.min vs Int64.max; wrapping subtraction yields it.
        let distance = clientTimestampMs >= serverTimeMs
            ? UInt64(bitPattern: clientTimestampMs &- serverTimeMs)
            : UInt64(bitPattern: serverTimeMs &- clientTimestampMs)
        return distance <= milliseconds
    }
}
