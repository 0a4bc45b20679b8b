/// The kinds of sender the service supervises. Raw values are the Spanish names stored, logged and shown.
public enum SenderKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A phone app (a device credential) that has sent at least one `latido`.
    case telefono
    /// A DC-09 site registered with a poll interval (`boton dc09 account add --supervision-s`).
    case sitio
    /// A carrier gateway (calls to 135) registered with a link interval (`boton gateway add --supervision-s`).
    case gateway

    /// What the console calls it.
    public var label: String {
        switch self {
        case .telefono: "Teléfono"
        case .sitio: "Sitio (panel de alarma)"
        case .gateway: "Enlace de operadora (135)"
        }
    }
}

/// Supervision of every sender: the rules, without I/O.
///
/// - Who is supervised: a **phone** from its first `latido` (a keep-alive proves the app schedules them; a phone
///   that never sent one is an app that does not, and listing it would only be noise) until its credential is
///   revoked; a **site** registered with a poll interval, from its first message; a **gateway** registered with a
///   link interval, from its first authenticated frame.
/// - A sign of life: any authenticated frame of the sender (a phone's alert, position or latido; a site's event or
///   `NULL` poll; any frame a gateway signs with its key). Each one moves the sender's deadline.
/// - Silent ("Sin señal"): no sign of life for its interval plus the grace (``silentAt(lastSeen:)``). The next sign
///   of life clears it.
public struct SenderSupervision: Sendable, Equatable {
    /// How long the sender may be quiet before it is silent.
    public var intervalSeconds: Int
    /// Added to the interval: a late keep-alive, a slow network.
    public var graceSeconds: Int

    public init(intervalSeconds: Int, graceSeconds: Int) {
        self.intervalSeconds = intervalSeconds
        self.graceSeconds = graceSeconds
    }

    /// The instant a sender last seen at `lastSeen` becomes silent, unless it sends again before.
    public func silentAt(lastSeen: Timestamp) -> Timestamp {
        lastSeen.adding(seconds: Int64(intervalSeconds) + Int64(graceSeconds))
    }

    /// Whether a sender last seen at `lastSeen` is silent at `now`.
    public func isSilent(lastSeen: Timestamp, now: Timestamp) -> Bool {
        now > silentAt(lastSeen: lastSeen)
    }

    /// The intervals a registration may declare (`--supervision-s`): a second (tests) to a week.
    public static let intervalRange: ClosedRange<Int> = 1...604_800
}
