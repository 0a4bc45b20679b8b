import Glibc

/// A system call on a socket failed: which call, on what, and `errno` with its text.
public struct SocketError: Error, Sendable, CustomStringConvertible, Equatable {
    public let operation: String
    public let errno: Int32
    public let detail: String

    /// Captures the current `errno`.
    init(_ operation: String, detail: String = "") {
        self.init(operation, errno: Glibc.errno, detail: detail)
    }

    public init(_ operation: String, errno: Int32, detail: String = "") {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        let text = String(cString: strerror(errno))
        return detail.isEmpty ? "\(operation) failed: \(text) (errno \(errno))"
            : "\(operation) \(detail) failed: \(text) (errno \(errno))"
    }
}
