import BotonCore
package import BotonRepository
public import BotonRuntime

/// Why a console operation was refused: a kind the web layer maps to a status, a stable `code`, and the Spanish
/// `mensaje` to show the operator.
public struct ConsoleError: Refusal, Equatable, CustomStringConvertible {
    /// See ``RefusalKind``.
    public typealias Kind = RefusalKind

    public let kind: Kind
    public let code: String
    public let mensaje: String
    /// Technical detail for logs; never shown.
    public let detail: String?

    public init(_ kind: Kind, code: String, _ mensaje: String, detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.mensaje = mensaje
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue)/\(code): \(mensaje)" + (detail.map { " (\($0))" } ?? "") }

    package static func storage(_ error: StoreError) -> ConsoleError {
        ConsoleError(.unavailable, code: "storage",
                     "El servicio no está disponible en este momento. Intente de nuevo en unos segundos.",
                     detail: error.description)
    }

    static func incidentNotFound(_ id: Int64) -> ConsoleError {
        ConsoleError(.notFound, code: "alerta_no_encontrada", "No existe la alerta \(id) en su jurisdicción.")
    }

    static func transition(_ error: TransitionError) -> ConsoleError {
        ConsoleError(.conflict, code: error.reason, error.mensaje)
    }
}
