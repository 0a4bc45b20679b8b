import Foundation

/// Every setting of the service, with its default. `Config/boton.conf` documents each one.
///
/// The file is INI-like: `[section]` headers, `key = value` lines, `#` comments. Relative paths are resolved
/// against the directory that holds the configuration file, so the service finds its data wherever it is started.
/// Unknown sections or keys and malformed values are errors that name the line, so a typo never silently falls
/// back to a default.
public struct Configuration: Sendable, Equatable {
    /// The database engine behind the repositories.
    public enum StoreBackend: String, Sendable, Equatable {
        /// One SQLite file on this host: the embedded default (`Scripts/run`).
        case sqlite
        /// One PostgreSQL server (a primary, synchronously replicated) shared by several service nodes.
        case postgresql
    }

    public struct Store: Sendable, Equatable {
        /// `sqlite` or `postgresql`.
        public var backend = StoreBackend.sqlite
        /// With `backend = postgresql`: the libpq connection string, a URI (`postgresql://boton@db1,db2/boton?…`)
        /// or `key=value` pairs; several hosts with `target_session_attrs=read-write` find the primary after a
        /// failover. It may hold the password: it is never logged (prefer a `passfile`).
        public var postgresql = ""
        /// SQLite database file (WAL, `synchronous=FULL`).
        public var path = "../var/boton.sqlite"
        /// How long a connection waits for another's write lock.
        public var busyTimeoutMilliseconds = 5_000
        /// `full` (every commit reaches the disk before its alerts are acknowledged). `off` exists only so the
        /// benchmark can measure the ingestion path without the disk; never run a service with it.
        public var synchronous = "full"
        /// How often the checkpoint thread copies the write-ahead log into the database file (see
        /// `WALCheckpointer`); the ingestion writer never checkpoints itself.
        public var checkpointMilliseconds = 100
        /// A log longer than this many frames (pages) gets a restart checkpoint, which briefly holds writers back,
        /// so the log file stays bounded under sustained load.
        public var checkpointRestartFrames = 10_000
    }

    public struct Territory: Sendable, Equatable {
        /// GeoJSON imported on first start when the database holds no territory.
        public var file = "territorio-ec.geojson"
        /// A position outside every subcircuito goes to the nearest UPC within this distance…
        public var fallbackRadiusMeters = 5_000.0
        /// …and otherwise to this central, which answers for the whole country.
        public var centralCode = "CENTRAL-ECU911"
        public var centralName = "Central nacional de emergencias"
        /// A GPS fix less accurate than this is ignored; the line's registered address is used instead.
        public var maxFixAccuracyMeters = 200
    }

    public struct Ingest: Sendable, Equatable {
        public var host = "0.0.0.0"
        public var udpPort = 7135
        public var tcpPort = 7136
        public var tlsPort = 7137
        public var tlsCertificate = "tls/cert.pem"
        public var tlsKey = "tls/key.pem"
        /// A group-commit batch closes at this many frames…
        public var batchMaxFrames = 256
        /// …or this many milliseconds after its first frame, whichever comes first.
        public var batchMaxMilliseconds = 2
        /// A batch whose transaction has not ended after this long is reported stalled: `/salud` answers 503 (no
        /// alert can be acknowledged while it waits; a primary waiting for a synchronous standby that is gone, a
        /// lock, a full disk).
        public var stalledCommitMilliseconds = 5_000
        /// Frames waiting for the writer; beyond this the sender is told to retry (`ocupado-reintente`).
        public var queueDepth = 8_192
        /// Accepted difference between a frame's clock and the server's.
        public var replayWindowSeconds = 300
        /// Presses from one line within this window join the open incident.
        public var mergeWindowSeconds = 600
        public var handshakeTimeoutMilliseconds = 5_000
        public var idleTimeoutSeconds = 120
        public var maxConnections = 10_000
        /// Connections one address may hold at once (carrier NAT puts many phones behind one address).
        public var maxConnectionsPerAddress = 1_000
        /// A connection that sends nothing this long after it opened is closed.
        public var firstByteTimeoutSeconds = 10
        /// Of `max_connections`, slots kept for connections that have sent an authenticated frame: the others (idle,
        /// or sending nothing valid) hold at most the rest, and a new connection then takes the place of the oldest
        /// of them, so idle connections can neither keep a phone out nor disturb the phones connected.
        public var reservedConnections = 1_000
        /// Frames one sender address may have waiting for the writer at once (of `queue_depth`); beyond, it is
        /// told to retry. A carrier gateway or a carrier NAT sends for many lines from one address: keep it wide.
        public var queueSharePerAddress = 1_024
        /// Credential reads a second for senders not in the listeners' cache, all addresses together (a flood of
        /// random ids costs at most this many store reads; beyond, frames of uncached senders are told to retry)…
        public var lookupsPerSecond = 5_000
        /// …and per sender address.
        public var lookupsPerAddressPerSecond = 500
        /// Wrong MACs a second one address may send for one sender id before that pair's frames are dropped
        /// unchecked for the rest of the moment (a flood of a known id, which travels in clear, costs a MAC check
        /// each otherwise). The same sender from any other address is unaffected.
        public var forgeriesPerAddressPerSecond = 10
        /// Immediate answers (rejections, retry) a second to one address over UDP, whose source nobody verified;
        /// beyond, datagrams go unanswered, so the port cannot be turned against someone else.
        public var answersPerAddressPerSecond = 50
    }

