import BotonCore
public import BotonRuntime
package import BotonRepository

/// Why a statistics operation was refused: a kind for the status code or exit status, a stable `code`, and the
/// Spanish `mensaje` for the person (an analyst at the command line, a journalist calling the API).
///
/// Kinds: malformed or impossible input (a month, a range, an import file) is `invalid`; a state that does not
/// allow it (the month is not over, is already closed, is not closed) `conflict`; an operator or month that does
/// not exist `notFound`; a store failure `unavailable`, with the cause in ``detail``.
public struct StatisticsError: Refusal, Equatable, CustomStringConvertible {
    /// See ``RefusalKind``.
    public typealias Kind = RefusalKind

    public let kind: Kind
    /// `month_format`, `range_reversed`, `range_future`, `import_line`, `month_open`, `month_closed`,
    /// `month_not_closed`, `no_change`, `missing_reason`, `unknown_operator`, `format_level`, `storage`.
    public let code: String
    public let mensaje: String
    /// For `import_line`: the line of the file at fault.
    public let line: Int?
    public let detail: String?

    public init(_ kind: Kind, code: String, _ mensaje: String, line: Int? = nil, detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.mensaje = mensaje
        self.line = line
        self.detail = detail
    }

    public var description: String { mensaje + (detail.map { " (\($0))" } ?? "") }

    package static func storage(_ error: StoreError) -> StatisticsError {
        StatisticsError(.unavailable, code: "storage",
                        "Las estadísticas no están disponibles en este momento. Intente de nuevo en unos minutos.",
                        detail: error.description)
    }
}
