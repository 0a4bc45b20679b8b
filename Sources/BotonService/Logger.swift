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
/// `with(_:_:)`.
public struct Logger: Sendable {
    public var level: LogLevel
    private var context: [(String, String)]
    private let fd: Int32

    public init(level: LogLevel = .info, fileDescriptor: Int32 = 2) {
        self.level = level
        self.context = []
        self.fd = fileDescriptor
    }

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

    public func log(_ lineLevel: LogLevel, _ event: String, _ fields: KeyValuePairs<String, String>) {
        guard lineLevel >= level else { return }
        var line = "ts=\(Self.timestamp()) level=\(lineLevel.rawValue) event=\(Self.quote(event))"
        for (k, v) in context { line += " \(k)=\(Self.quote(v))" }
        for (k, v) in fields { line += " \(k)=\(Self.quote(v))" }
        line += "\n"
        var bytes = line
        bytes.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }

    static func quote(_ value: String) -> String {
        if !value.isEmpty, !value.utf8.contains(where: { $0 == 0x20 || $0 == 0x22 || $0 == 0x3d || $0 < 0x20 }) {
            return value
        }
        var out = "\""
        for c in value.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = now.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
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