    /// Alarm panels and hardware panic buttons speaking SIA DC-09 (BotonDC09), on a TCP and a UDP port of their own.
    public struct DC09: Sendable, Equatable {
        public var host = "0.0.0.0"
        /// One number for both transports, as panels are configured with one receiver port.
        public var port = 7138
        /// A message whose timestamp is more than this many seconds behind the server's clock, or more than half of
        /// it ahead (DC-09's window is −40 s/+20 s), is answered NAK with our time, so the panel corrects its clock
        /// and sends again.
        public var windowSeconds = 40
        /// A message with the account and sequence of one stored within this many seconds, and the same content,
        /// is a retransmission: acknowledged again, nothing stored twice.
        public var duplicateWindowSeconds = 3_600
        /// Connections held at once on the TCP port, and per sender address.
        public var maxConnections = 2_000
        public var maxConnectionsPerAddress = 200
        public var idleTimeoutSeconds = 120
    }

    /// Supervision of every sender (BotonCore's ``SenderSupervision``): a phone that sends `latido` frames, a DC-09
    /// site registered with a poll interval, a carrier gateway registered with one. A sender silent past its
    /// interval plus ``graceSeconds`` is listed "Sin señal" on its UPC's console and counted in `/metrics`.
    public struct Supervision: Sendable, Equatable {
        /// The `latido` interval a phone app must keep (BotonWire's DocC page says so to the app's developers).
        public var phoneIntervalSeconds = 900
        /// Added to every sender's interval before it counts as silent (a late keep-alive, a slow network).
        public var graceSeconds = 300
        /// How often the supervision pass (a singleton job: the leader only) looks for senders that fell silent.
        public var checkMilliseconds = 10_000
    }

