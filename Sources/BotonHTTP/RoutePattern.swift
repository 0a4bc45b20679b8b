/// A parsed route pattern: `/literal/:param/*tail`. Internal.
///
/// - A literal segment matches itself exactly (case-sensitive, compared with the decoded path).
/// - `:name` matches one non-empty segment.
/// - `*name`, last only, matches one or more remaining segments (the value is the rest of the path
///   after the preceding `/`, possibly empty: `/static/*path` matches `/static/` and `/static/a/b`).
struct RoutePattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case wildcard(String)

        /// Match precedence: literal over parameter over wildcard.
        var rank: Int {
            switch self {
            case .literal: 0
            case .parameter: 1
            case .wildcard: 2
            }
        }
    }

    let text: String
    let segments: [Segment]

    /// Nil for an invalid pattern: not starting with `/`, an empty or repeated name, `*` not last.
    init?(_ text: String) {
        guard text.first == "/" else { return nil }
        var segments: [Segment] = []
        var names: Set<String> = []
        let parts = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if part.first == ":" || part.first == "*" {
                let name = String(part.dropFirst())
                guard !name.isEmpty, names.insert(name).inserted else { return nil }
                if part.first == "*" {
                    guard index == parts.count - 1 else { return nil }
                    segments.append(.wildcard(name))
                } else {
                    segments.append(.parameter(name))
                }
            } else {
                segments.append(.literal(String(part)))
            }
        }
        self.text = text
        self.segments = segments
    }

    /// Literal segments only: the pattern matches exactly one path, its own text.
    var isLiteral: Bool {
        segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The captured parameters when `pathSegments` (decoded, split on `/`) match.
    func match(_ pathSegments: [Substring]) -> RouteParameters? {
        var captured: [(name: String, value: String)] = []
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let literal):
                guard index < pathSegments.count, pathSegments[index] == literal else { return nil }
            case .parameter(let name):
                guard index < pathSegments.count, !pathSegments[index].isEmpty else { return nil }
                captured.append((name, String(pathSegments[index])))
            case .wildcard(let name):
                guard index < pathSegments.count else { return nil }
                captured.append((name, pathSegments[index...].joined(separator: "/")))
                return RouteParameters(captured)
            }
        }
        return segments.count == pathSegments.count ? RouteParameters(captured) : nil
    }

    /// True when `self` should win over `other` for the same path (the first more specific segment wins).
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) where mine.rank != theirs.rank {
            return mine.rank < theirs.rank
        }
        return segments.count > other.segments.count
    }
}
