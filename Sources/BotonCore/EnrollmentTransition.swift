/// One recorded step of an enrolment: who moved it from which state to which, when, and why.
/// The first entry of a history has `from == nil`: the creation of the request.
public struct EnrollmentTransition: Sendable, Hashable {
    public let from: EnrollmentState?
    public let to: EnrollmentState
    public let actor: Author
    public let at: Timestamp
    /// Free text; required (non-blank) when `to` is `rechazada`.
    public let note: String?

    public init(from: EnrollmentState?, to: EnrollmentState, actor: Author, at: Timestamp, note: String? = nil) {
        self.from = from
        self.to = to
        self.actor = actor
        self.at = at
        self.note = note
    }
}
