import COpenSSL

/// OpenSSL refused an operation; `detail` carries OpenSSL's error queue as text.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    init(_ operation: String) {
        self.operation = operation
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        detail = lines.isEmpty ? "no detail from OpenSSL" : lines.joined(separator: "; ")
    }

    public var description: String { "OpenSSL \(operation) failed: \(detail)" }
}
