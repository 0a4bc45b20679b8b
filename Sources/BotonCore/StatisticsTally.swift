/// Counts one month's facts into ``MonthlyFigures`` for the country and for every unit of every level.
///
/// Placement: a fact with a subcircuito belongs to it and to its circuito, distrito and subzona (prefixes of the
/// code) and to its zona (from the territory: `zoneOf`); its UPC is the UPC that answered (an alert) or was named
/// (a complaint). A fact with only a UPC is placed in that UPC's distrito, subzona and zona (a UPC's code is
/// `UPC-` and the code of the first subcircuito it serves) and in ``StatisticsScope/unassigned`` for circuito and
/// subcircuito. A fact with neither (the central answered, or a complaint without any reference) is national only
/// and ``StatisticsScope/unassigned`` at every level. So every level's units add up to the national figure.
///
/// Pure: the caller reads the facts (BotonStore) and gives the zona of a subcircuito.
public struct StatisticsTally {
    public let countedOutcomes: Set<IncidentOutcome>
    private let zoneOf: (String) -> String?
    private var figures: [StatisticsScope: MonthlyFigures] = [.national: MonthlyFigures()]
    private var takeTimes: [StatisticsScope: [Int64]] = [:]

    /// `countedOutcomes`: the outcomes that make a non-test alert an atención. `zoneOf`: the zona of a subcircuito
    /// code (`ZONA 9`), nil when unknown.
    public init(countedOutcomes: Set<IncidentOutcome>, zoneOf: @escaping (String) -> String?) {
        self.countedOutcomes = countedOutcomes
        self.zoneOf = zoneOf
    }

    /// The scopes a place belongs to: the country and one unit per level.
    public func scopes(of place: PlaceFact) -> [StatisticsScope] {
        let none = StatisticsScope.unassigned
        let subcircuit = place.subcircuit.flatMap { $0.utf8.count == 11 ? $0 : nil }
        let upcHome: String? = place.upc.flatMap { upc in
            upc.hasPrefix("UPC-") && upc.utf8.count == 15 ? String(upc.dropFirst(4)) : nil
        }
        let anchor = subcircuit ?? upcHome
        return [
            .national,
            StatisticsScope(level: .zona, code: anchor.flatMap(zoneOf) ?? none),
            StatisticsScope(level: .subzona, code: anchor.map { String($0.prefix(2)) } ?? none),
            StatisticsScope(level: .distrito, code: anchor.map { String($0.prefix(5)) } ?? none),
            StatisticsScope(level: .circuito, code: subcircuit.map { String($0.prefix(8)) } ?? none),
            StatisticsScope(level: .subcircuito, code: subcircuit ?? none),
            StatisticsScope(level: .upc, code: place.upc ?? none),
        ]
    }

    private mutating func add(_ place: PlaceFact, _ change: (inout MonthlyFigures) -> Void) {
        for scope in scopes(of: place) { change(&figures[scope, default: MonthlyFigures()]) }
    }

    /// An alert closed in the month.
    public mutating func add(_ incident: IncidentFact) {
        let place = PlaceFact(subcircuit: incident.subcircuit, upc: incident.upc)
        if incident.isTest {
            add(place) { $0.pruebas += 1 }
            return
        }
        let counted = incident.outcome.map { countedOutcomes.contains($0) } ?? false
        let falsa = incident.outcome == .falsaAlarma
        let take = incident.takeMilliseconds
        for scope in scopes(of: place) {
            var f = figures[scope, default: MonthlyFigures()]
            if counted { f.atenciones += 1 }
            if falsa { f.falsasAlarmas += 1 }
            if let take {
                f.tomadas += 1
                takeTimes[scope, default: []].append(take)
            }
            figures[scope] = f
        }
    }

    /// A complaint received in the month.
    public mutating func addQueja(_ place: PlaceFact) { add(place) { $0.quejas += 1 } }

    /// An escalation recorded in the month.
    public mutating func addEscalation(_ place: PlaceFact) { add(place) { $0.escaladas += 1 } }

    /// An enrollment request in `state` at the end of the month.
    public mutating func addEnrollment(_ place: PlaceFact, state: String) {
        add(place) { $0.enrolamientos[state, default: 0] += 1 }
    }

    /// Every scope with its figures (the country always; a unit once something was placed in it).
    public func result() -> [StatisticsScope: MonthlyFigures] {
        var out = figures
        for (scope, times) in takeTimes { out[scope]?.medianaTomaMs = Self.median(times) }
        return out
    }

    /// The median (the mean of the two middle values, rounded down, for an even count); nil for none.
    public static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
