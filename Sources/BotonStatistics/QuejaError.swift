import BotonCore
package import BotonRepository
public import BotonRuntime

/// Why a complaint operation was refused: a kind for the status code, a stable `code`, the Spanish `mensaje`, and
/// for a form every field's message (keys: `descripcion`, `contacto`, `tramite`, `incidente`, `upc`, `canal`,
/// `nota`).
public struct QuejaError: Refusal, Equatable, CustomStringConvertible {
    /// See ``RefusalKind``.
    public typealias Kind = RefusalKind

    public let kind: Kind
    /// `form`, `queja_not_found`, `out_of_scope`, `wrong_state`, `storage`.
    public let code: String
    public let mensaje: String
    /// Field → Spanish message, in the order of the form.
    public let fields: [(String, String)]
    public let detail: String?

    public init(_ kind: Kind, code: String, _ mensaje: String, fields: [(String, String)] = [], detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.mensaje = mensaje
        self.fields = fields
        self.detail = detail
    }

    public var description: String {
        "\(kind.rawValue)/\(code): \(mensaje)" + (fields.isEmpty ? "" : " " + fields.map { "\($0.0): \($0.1)" }
            .joined(separator: "; ")) + (detail.map { " (\($0))" } ?? "")
    }

    public static func == (a: QuejaError, b: QuejaError) -> Bool {
        a.kind == b.kind && a.code == b.code && a.mensaje == b.mensaje && a.detail == b.detail
            && a.fields.map(\.0) == b.fields.map(\.0) && a.fields.map(\.1) == b.fields.map(\.1)
    }

    package static func storage(_ error: StoreError) -> QuejaError {
        QuejaError(.unavailable, code: "storage",
                   "El servicio no está disponible en este momento. Su queja no se guardó: intente de nuevo en unos minutos.",
                   detail: error.description)
    }

    static func notFound(_ id: Int64) -> QuejaError {
        QuejaError(.notFound, code: "queja_not_found", "No existe la queja Q-\(id).")
    }
}
