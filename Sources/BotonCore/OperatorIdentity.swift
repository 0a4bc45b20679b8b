

/// What an operator account may see and do.
public enum OperatorRole: String, Sendable, Hashable, CaseIterable {
    /// A community police officer of one UPC: that UPC's requests.
    case operadorUPC = "operador_upc"
    /// A distrito supervisor: the requests of every UPC of the distrito.
    case supervisorDistrito = "supervisor_distrito"
    /// Everything.
    case administrador

    /// Spanish name for screens.
    public var nombre: String {
        switch self {
        case .operadorUPC: return "Operador de UPC"
        case .supervisorDistrito: return "Supervisor de distrito"
        case .administrador: return "Administrador"
        }
    }
}

/// An authenticated operator: who they are and their scope. ``OperatorAccounts/authenticate(username:password:at:)``
/// returns it; the web layer keeps it in the session and passes it to every officer action of
/// ``EnrollmentService``, which authorises by it and records ``author`` in the history and the audit log.
public struct OperatorIdentity: Sendable, Hashable {
    public let id: Int64
    public let username: String
    public let displayName: String
    public let role: OperatorRole
    /// The officer's UPC (`operador_upc`).
    public let upcCode: String?
    /// The supervisor's distrito (`supervisor_distrito`); for an `operador_upc`, the distrito of their UPC.
    public let districtCode: String?

    public init(id: Int64, username: String, displayName: String, role: OperatorRole, upcCode: String?,
                districtCode: String?) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.upcCode = upcCode
        self.districtCode = districtCode
    }

    /// Rank and name as a person reads them: `Sbte. Andrade`; the name alone without a rank.
    public static func shownName(rank: String?, name: String) -> String {
        guard let rank, !rank.isEmpty else { return name }
        return "\(rank) \(name)"
    }

    /// How the operator appears in histories and the audit log (`operador:42`).
    public var author: Author { .operador(id: Int(id), display: displayName) }
}

/// Spanish renderings of instants for messages: Ecuador mainland time (UTC−5).
public enum EcuadorTime {
    /// `14:05 del 07/03/2026`.
    public static func text(_ t: Timestamp) -> String {
        let local = t.millisecondsSince1970 + Int64(CivilDate.ecuadorUTCOffsetSeconds) * 1000
        let dayMs = ((local % 86_400_000) + 86_400_000) % 86_400_000
        let minutes = Int(dayMs / 60_000)
        let hh = minutes / 60, mm = minutes % 60
        return "\(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm) del \(CivilDate.ecuador(t).ecuadorianFormat)"
    }
}
