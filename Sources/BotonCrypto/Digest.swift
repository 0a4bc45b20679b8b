import COpenSSL

/// Hashing, MACs, key derivation, randomness and constant-time comparison, through OpenSSL's libcrypto.
///
/// Every function is stateless and thread-safe (OpenSSL 3 is thread-safe by default), so the module needs no
/// concurrency model of its own: callers on any thread may call it. Outputs are written into caller-provided
/// buffers so that callers allocate nothing of their own; OpenSSL's one-shot `HMAC()` still allocates inside
/// libcrypto (measured: 13 `malloc` calls per call), which a reused `EVP_MAC_CTX` per thread would reduce.
public enum Digest {
    public static let sha256Length = 32

    /// SHA-256 of `data`.
    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sha256Length)
        var length: UInt32 = 0
        out.withUnsafeMutableBytes { o in
            _ = EVP_Digest(data.baseAddress, data.count, o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                           &length, EVP_sha256(), nil)
        }
        return out
    }

    public static func sha256<S: Sequence<UInt8>>(_ bytes: S) -> [UInt8] {
        Array(bytes).withUnsafeBytes { sha256($0) }
    }

    /// HMAC-SHA256 of `data` under `key`, written into `output` (at least 32 bytes). The caller allocates
    /// nothing; libcrypto's one-shot `HMAC()` allocates its own short-lived state.
    public static func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer,
                                  into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= sha256Length, "HMAC-SHA256 output needs 32 bytes")
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), key.baseAddress, Int32(key.count),
                 data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count,
                 output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
    }

    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sha256Length)
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in out.withUnsafeMutableBytes { o in hmacSHA256(key: k, data: d, into: o) } }
        }
        return out
    }

    /// Compares in time that depends only on the length, never on where the bytes differ.
    public static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }

    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in constantTimeEqual(x, y) } }
    }

    /// PBKDF2-HMAC-SHA256.
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], rounds: Int, length: Int = 32)
        throws(CryptoError) -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBytes { p in
            salt.withUnsafeBytes { s in
                PKCS5_PBKDF2_HMAC(p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                                  s.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                                  Int32(rounds), EVP_sha256(), Int32(length), &out)
            }
        }
        guard ok == 1 else { throw CryptoError("PKCS5_PBKDF2_HMAC") }
        return out
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw CryptoError("RAND_bytes") }
        return out
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    public static func encode<S: Sequence<UInt8>>(_ bytes: S) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil when `text` is not an even number of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
