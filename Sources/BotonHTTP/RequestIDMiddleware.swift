import Synchronization

/// Request identifiers for `X-Request-Id`.
public enum RequestID {
    public static let headerName = "X-Request-Id"

    /// 16 lowercase hex characters from the system's random generator (a system call each).
    public static func random() -> String {
        hex(UInt64.random(in: .min ... .max))
    }

    /// 16 lowercase hex characters, never the same twice in this process, without a system call: the next value
    /// of a counter, offset by a key drawn once from the system's random generator, through SplitMix64's
    /// finalizer (a bijection, so distinct counters give distinct ids). They look random and differ from run to
    /// run; they are labels for logs, not secrets. The request-id middleware's default.
    public static func next() -> String {
        hex(mix(key &+ counter.wrappingAdd(1, ordering: .relaxed).oldValue &* 0x9E37_79B9_7F4A_7C15))
    }

    private static let key = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `value` as 16 lowercase hex digits, written straight into the string's storage.
    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0 ..< 16 {
                let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * UInt64(index))) & 0x0F
                buffer[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return 16
        }
    }

    /// An incoming id is kept when it is 1–64 characters of `A–Z a–z 0–9 - _ .` (safe in logs and headers).
    public static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            ASCII.isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}

extension Middleware {
    /// Keeps a valid incoming `X-Request-Id` or replaces it with `generate()`, passes the request on with
    /// that header set (handlers and inner middleware see it), and echoes it on the response.
    public static func requestID(generate: @escaping @Sendable () -> String = RequestID.next) -> Middleware {
        Middleware { request, _, next in
            var request = request
            let incoming = request.header(RequestID.headerName)
            let id = incoming.flatMap { RequestID.isValid($0) ? $0 : nil } ?? generate()
            request.headers.replace(name: RequestID.headerName, value: id)
            var response = next(request)
            response.headers.replace(name: RequestID.headerName, value: id)
            return response
        }
    }
}
