/// One `name=value` pair of a query string or an `application/x-www-form-urlencoded` body, decoded.
public struct FormField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == FormField {
    /// The value of the first field called `name` (exact, case-sensitive match).
    public func first(named name: String) -> String? {
        first { $0.name == name }?.value
    }
}
