import BotonCore
package import BotonRepository
public import BotonRuntime

/// Why an enrollment operation was refused: a kind the web layer maps to a status code, a stable machine
/// `code`, the Spanish `mensaje` to show, and for an invalid form every field's problem.
public struct EnrollmentError: Refusal, Equatable, CustomStringConvertible {
    /// See ``RefusalKind``.
    public typealias Kind = RefusalKind

    public let kind: Kind
    /// Stable machine code: `tramite_not_found`, `wrong_state`, `line_has_button`, `sin_boton`,
    /// `sin_baja_solicitada`, `no_test_alert`, `form`, `missing_reason`, `storage`, …. A request outside an
    /// officer's scope is `tramite_not_found` like one that does not exist (``isOutOfScope`` tells them apart
    /// for logs and the audit).
    public let code: String
    public let mensaje: String
    /// Every field problem, when a form was refused (`code == "form"`).
    public let form: EnrollmentFormError?
    /// Technical detail for logs; never shown to a person.
    public let detail: String?

    public init(_ kind: Kind, code: String, _ mensaje: String, form: EnrollmentFormError? = nil, detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.mensaje = mensaje
        self.form = form
        self.detail = detail
    }

    public var description: String {
        "\(kind.rawValue)/\(code): \(mensaje)" + (form.map { " [\($0)]" } ?? "") + (detail.map { " (\($0))" } ?? "")
    }

    package static func storage(_ error: StoreError) -> EnrollmentError {
        EnrollmentError(.unavailable, code: "storage",
                        "El servicio no está disponible en este momento. Intente de nuevo en unos minutos.",
                        detail: error.description)
    }

    static func form(_ error: EnrollmentFormError) -> EnrollmentError {
        EnrollmentError(.invalid, code: "form",
                        "Revise los datos del formulario: hay \(error.problems.count == 1 ? "un campo" : "\(error.problems.count) campos") por corregir.",
                        form: error)
    }

    /// A request that exists but lies outside the officer's scope: answered exactly as ``notFound(_:)``.
    static func outOfScope(_ tramite: String) -> EnrollmentError {
        EnrollmentError(.notFound, code: "tramite_not_found", notFound(tramite).mensaje, detail: "out_of_scope")
    }

    /// The refusal is ``outOfScope(_:)`` (only logs and the audit may know).
    public var isOutOfScope: Bool { kind == .notFound && detail == "out_of_scope" }

    static func notFound(_ tramite: String) -> EnrollmentError {
        EnrollmentError(.notFound, code: "tramite_not_found", "No existe una solicitud con el número de trámite \(tramite).")
    }

    /// A state machine refusal, with the Spanish of the domain.
    static func transition(_ error: TransitionError, tramite: String) -> EnrollmentError {
        switch error.kind {
        case .missingReason, .emptyNote, .policyNotExplained:
            return EnrollmentError(.invalid, code: error.reason, error.mensaje)
        case .actorNotAllowed:
            return EnrollmentError(.forbidden, code: error.reason, error.mensaje)
        default:
            return EnrollmentError(.conflict, code: "wrong_state", "Solicitud \(tramite): \(error.mensaje)")
        }
    }
}