    public struct HTTP: Sendable, Equatable {
        public var host = "0.0.0.0"
        public var port = 8080
        public var maxHeaderBytes = 16_384
        public var maxBodyBytes = 1_048_576
        /// HTTPS, with the ingestion port's certificate and key.
        public var tlsPort = 8443
        /// Threads running the handlers that may block (database, password checks).
        public var workers = 4
        /// Threads serving connections (reading, parsing, non-blocking routes, writing); 0: one per core.
        public var connectionThreads = 0
        /// How often `/salud`'s figures are read (the route answers from the last reading).
        public var healthIntervalMilliseconds = 250
        /// A request must arrive whole within this long of its first byte (408 otherwise).
        public var headerTimeoutMilliseconds = 10_000
        /// An idle keep-alive connection is closed after this long.
        public var idleTimeoutSeconds = 60
        /// With `ingest.max_connections` and 512 more, within the process's descriptor limit (checked at start).
        public var maxConnections = 8_192
        /// Connections one address may hold at once (an office of consoles shares one).
        public var maxConnectionsPerAddress = 256
        /// A connection that sends nothing this long after it opened is closed.
        public var firstByteTimeoutSeconds = 10
        /// An officer's session ends this many hours after sign-in (a shift); decimals allowed.
        public var sessionHours = 8.0
        /// Per client address: the online form and the status page (each its own bucket) allow this many
        /// requests at once…
        public var formRateBurst = 10
        /// …refilled at this many a minute.
        public var formRatePerMinute = 20
        /// Per número de trámite and per document number, from any address: wrong trámite/document pairs on the
        /// status page and the baja (HTML and API) allowed at once; each wrong pair counts against both…
        public var tramiteAttemptsBurst = 5
        /// …refilled at this many an hour. Beyond it both are answered 429 with `Retry-After`, even with the
        /// right pair, until a guess comes back.
        public var tramiteAttemptsPerHour = 10
        /// Per client address: sign-in attempts at once, and refilled per minute (each costs a password hash).
        public var loginRateBurst = 5
        /// A connection whose answers the client lets through not at all for this long is closed (a reader that
        /// stopped reading holds no memory for longer).
        public var writeTimeoutSeconds = 30
        /// Password checks (about half a second each) running at once; more sign-ins are answered 503 at once.
        /// Kept below `http.workers`, so that alert intake and the consoles always find a free worker.
        public var loginConcurrency = 2
        public var loginRatePerMinute = 10
        /// Wrong passwords for one username from one client address (an IPv6 /64) before that address must wait
        /// to try that username again; the owner's other addresses are never held back.
        public var loginThrottleFailures = 5
        /// The first wait, doubled at each further failure of the pair…
        public var loginThrottleBaseSeconds = 30
        /// …up to this.
        public var loginThrottleMaxSeconds = 900
        /// Plain-HTTP requests for anything but the alert intake, health, static files and the public statistics
        /// are redirected (308) to HTTPS.
        public var redirectToHTTPS = true
        /// `https://host[:port]` the redirect goes to; empty: the request's `Host` name (validated) with `tls_port`.
        public var publicHTTPSOrigin = ""
        /// `Strict-Transport-Security: max-age` of HTTPS answers, in seconds; 0 sends none.
        public var hstsMaxAgeSeconds = 31_536_000
        /// `/metrics` has a listener of its own here (loopback by default: Prometheus on the same host or a tunnel).
        public var metricsHost = "127.0.0.1"
        public var metricsPort = 9135
        /// A bearer token that also opens `/metrics` on the main ports (HTTPS only); empty: there it is 404.
        public var metricsToken = ""
    }

    public struct Log: Sendable, Equatable {
        public var level = LogLevel.info
        /// `boton serve` holds at most this many bytes of log lines while standard error does not take them (a full
        /// pipe, a slow journal); past it lines are dropped and counted, never waited for.
        public var bufferBytes = 1 << 20
        /// Lines of one event per second before the rest of that second are summarised in one line.
        public var burstPerSecond = 200
    }

    /// The operator console: live feed, escalation, false-alarm policy.
    public struct Console: Sendable, Equatable {
        /// An alert nobody takes within this many seconds escalates one level; the next level after as many more.
        public var slaSeconds = 60
        /// Where level 3 notifies the central (`http://` or `https://`); empty: no central configured.
        public var centralURL = ""
        /// One attempt to reach the central gives up after this many milliseconds.
        public var centralTimeoutMilliseconds = 5_000
        /// Closings as `falsa_alarma` within the window that suspend a line.
        public var falseAlarmLimit = 3
        public var falseAlarmWindowDays = 30
        /// A console that reconnects with `Last-Event-ID` gets what it missed within this many hours.
        public var replayHours = 24
        /// Closed alerts stay on the console this many hours.
        public var recentHours = 12
        /// Comment lines keep event streams open through proxies.
        public var heartbeatSeconds = 15
        /// Event streams one session may hold open at once (a console per screen); more are answered 429.
        public var streamsPerSession = 4
        /// Replays (what a console missed, read when its stream opens) run on this many threads of their own, never
        /// on the live feed's.
        public var replayConcurrency = 2
        /// Replays running or waiting at once; a stream that would need one more is answered 503 with
        /// `Retry-After` (the console page tries again).
        public var replayBacklog = 32
        /// Base map tiles for the console's map, a Leaflet URL template (`https://host/{z}/{x}/{y}.png`, `{s}` for
        /// subdomains allowed); empty: no base tiles, the territory layer alone (works offline). The console
        /// page's Content-Security-Policy allows images from this host only.
        public var mapTilesURL = ""
        /// Where Debian's `libjs-leaflet` keeps Leaflet (`leaflet.js`, `leaflet.css`, `images/`), served under
        /// `/static/leaflet/`. Missing files: a start-up warning and a console without the map (the sketch instead).
        public var leafletDirectory = "/usr/share/javascript/leaflet"

