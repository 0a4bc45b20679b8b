import COpenSSL
import Glibc

/// A TLS failure with OpenSSL's own reason (the error queue's text), and what we were doing.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let reason: String

    init(_ operation: String) {
        self.operation = operation
        reason = TLSError.drainErrorQueue()
    }

    public var description: String { reason.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reason)" }

    /// Empties the calling thread's OpenSSL error queue and returns its text (several errors joined by "; ").
    static func drainErrorQueue() -> String {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.joined(separator: "; ")
    }
}

public enum TLSVersion: Sendable {
    case tls12, tls13
}

/// An OpenSSL `SSL_CTX`: TLS 1.2 and 1.3 only, no compression, renegotiation off.
///
/// A server context holds the certificate chain and private key (PEM files); a client context is used by the
/// simulator and the tests. The context is immutable after creation and OpenSSL allows creating connections from
/// it on any thread, so it is `Sendable`.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// The TLS 1.2 suites a server offers: forward secrecy (ECDHE) with authenticated encryption (AES-GCM,
    /// ChaCha20-Poly1305) only, in the server's order of preference. TLS 1.3's suites are all of that kind already.
    public static let serverCiphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// A server context from a PEM certificate chain and its PEM private key. Fails with OpenSSL's reason when a
    /// file is missing or unreadable, or when the key does not match the certificate. TLS 1.2 clients get
    /// ``serverCiphers`` only, chosen in the server's order.
    public init(certificatePath: String, keyPath: String) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw TLSError("SSL_CTX_new") }
        context = ctx
        try configureCommon()
        guard SSL_CTX_set_cipher_list(ctx, Self.serverCiphers) == 1 else {
            throw TLSError("setting the TLS 1.2 cipher suites")
        }
        _ = boton_SSL_CTX_set_options(ctx, boton_SSL_OP_CIPHER_SERVER_PREFERENCE())
        guard SSL_CTX_use_certificate_chain_file(ctx, certificatePath) == 1 else {
            throw TLSError("loading the certificate \(certificatePath)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError("loading the private key \(keyPath)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError("checking that \(keyPath) matches \(certificatePath)")
        }
    }

    /// A client context. With `caFile` the server's chain must verify against that file; with nil any certificate
    /// is accepted (self-signed development pairs). `maximumVersion: .tls12` lets tests check the server still
    /// speaks TLS 1.2.
    public init(clientVerifying caFile: String?, maximumVersion: TLSVersion = .tls13) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw TLSError("SSL_CTX_new") }
        context = ctx
        try configureCommon()
        if maximumVersion == .tls12 {
            guard boton_SSL_CTX_set_max_proto_version(ctx, boton_TLS1_2_VERSION()) == 1 else {
                throw TLSError("setting the maximum protocol version")
            }
        }
        if let caFile {
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                throw TLSError("loading the CA file \(caFile)")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
    }

    private func configureCommon() throws(TLSError) {
        guard boton_SSL_CTX_set_min_proto_version(context, boton_TLS1_2_VERSION()) == 1 else {
            throw TLSError("setting the minimum protocol version")
        }
        _ = boton_SSL_CTX_set_options(context, boton_SSL_OP_NO_COMPRESSION() | boton_SSL_OP_NO_RENEGOTIATION())
        _ = boton_SSL_CTX_set_mode(context, boton_SSL_MODE_RELEASE_BUFFERS() | boton_SSL_MODE_ENABLE_PARTIAL_WRITE()
                                   | boton_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER())
    }

    deinit { SSL_CTX_free(context) }
}

/// One TLS session over a non-blocking socket. Every call returns at once; `.wantRead`/`.wantWrite` say which
/// readiness to wait for before calling again. Used by one thread at a time (the connection's owner).
final class TLSSession {
    let ssl: OpaquePointer

    enum Progress: Equatable {
        case done(Int)
        case wantRead
        case wantWrite
        /// The peer closed the TLS session cleanly.
        case closed
        case failed(String)
    }

    init(context: TLSContext, descriptor: Int32, server: Bool) throws(TLSError) {
        guard let ssl = SSL_new(context.context) else { throw TLSError("SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, descriptor)
        if server { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
    }

    deinit { SSL_free(ssl) }

    func handshake() -> Progress { progress(SSL_do_handshake(ssl)) { 0 } }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Progress {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return progress(n) { Int(n) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Progress {
        let n = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return progress(n) { Int(n) }
    }

    /// Plaintext OpenSSL already decrypted and holds: it must be read even if the socket is not readable.
    var pendingPlaintext: Bool { SSL_pending(ssl) > 0 }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Sends close_notify, without waiting for the peer's.
    func shutdown() { _ = SSL_shutdown(ssl) }

    private func progress(_ rc: Int32, _ value: () -> Int) -> Progress {
        if rc > 0 { return .done(value()) }
        let code = SSL_get_error(ssl, rc)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let reason = TLSError.drainErrorQueue()
            return .failed(reason.isEmpty ? (errno == 0 ? "connection closed" : String(cString: strerror(errno)))
                           : reason)
        default:
            let reason = TLSError.drainErrorQueue()
            return .failed(reason.isEmpty ? "TLS error \(code)" : reason)
        }
    }
}

/// Development certificates: `Scripts/run` creates one on first start so the TLS port works out of the box.
public enum SelfSignedCertificate {
    /// Writes a self-signed EC P-256 certificate for `host` (also valid for localhost and 127.0.0.1) and its key
    /// (mode 0600). Existing files are replaced.
    public static func write(certificatePath: String, keyPath: String, host: String, days: Int = 825)
        throws(TLSError)
    {
        guard boton_write_self_signed(certificatePath, keyPath, host, Int32(days)) == 1 else {
            throw TLSError("writing a self-signed certificate to \(certificatePath) and \(keyPath)")
        }
    }
}
