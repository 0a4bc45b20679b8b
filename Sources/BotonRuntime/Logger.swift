import Glibc

public enum LogLevel: String, Sendable, Comparable {
    case debug, info, warning, error
    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// Structured logging: one event, one line, `key=value` pairs, written to standard error with a single
/// `write(2)` so that lines from different threads never interleave.
///
/// `ts=2026-11-21T17:42:00.123Z level=info event=ready subcircuitos=1483 upcs=1186`
///
/// Values with spaces, quotes or `=` are quoted. Loggers are values: pass one explicitly, add context with
/// `with(_:_:)`. A logger with a ``LogSink`` (the server's) hands its lines to the sink's thread and never waits
/// for the descriptor; without one (the command line's short commands) it writes directly.
public struct Logger: Sendable {
    public var level: LogLevel
    private var context: [(String, String)]
    private let fd: Int32
    private let sink: LogSink?

    public init(level: LogLevel = .info, fileDescriptor: Int32 = 2) {
        self.level = level
        self.context = []
        self.fd = fileDescriptor
        sink = nil
    }

    /// A logger whose lines go through `sink` (bounded, written by its own thread).
    public init(level: LogLevel = .info, sink: LogSink) {
        self.level = level
        self.context = []
        fd = -1
        self.sink = sink
    }

    /// Lines the sink left out (0 without a sink), for `/metrics`.
    public var droppedLines: Int { sink?.dropped ?? 0 }

    /// A logger that adds `key=value` to every line.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.context.append((key, value))
        return copy
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, event, fields) }

    /// Whether a line at `lineLevel` would be written (to skip building fields nobody will read).
    public func isEnabled(_ lineLevel: LogLevel) -> Bool { lineLevel >= level }

    /// Builds the line as bytes in one buffer (no intermediate strings: the access log writes one per request).
    public func log(_ lineLevel: LogLevel, _ event: String, _ fields: KeyValuePairs<String, String>) {
        guard lineLevel >= level else { return }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: "ts=".utf8)
        Self.appendTimestamp(to: &line)
        line.append(contentsOf: " level=".utf8)
        line.append(contentsOf: lineLevel.rawValue.utf8)
        line.append(contentsOf: " event=".utf8)
        Self.appendQuoted(event, to: &line)
        for (k, v) in context { Self.appendField(k, v, to: &line) }
        for (k, v) in fields { Self.appendField(k, v, to: &line) }
        line.append(0x0A)
        if let sink {
            sink.append(line, event: event)
            return
        }
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }

    private static func appendField(_ key: String, _ value: String, to line: inout [UInt8]) {
        line.append(0x20)
        line.append(contentsOf: key.utf8)
        line.append(0x3D)
        appendQuoted(value, to: &line)
    }

    static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value as is when it has no space, quote, `=` or control character; otherwise in quotes, with `"`, `\`,
    /// newline and tab escaped.
    package static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        if !value.isEmpty, !value.utf8.contains(where: { $0 == 0x20 || $0 == 0x22 || $0 == 0x3d || $0 < 0x20 }) {
            out.append(contentsOf: value.utf8)
            return
        }
        out.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])  // \"
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])  // \\
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])  // \n
            case 0x09: out.append(contentsOf: [0x5C, 0x74])  // \t
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// Now, UTC with milliseconds: `2026-11-21T17:42:00.123Z`.
    package static func timestamp() -> String {
        var bytes: [UInt8] = []
        appendTimestamp(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func appendTimestamp(to out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = now.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1 ..< width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: rest / divisor % 10) + 0x30)
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        out.append(0x2D)
        digits(parts.tm_mon + 1, 2)
        out.append(0x2D)
        digits(parts.tm_mday, 2)
        out.append(0x54)
        digits(parts.tm_hour, 2)
        out.append(0x3A)
        digits(parts.tm_min, 2)
        out.append(0x3A)
        digits(parts.tm_sec, 2)
        out.append(0x2E)
        digits(Int32(now.tv_nsec / 1_000_000), 3)
        out.append(0x5A)
    }
}

/// Writes `text` to standard error in one `write(2)` (the C `stderr` global is not concurrency-safe in Swift 6).
public func printToStandardError(_ text: String) {
    var bytes = text
    bytes.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
    }
}