        /// The CSP source of ``mapTilesURL``: `https://tiles.example.org`, `https://*.tile.example.org` for a
        /// `{s}` subdomain; nil when empty.
        public var mapTilesSource: String? { Configuration.tileSource(mapTilesURL) }
    }

    /// The scheme and host (with port) of a tile URL template, as a CSP source; nil unless it is an http(s) URL
    /// with a host of letters, digits, dots and hyphens (a leading `{s}.` becomes `*.`) and `{z}`, `{x}`, `{y}`.
    static func tileSource(_ url: String) -> String? {
        let scheme: String
        if url.hasPrefix("https://") { scheme = "https://" } else if url.hasPrefix("http://") { scheme = "http://" } else {
            return nil
        }
        guard url.contains("{z}"), url.contains("{x}"), url.contains("{y}") else { return nil }
        let rest = url.dropFirst(scheme.count)
        var host = String(rest.prefix { $0 != "/" })
        guard !host.isEmpty, rest.count > host.count else { return nil }
        if host.hasPrefix("{s}.") { host = "*." + host.dropFirst(4) }
        let body = host.hasPrefix("*.") ? host.dropFirst(2) : Substring(host)
        guard !body.isEmpty, body.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                || (0x61...0x7A).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x3A }) else { return nil }
        return scheme + host
    }

    /// The transparency statistics (quejas and atenciones by month).
    public struct Stats: Sendable, Equatable {
        /// Outcomes of a non-test alert that count as an atención. Test alerts never count.
        public var atencionOutcomes: [String] = ["atendida"]
        /// The month the 24-month pages of the published layout are anchored on (`2024-05` reproduces gob.ec).
        public var pageAnchor = "2024-05"
        /// Public figures below distrito (circuito, subcircuito, UPC) from 1 to this minus 1 are suppressed.
        public var privacyThreshold = 5
        /// How often the running service checks whether a finished month must be closed (and at start-up).
        public var closeCheckMinutes = 60
    }

    /// Several nodes on one PostgreSQL database.
    public struct Cluster: Sendable, Equatable {
        /// How often a node checks its hold on the singleton jobs' lock (the leader: that its session is alive; the
        /// others: whether the lock is free to take). A dead leader is replaced within about this long.
        public var leaderCheckMilliseconds = 1_000
    }

    public var store = Store()
    public var cluster = Cluster()
    public var territory = Territory()
    public var ingest = Ingest()
    public var http = HTTP()
    public var dc09 = DC09()
    public var supervision = Supervision()
    public var log = Log()
    public var console = Console()
    public var stats = Stats()
    /// The directory relative paths are resolved against.
    public var baseDirectory = "."

    public init() {}

    /// `path` made absolute against the configuration's directory.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let joined = URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
        return joined
    }

    public var databasePath: String { resolve(store.path) }
    public var territoryFile: String { resolve(territory.file) }
}

/// A line of the configuration that could not be used.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file):\(line): \(reason)" }
}

