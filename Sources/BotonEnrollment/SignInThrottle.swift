import BotonCore
import Glibc
import BotonRuntime
import Synchronization

/// Slows password guessing per (user name, client address) without ever locking an account's owner out.
///
/// Finding 6 of the hostile-load review: a hard per-account lock after five failures let anyone lock any officer
/// out for 15 minutes, from anywhere. Here failures count per *pair*: after ``Policy/freeFailures`` wrong passwords
/// for one user name from one address, that address must wait before its next try for that user name, the wait
/// doubling with each further failure from ``Policy/baseSeconds`` up to ``Policy/maxSeconds``. While it waits it is
/// refused at once, without a password check (so the right password does not get in from there either: otherwise
/// the wait would not slow a guesser). The owner signing in from any other address is not affected.
///
/// There is deliberately no per-account ceiling across addresses: any ceiling that refuses every address is the
/// lock again, available to whoever controls enough addresses. What bounds a distributed guesser instead is the
/// whole service's password-check capacity (`http.login_concurrency` checks of about half a second at once, a few
/// per second for all accounts together), the per-address rate limit and 12-character passwords; and
/// ``OperatorAccounts`` audits `cuenta_bajo_ataque` every ``OperatorAccounts/attackAlarmFailures`` failures in a
/// row across addresses, so administrators see it.
///
/// The key is the user name as typed (lower-cased), whether or not an account has it, so an unknown name is
/// throttled exactly like a known one and the answers cannot tell them apart. An IPv6 client is keyed by its /64
/// (one subscriber's prefix: a host can change the low 64 bits at will); IPv4 by its address.
///
/// Memory is bounded: the pairs live in a ``GenerationalTable`` (sharded, two generations of at most `maxKeys`
/// pairs; the older generation is dropped whole when the newer fills). An entry is made only by a failed password
/// check, which costs a hash (a few per second for the whole service), so an attacker spraying addresses needs
/// hours of hashing to push a pair out. A pair quiet for ``Policy/forgetSeconds`` starts afresh.
public final class SignInThrottle: Sendable {
    public struct Policy: Sendable, Equatable {
        /// Failures of one pair before it must wait.
        public var freeFailures: Int
        /// The first wait; each further failure doubles it…
        public var baseSeconds: Int
        /// …up to this.
        public var maxSeconds: Int
        /// A pair with no failure for this long is forgotten.
        public var forgetSeconds: Int

        public init(freeFailures: Int = 5, baseSeconds: Int = 30, maxSeconds: Int = 900, forgetSeconds: Int = 86_400) {
            self.freeFailures = max(freeFailures, 1)
            self.baseSeconds = max(baseSeconds, 1)
            self.maxSeconds = max(maxSeconds, self.baseSeconds)
            self.forgetSeconds = max(forgetSeconds, self.maxSeconds)
        }

        /// The wait after the `failures`-th failure of a pair (0 while under ``freeFailures``).
        public func waitSeconds(afterFailures failures: Int) -> Int {
            guard failures >= freeFailures else { return 0 }
            let doublings = min(failures - freeFailures, 30)
            return min(maxSeconds, baseSeconds << doublings)
        }
    }

    private struct Entry {
        var failures: Int
        var lastFailure: Int64
        var blockedUntil: Int64
        /// The account's persisted count of failures in a row right after this pair's last failure: a lower count
        /// later means the owner signed in or an administrator ran `boton operator unlock` (both reset it).
        var accountFailures: Int?
    }

    public let policy: Policy
    private let pairs: GenerationalTable<String, Entry>
    private let hashes = Atomic<Int>(0)
    private let refusals = Atomic<Int>(0)

    /// `maxKeys`: pairs remembered per generation, all shards together (at most twice as many are held).
    public init(policy: Policy = Policy(), maxKeys: Int = 32_768) {
        self.policy = policy
        pairs = GenerationalTable(maxKeys: maxKeys)
    }

    /// Password checks done for sign-ins (known and unknown user names alike), for `/metrics` and the tests.
    public var passwordChecks: Int { hashes.load(ordering: .relaxed) }
    /// Sign-ins refused while their pair waited.
    public var throttledAttempts: Int { refusals.load(ordering: .relaxed) }
    func countPasswordCheck() { hashes.add(1, ordering: .relaxed) }

    /// Until when the pair must wait, or nil when it may try now. `accountFailures`: the account's persisted
    /// count of failures in a row (nil for an unknown user name); a count lower than the one this pair last saw
    /// lifts the wait (the owner signed in, or an administrator unlocked the account).
    func blockedUntil(username: String, address: String, accountFailures: Int?, at: Timestamp) -> Timestamp? {
        let key = Self.key(username: username, address: address)
        let now = at.millisecondsSince1970
        // Read without moving the pair: checking costs no password hash, so it must not be able to make room.
        let blocked: Int64? = pairs.peek(key) { entry in
            guard let entry else { return (nil, false) }
            if now - entry.lastFailure >= Int64(policy.forgetSeconds) * 1000
                || (accountFailures != nil && entry.accountFailures != nil && accountFailures! < entry.accountFailures!)
            {
                return (nil, true)
            }
            return (entry.blockedUntil > now ? entry.blockedUntil : nil, false)
        }
        if blocked != nil { refusals.add(1, ordering: .relaxed) }
        return blocked.map { Timestamp(millisecondsSince1970: $0) }
    }

    /// Counts a failed password check of the pair; returns until when it must now wait (nil: it may try again
    /// at once) and how many failures the pair has.
    @discardableResult
    func recordFailure(username: String, address: String, accountFailures: Int?, at: Timestamp)
        -> (blockedUntil: Timestamp?, failures: Int)
    {
        let key = Self.key(username: username, address: address)
        let now = at.millisecondsSince1970
        let entry: Entry = pairs.update(key) { stored in
            var entry = stored ?? Entry(failures: 0, lastFailure: now, blockedUntil: 0, accountFailures: nil)
            if now - entry.lastFailure >= Int64(policy.forgetSeconds) * 1000 { entry.failures = 0 }
            entry.failures += 1
            entry.lastFailure = now
            entry.accountFailures = accountFailures
            let wait = policy.waitSeconds(afterFailures: entry.failures)
            entry.blockedUntil = wait > 0 ? now + Int64(wait) * 1000 : 0
            stored = entry
            return entry
        }
        return (entry.blockedUntil > 0 ? Timestamp(millisecondsSince1970: entry.blockedUntil) : nil, entry.failures)
    }

    /// Forgets the pair (a successful sign-in from it).
    func recordSuccess(username: String, address: String) {
        pairs.remove(Self.key(username: username, address: address))
    }

    /// Pairs held now, in every shard and generation (tests).
    var heldEntries: Int { pairs.count }

    static func key(username: String, address: String) -> String {
        username + "\u{0}" + addressKey(address)
    }

    /// The part of a client address a throttle counts by: an IPv4 address whole (also written as an IPv4-mapped
    /// IPv6 address), an IPv6 address by its first 64 bits.
    static func addressKey(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        if bytes[0 ..< 10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12 ..< 16].map { String($0) }.joined(separator: ".")
        }
        let hex = bytes[0 ..< 8].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return stride(from: 0, to: 8, by: 2).map { hex[$0] + hex[$0 + 1] }.joined(separator: ":") + "::/64"
    }
}
