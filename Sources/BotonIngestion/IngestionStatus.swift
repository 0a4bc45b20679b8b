public import BotonCore

/// Counters and health of the ingestion pipeline, for the status page and metrics.
public struct IngestionStatus: Sendable, Equatable {
    public var received = 0
    public var accepted = 0
    public var duplicates = 0
    public var busy = 0
    /// Rejections by reason (`clave`, `ventana`, `desconocido`, `malformada`).
    public var rejected: [String: Int] = [:]
    /// Datagrams left unanswered: their address had used its answer budget (`ingest.answers_per_address_per_second`).
    public var unanswered = 0
    /// Credential reads by the listener threads' cache (misses and refreshes).
    public var credentialReads = 0
    /// Frames answered *ocupado-reintente* because the credential read budget was spent.
    public var overReadBudget = 0
    /// Frames dropped without a MAC check: their address had sent too many wrong MACs for that sender.
    public var unverified = 0
    /// DC-09 events stored, by `code|class` (`SIA PA|alerta`, `CID 602|prueba`, `SIA BA|otro`).
    public var dc09Events: [String: Int] = [:]
    /// DC-09 messages answered on the listener without storing anything, by `answer|reason` (`NAK|crc`,
    /// `NAK|ventana`, `DUH|cuenta_desconocida`, `DUH|clave`, `ACK|sondeo`, `none|marco`).
    public var dc09Answers: [String: Int] = [:]
    public var batches = 0
    public var lastBatchSize = 0
    public var lastCommitMicroseconds = 0
    /// Set while the last commit failed (disk full, I/O error): nothing is being acknowledged.
    public var storageFailure: String?
    /// How long the batch transaction in progress has been open, once that is longer than
    /// `ingest.stalled_commit_ms` (nil: none, or not for that long). Nothing is acknowledged meanwhile.
    public var stalledCommitMilliseconds: Int?
    public init() {}
}

/// What the writer publishes after a commit, for the console (in-process subscription).
public struct IncidentNotice: Sendable, Equatable {
    public enum Change: String, Sendable {
        case nueva, posicion, cancelacion
        /// Shown on a console of its own UPC (recibida → notificada).
        case notificada
    }
    public let incidentID: Int64
    public let upcCode: String
    public let lineE164: String
    public let isTest: Bool
    public let lineSuspended: Bool
    public let change: Change
    public let at: Timestamp
}
