public import BotonCore

/// A month of the published series as imported.
public struct PublishedMonthRecord: Sendable, Equatable {
    public var volume: MonthlyVolume
    /// Imported with `--prefer-import`.
    public var preferred: Bool
    /// The file it came from.
    public var source: String
    public var importedAt: Timestamp
    public var importedBy: String

    public init(volume: MonthlyVolume, preferred: Bool, source: String, importedAt: Timestamp, importedBy: String) {
        self.volume = volume
        self.preferred = preferred
        self.source = source
        self.importedAt = importedAt
        self.importedBy = importedBy
    }
}

/// One freezing of a month: revision 0 is the monthly close, later ones are corrections.
public struct StatisticsRevisionRecord: Sendable, Equatable {
    public var month: YearMonth
    public var revision: Int
    public var at: Timestamp
    /// `sistema` (the automatic close), `operador:42`.
    public var actor: String
    /// Why: `cierre mensual` for a close, the stated reason for a correction.
    public var reason: String
    /// The outcomes that counted as atenciones (`atendida`, comma-separated).
    public var countedOutcomes: String

    public init(month: YearMonth, revision: Int, at: Timestamp, actor: String, reason: String,
                countedOutcomes: String) {
        self.month = month
        self.revision = revision
        self.at = at
        self.actor = actor
        self.reason = reason
        self.countedOutcomes = countedOutcomes
    }
}

/// What the statistics read from the operational tables, and the frozen months and imported series they keep.
/// Time ranges are half-open, `[from, to)`, in milliseconds since the epoch.
public protocol StatisticsRepository {
    /// Closed alerts with this test flag and outcome closed in the range: a count inside the partial index
    /// `incident_statistics`.
    func countClosedIncidents(isTest: Bool, outcome: IncidentOutcome, from: Timestamp, to: Timestamp)
        throws(StoreError) -> Int
    /// Closed test alerts in the range, whatever their outcome.
    func countClosedTests(from: Timestamp, to: Timestamp) throws(StoreError) -> Int
    /// Complaints received in the range.
    func countQuejas(from: Timestamp, to: Timestamp) throws(StoreError) -> Int
    /// Every alert closed in the range, one at a time.
    func forEachClosedIncident(from: Timestamp, to: Timestamp, _ body: (IncidentFact) -> Void) throws(StoreError)
    /// Where each complaint received in the range was placed.
    func quejaPlaces(from: Timestamp, to: Timestamp) throws(StoreError) -> [PlaceFact]
    /// Where each escalation recorded in the range happened (its alert's subcircuito and UPC).
    func escalationPlaces(from: Timestamp, to: Timestamp) throws(StoreError) -> [PlaceFact]
    /// Every enrollment request that existed before `at`, with its state then (from its history). A pending baja
    /// (`baja_solicitada`) counts as the state it left: the button still works until the baja is confirmed.
    func enrollmentStates(before at: Timestamp) throws(StoreError) -> [(place: PlaceFact, state: String)]
    /// Subcircuito code → zona (`ZONA 9`).
    func subcircuitZones() throws(StoreError) -> [String: String]
    /// Names of territory units and UPCs, by code.
    func unitNames() throws(StoreError) -> [String: String]
    /// The earliest closing of an alert or receipt of a complaint: where the system's own series starts.
    func firstRecordAt() throws(StoreError) -> Timestamp?

    /// Stores imported months, replacing earlier imports of the same months. Returns how many replaced one.
    @discardableResult
    func upsertPublishedMonths(_ months: [PublishedMonthRecord]) throws(StoreError) -> Int
    func publishedMonths() throws(StoreError) -> [PublishedMonthRecord]

    /// Appends a revision and its figures (every scope); fails if that revision exists.
    func insertFrozenMonth(_ revision: StatisticsRevisionRecord, figures: [StatisticsScope: MonthlyFigures])
        throws(StoreError)
    /// Every revision of `month` (of every month when nil), oldest first.
    func statisticsRevisions(month: YearMonth?) throws(StoreError) -> [StatisticsRevisionRecord]
    /// The newest revision of every closed month.
    func latestRevisions() throws(StoreError) -> [YearMonth: Int]
    /// The frozen figures of a revision, of one level (all levels when nil).
    func frozenFigures(month: YearMonth, revision: Int, level: StatisticsLevel?) throws(StoreError)
        -> [StatisticsScope: MonthlyFigures]
    /// The national figures of the newest revision of every closed month.
    func frozenNational() throws(StoreError) -> [YearMonth: (figures: MonthlyFigures, revision: Int)]
}
