import Glibc

/// The process's file-descriptor budget (`RLIMIT_NOFILE`): every connection, database file and log pipe is one.
///
/// `boton serve` raises the soft limit to the hard one at start, then refuses to start when the listeners'
/// connection limits plus ``reserve`` do not fit in it: each listener's `max_connections` is its own budget, so
/// with the sum within the limit, HTTP connections can never take the descriptors alert intake needs.
public enum DescriptorLimit {
    /// Descriptors kept for everything but connections: the database and its log (three per connection to it),
    /// the listening sockets, epoll and eventfds, the log, the health readings, the central's client.
    public static let reserve = 512

    /// Raises the soft limit to the hard limit; returns both after (the soft one unchanged if raising failed).
    @discardableResult
    public static func raiseToHardLimit() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (1024, 1024) }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)  // RLIM_INFINITY is the largest value
    }

    /// Nil when `ingest` + `http` connections plus ``reserve`` fit in `limit`; otherwise what to tell the operator.
    public static func shortfall(ingest: Int, http: Int, limit: Int) -> String? {
        let needed = ingest + http + reserve
        guard needed > limit else { return nil }
        return "ingest.max_connections (\(ingest)) + http.max_connections (\(http)) + \(reserve) descriptors "
            + "reserved for the store, logs and listeners = \(needed), more than this process may open "
            + "(RLIMIT_NOFILE \(limit), already raised to its hard limit): lower those settings, or raise the hard "
            + "limit (ulimit -Hn; LimitNOFILE= in a systemd unit)"
    }

    /// The fields of an `event=descriptors_exhausted` line.
    public static func fields(listener: String, errno: Int32, refused: Int, pauses: Int, open: Int)
        -> KeyValuePairs<String, String>
    {
        let name = switch errno {
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case ENOBUFS: "ENOBUFS"
        case ENOMEM: "ENOMEM"
        default: String(errno)
        }
        return ["listener": listener, "errno": name, "refused": String(refused), "pauses": String(pauses),
                "open": String(open), "meaning": "out of file descriptors: accepting pauses, waiting connections are closed"]
    }
}
