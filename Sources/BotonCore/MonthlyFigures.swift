/// The figures of one month for one scope: the published pair (*quejas*, *atenciones*) and the internal figures
/// beside them.
public struct MonthlyFigures: Sendable, Hashable, Codable {
    /// Complaints received in the month.
    public var quejas = 0
    /// Non-test alerts closed in the month with an outcome that counts as an atención (configuration; `atendida`
    /// by default).
    public var atenciones = 0
    /// Test alerts closed in the month (never counted as atenciones).
    public var pruebas = 0
    /// Non-test alerts closed in the month as `falsa_alarma`.
    public var falsasAlarmas = 0
    /// Escalations recorded in the month (an alert nobody took within its SLA; one alert may escalate twice).
    public var escaladas = 0
    /// Non-test alerts closed in the month that had been taken: the population of ``medianaTomaMs``.
    public var tomadas = 0
    /// Median time from the alert's arrival to an operator taking it, over ``tomadas``; nil when none.
    public var medianaTomaMs: Int64?
    /// Enrollment requests by state at the end of the month (state raw value → count; absent states are 0).
    public var enrolamientos: [String: Int] = [:]

    public init() {}

    public init(quejas: Int, atenciones: Int) {
        self.quejas = quejas
        self.atenciones = atenciones
    }

    /// The published pair for `month`.
    public func volume(_ month: YearMonth) -> MonthlyVolume {
        MonthlyVolume(month: month, quejas: quejas, atenciones: atenciones)
    }
}

/// One closed alert as the statistics see it.
public struct IncidentFact: Sendable, Hashable {
    public var isTest: Bool
    public var outcome: IncidentOutcome?
    public var subcircuit: String?
    public var upc: String
    /// Milliseconds from arrival to *tomada*, when it was taken.
    public var takeMilliseconds: Int64?

    public init(isTest: Bool, outcome: IncidentOutcome?, subcircuit: String?, upc: String, takeMilliseconds: Int64?) {
        self.isTest = isTest
        self.outcome = outcome
        self.subcircuit = subcircuit
        self.upc = upc
        self.takeMilliseconds = takeMilliseconds
    }
}

/// Where something happened, as far as it is known: a subcircuito, a UPC, both or neither.
public struct PlaceFact: Sendable, Hashable {
    public var subcircuit: String?
    public var upc: String?
    public init(subcircuit: String?, upc: String?) {
        self.subcircuit = subcircuit
        self.upc = upc
    }
}
