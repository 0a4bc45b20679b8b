import COpenSSL

/// AES in CBC mode with a zero IV and no padding of OpenSSL's own, as SIA DC-09 encrypts its messages (the standard
/// pads the cleartext itself to a multiple of 16 bytes). 128, 192 or 256-bit keys.
public enum AESCBC {
    /// Encrypts (`encrypt` true) or decrypts `data`, whose length must be a multiple of 16; nil for a key that is
    /// not 16, 24 or 32 bytes, a length that is not a multiple of 16, or an OpenSSL failure.
    public static func apply(key: [UInt8], data: [UInt8], encrypt: Bool) -> [UInt8]? {
        guard data.count % 16 == 0 else { return nil }
        let cipher: OpaquePointer?
        switch key.count {
        case 16: cipher = EVP_aes_128_cbc()
        case 24: cipher = EVP_aes_192_cbc()
        case 32: cipher = EVP_aes_256_cbc()
        default: return nil
        }
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let iv = [UInt8](repeating: 0, count: 16)
        guard EVP_CipherInit_ex(context, cipher, nil, key, iv, encrypt ? 1 : 0) == 1,
              EVP_CIPHER_CTX_set_padding(context, 0) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            guard EVP_CipherUpdate(context, o.baseAddress, &written, data, Int32(data.count)) == 1 else { return false }
            return EVP_CipherFinal_ex(context, o.baseAddress! + Int(written), &final) == 1
        }
        guard ok else { return nil }
        return Array(out.prefix(Int(written + final)))
    }
}
