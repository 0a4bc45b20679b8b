extension HTTPRequest {
    /// The cookies of every `Cookie` header (RFC 6265 §5.4 syntax): `a=1; b=2`.
    ///
    /// Pairs without `=` or with an empty name are skipped; a value wrapped in double quotes is unwrapped;
    /// values are not percent-decoded. When a name repeats, the first occurrence wins (browsers send the
    /// most specific cookie first).
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for header in headers.values(for: "Cookie") {
            for pair in header.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(ASCII.trimmingBlanks(pair[pair.startIndex..<equals]))
                var value = ASCII.trimmingBlanks(pair[pair.index(after: equals)...])
                if value.count >= 2, value.first == "\"", value.last == "\"" {
                    value = value.dropFirst().dropLast()
                }
                guard !name.isEmpty, result[name] == nil else { continue }
                result[name] = String(value)
            }
        }
        return result
    }

    /// The value of the cookie `name`, or nil.
    public func cookie(_ name: String) -> String? { cookies[name] }
}