extension Configuration {
    /// Reads the file at `path`; its directory becomes `baseDirectory`.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, line: 0, reason: "cannot read the configuration file")
        }
        var configuration = try parse(String(decoding: data, as: UTF8.self), file: path)
        configuration.baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return configuration
    }

    public static func parse(_ text: String, file: String = "boton.conf") throws(ConfigurationError) -> Configuration {
        var c = Configuration()
        var section = ""
        var seen = Set<String>()
        var lines: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = offset + 1
            var line = raw.trimmingCharacters(in: .whitespaces)
            if let hash = commentStart(line) { line = String(line[..<hash]).trimmingCharacters(in: .whitespaces) }
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ConfigurationError(file: file, line: n, reason: "a section header must end with ]")
                }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                guard ["store", "cluster", "territory", "ingest", "dc09", "supervision", "http", "console", "log", "stats"].contains(section) else {
                    throw ConfigurationError(file: file, line: n, reason: "unknown section [\(section)]")
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError(file: file, line: n, reason: "expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !section.isEmpty else {
                throw ConfigurationError(file: file, line: n, reason: "\(key) is outside any [section]")
            }
            let name = "\(section).\(key)"
            guard seen.insert(name).inserted else {
                throw ConfigurationError(file: file, line: n, reason: "\(name) is set twice")
            }
            try c.set(name, value, file: file, line: n)
            lines[name] = n
        }
        try c.validate(file: file, line: lines["store.backend"] ?? 0)
        return c
    }

    /// Where a line's comment begins: a `#` at the start of the line or after a space or tab. A `#` inside a
    /// value (a password in a libpq connection string, `pa#ss`) is part of the value.
    static func commentStart(_ line: String) -> String.Index? {
        var previous: Character?
        for index in line.indices {
            let c = line[index]
            if c == "#", previous == nil || previous == " " || previous == "\t" { return index }
            previous = c
        }
        return nil
    }

    /// Checks what no single line can: settings that depend on each other. `parse` does it for the file; a caller
    /// that changes settings afterwards (`--set`) calls it again.
    public func validate(file: String = "--set", line: Int = 0) throws(ConfigurationError) {
        if store.backend == .postgresql && store.postgresql.isEmpty {
            throw ConfigurationError(file: file, line: line,
                                     reason: "store.backend = postgresql needs store.postgresql, the libpq connection "
                                        + "string (e.g. postgresql://boton@db1,db2/boton?target_session_attrs=read-write)")
        }
    }

    /// `https://` then a host name, IPv4 or bracketed IPv6 address, an optional port, and nothing else.
    static func isHTTPSOrigin(_ value: String) -> Bool {
        guard value.hasPrefix("https://") else { return false }
        let rest = value.dropFirst(8)
        guard !rest.isEmpty, rest.utf8.allSatisfy({ c in
            (0x30...0x39).contains(c) || (0x61...0x7A).contains(c) || (0x41...0x5A).contains(c)
                || [UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]")].contains(c)
        }) else { return false }
        return true
    }

    /// Applies one `section.key` = `value`, as from the file or from `--set` on the command line.
    public mutating func set(_ name: String, _ value: String, file: String = "--set", line: Int = 0)
        throws(ConfigurationError)
    {
        func fail(_ reason: String) -> ConfigurationError {
            ConfigurationError(file: file, line: line, reason: "\(name) = \(value): \(reason)")
        }
        func int(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let v = Int(value) else { throw fail("expected a whole number") }
            guard range.contains(v) else { throw fail("must be between \(range.lowerBound) and \(range.upperBound)") }
            return v
        }
        func port() throws(ConfigurationError) -> Int { try int(0...65_535) }
        func text() throws(ConfigurationError) -> String {
            guard !value.isEmpty else { throw fail("must not be empty") }
            return value
        }
        switch name {
        case "store.backend":
            guard let backend = StoreBackend(rawValue: value) else { throw fail("expected sqlite or postgresql") }
            store.backend = backend
        case "store.postgresql":
            // Kept as written: libpq parses it (and says what is wrong) when the store connects.
            guard !value.isEmpty else { throw fail("must not be empty (a libpq connection string)") }
            store.postgresql = value
        case "store.path": store.path = try text()
        case "store.busy_timeout_ms": store.busyTimeoutMilliseconds = try int(0...600_000)
        case "store.synchronous":
            let mode = try text()
            guard mode == "full" || mode == "off" else { throw fail("expected full or off") }
            store.synchronous = mode
        case "store.checkpoint_ms": store.checkpointMilliseconds = try int(1...60_000)
        case "store.checkpoint_restart_frames": store.checkpointRestartFrames = try int(100...10_000_000)
        case "cluster.leader_check_ms": cluster.leaderCheckMilliseconds = try int(10...600_000)
        case "territory.file": territory.file = try text()
        case "territory.fallback_radius_m":
            guard let v = Double(value), v >= 0, v <= 1_000_000 else { throw fail("expected metres, 0 to 1000000") }
            territory.fallbackRadiusMeters = v
        case "territory.central_code": territory.centralCode = try text()
        case "territory.central_name": territory.centralName = try text()
        case "territory.max_fix_accuracy_m": territory.maxFixAccuracyMeters = try int(1...100_000)
        case "dc09.host": dc09.host = try text()
        case "dc09.port": dc09.port = try port()
        case "dc09.window_s": dc09.windowSeconds = try int(2...3_600)
        case "dc09.duplicate_window_s": dc09.duplicateWindowSeconds = try int(1...86_400)
        case "dc09.max_connections": dc09.maxConnections = try int(1...1_000_000)
        case "dc09.max_connections_per_address": dc09.maxConnectionsPerAddress = try int(1...1_000_000)
        case "dc09.idle_timeout_s": dc09.idleTimeoutSeconds = try int(1...86_400)
        case "supervision.phone_interval_s": supervision.phoneIntervalSeconds = try int(10...86_400)
        case "supervision.grace_s": supervision.graceSeconds = try int(0...86_400)
        case "supervision.check_ms": supervision.checkMilliseconds = try int(10...3_600_000)
        case "ingest.host": ingest.host = try text()
        case "ingest.udp_port": ingest.udpPort = try port()
        case "ingest.tcp_port": ingest.tcpPort = try port()
        case "ingest.tls_port": ingest.tlsPort = try port()
        case "ingest.tls_certificate": ingest.tlsCertificate = try text()
        case "ingest.tls_key": ingest.tlsKey = try text()
        case "ingest.batch_max_frames": ingest.batchMaxFrames = try int(1...10_000)
        case "ingest.batch_max_ms": ingest.batchMaxMilliseconds = try int(0...1_000)
        case "ingest.stalled_commit_ms": ingest.stalledCommitMilliseconds = try int(100...600_000)
        case "ingest.queue_depth": ingest.queueDepth = try int(1...1_000_000)
        case "ingest.replay_window_s": ingest.replayWindowSeconds = try int(1...86_400)
        case "ingest.merge_window_s": ingest.mergeWindowSeconds = try int(0...86_400)
        case "ingest.handshake_timeout_ms": ingest.handshakeTimeoutMilliseconds = try int(1...600_000)
        case "ingest.idle_timeout_s": ingest.idleTimeoutSeconds = try int(1...86_400)
        case "ingest.max_connections": ingest.maxConnections = try int(1...1_000_000)
        case "ingest.max_connections_per_address": ingest.maxConnectionsPerAddress = try int(1...1_000_000)
        case "ingest.first_byte_timeout_s": ingest.firstByteTimeoutSeconds = try int(1...3_600)
        case "ingest.reserved_connections": ingest.reservedConnections = try int(0...1_000_000)
        case "ingest.queue_share_per_address": ingest.queueSharePerAddress = try int(1...1_000_000)
        case "ingest.lookups_per_second": ingest.lookupsPerSecond = try int(1...10_000_000)
        case "ingest.lookups_per_address_per_second": ingest.lookupsPerAddressPerSecond = try int(1...10_000_000)
        case "ingest.forgeries_per_address_per_second": ingest.forgeriesPerAddressPerSecond = try int(1...10_000_000)
        case "ingest.answers_per_address_per_second": ingest.answersPerAddressPerSecond = try int(1...10_000_000)
        case "http.host": http.host = try text()
        case "http.port": http.port = try port()
        case "http.max_header_bytes": http.maxHeaderBytes = try int(512...1_048_576)
        case "http.max_body_bytes": http.maxBodyBytes = try int(0...104_857_600)
        case "http.tls_port": http.tlsPort = try port()
        case "http.workers": http.workers = try int(1...256)
        case "http.connection_threads": http.connectionThreads = try int(0...256)
        case "http.health_interval_ms": http.healthIntervalMilliseconds = try int(10...60_000)
        case "http.header_timeout_ms": http.headerTimeoutMilliseconds = try int(100...600_000)
        case "http.idle_timeout_s": http.idleTimeoutSeconds = try int(1...86_400)
        case "http.max_connections": http.maxConnections = try int(1...1_000_000)
        case "http.max_connections_per_address": http.maxConnectionsPerAddress = try int(1...1_000_000)
        case "http.first_byte_timeout_s": http.firstByteTimeoutSeconds = try int(1...3_600)
        case "http.session_hours":
            guard let v = Double(value), v > 0, v <= 168 else { throw fail("expected hours, more than 0 and at most 168") }
            http.sessionHours = v
        case "http.form_rate_burst": http.formRateBurst = try int(1...100_000)
        case "http.form_rate_per_minute": http.formRatePerMinute = try int(1...1_000_000)
        case "http.tramite_attempts_burst": http.tramiteAttemptsBurst = try int(1...100_000)
        case "http.tramite_attempts_per_hour": http.tramiteAttemptsPerHour = try int(1...1_000_000)
        case "http.login_rate_burst": http.loginRateBurst = try int(1...100_000)
        case "http.login_concurrency": http.loginConcurrency = try int(1...256)
        case "http.write_timeout_s": http.writeTimeoutSeconds = try int(1...3_600)
        case "http.login_rate_per_minute": http.loginRatePerMinute = try int(1...1_000_000)
        case "http.login_throttle_failures": http.loginThrottleFailures = try int(1...1_000)
        case "http.login_throttle_base_s": http.loginThrottleBaseSeconds = try int(1...86_400)
        case "http.login_throttle_max_s": http.loginThrottleMaxSeconds = try int(1...86_400)
        case "http.redirect_to_https":
            guard value == "true" || value == "false" else { throw fail("expected true or false") }
            http.redirectToHTTPS = value == "true"
        case "http.public_https_origin":
            guard value.isEmpty || Self.isHTTPSOrigin(value) else {
                throw fail("expected https://host or https://host:port (no path), or nothing")
            }
            http.publicHTTPSOrigin = value
        case "http.hsts_max_age_s": http.hstsMaxAgeSeconds = try int(0...63_072_000)
        case "http.metrics_host": http.metricsHost = try text()
        case "http.metrics_port": http.metricsPort = try port()
        case "http.metrics_token":
            guard value.isEmpty || (value.utf8.count >= 16 && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }) else {
                throw fail("expected at least 16 visible ASCII characters, or nothing")
            }
            http.metricsToken = value
        case "console.sla_s": console.slaSeconds = try int(1...86_400)
        case "console.central_url":
            guard value.isEmpty || value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw fail("expected an http:// or https:// URL, or nothing")
            }
            console.centralURL = value
        case "console.central_timeout_ms": console.centralTimeoutMilliseconds = try int(100...600_000)
        case "console.false_alarm_limit": console.falseAlarmLimit = try int(1...1_000)
        case "console.false_alarm_window_days": console.falseAlarmWindowDays = try int(1...3_650)
        case "console.replay_hours": console.replayHours = try int(1...720)
        case "console.recent_hours": console.recentHours = try int(1...720)
        case "console.heartbeat_s": console.heartbeatSeconds = try int(1...3_600)
        case "console.streams_per_session": console.streamsPerSession = try int(1...100)
        case "console.replay_concurrency": console.replayConcurrency = try int(1...16)
        case "console.replay_backlog": console.replayBacklog = try int(1...10_000)
        case "console.map_tiles_url":
            guard value.isEmpty || Self.tileSource(value) != nil else {
                throw fail("expected an http(s) URL template with {z}, {x} and {y} (e.g. "
                           + "https://tile.openstreetmap.org/{z}/{x}/{y}.png), or nothing")
            }
            console.mapTilesURL = value
        case "console.leaflet_dir": console.leafletDirectory = try text()
        case "log.level":
            guard let level = LogLevel(rawValue: value) else { throw fail("expected debug, info, warning or error") }
            log.level = level
        case "log.buffer_bytes": log.bufferBytes = try int(4_096...268_435_456)
        case "log.burst_per_second": log.burstPerSecond = try int(1...1_000_000)
        case "stats.atencion_outcomes":
            let names = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let valid = ["atendida", "falsa_alarma", "cancelada_por_ciudadano", "no_localizada"]
            guard !names.isEmpty, names.allSatisfy({ valid.contains($0) }), Set(names).count == names.count else {
                throw fail("expected a comma-separated list of \(valid.joined(separator: ", ")) (tests never count)")
            }
            stats.atencionOutcomes = names
        case "stats.page_anchor":
            let parts = value.split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
                  let month = Int(parts[1]), (1900...9999).contains(year), (1...12).contains(month) else {
                throw fail("expected a month YYYY-MM, e.g. 2024-05")
            }
            stats.pageAnchor = value
        case "stats.privacy_threshold": stats.privacyThreshold = try int(1...1_000)
        case "stats.close_check_minutes": stats.closeCheckMinutes = try int(1...1_440)
        default:
            throw fail("unknown setting")
        }
    }
}
