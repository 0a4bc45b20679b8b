/// The values a route pattern captured, percent-decoded: `:name` segments and the `*name` tail.
public struct RouteParameters: Sendable, Equatable {
    /// Captured names and values, in pattern order.
    public private(set) var values: [(name: String, value: String)]

    public init(_ values: [(name: String, value: String)] = []) { self.values = values }

    /// The value captured as `name`, or nil.
    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    public static func == (lhs: RouteParameters, rhs: RouteParameters) -> Bool {
        lhs.values.elementsEqual(rhs.values) { $0.name == $1.name && $0.value == $1.value }
    }
}
