public import BotonCore
public import BotonRuntime

/// What the statistics need from the configuration (`[stats]`), checked once.
public struct StatisticsSettings: Sendable, Equatable {
    /// Outcomes of a non-test alert that count as an atención.
    public var countedOutcomes: Set<IncidentOutcome>
    /// The anchor month of the published layout's 24-month pages.
    public var pageAnchor: YearMonth
    /// Public figures below distrito from 1 to this − 1 are suppressed.
    public var privacyThreshold: Int

    public init(countedOutcomes: Set<IncidentOutcome> = [.atendida],
                pageAnchor: YearMonth = TransparencyTable.publishedAnchor, privacyThreshold: Int = 5) {
        self.countedOutcomes = countedOutcomes
        self.pageAnchor = pageAnchor
        self.privacyThreshold = privacyThreshold
    }

    /// From `[stats]` (already validated by ``Configuration``).
    public init(_ stats: Configuration.Stats) {
        self.init(countedOutcomes: Set(stats.atencionOutcomes.compactMap(IncidentOutcome.init(rawValue:))),
                  pageAnchor: YearMonth(stats.pageAnchor) ?? TransparencyTable.publishedAnchor,
                  privacyThreshold: stats.privacyThreshold)
    }

    /// `atendida` or `atendida,no_localizada`, in a stable order (stored with every frozen month).
    public var countedOutcomesText: String {
        IncidentOutcome.allCases.filter(countedOutcomes.contains).map(\.rawValue).joined(separator: ",")
    }
}
