/// Strict UTF-8 decoding without Foundation. Internal.
enum UTF8Text {
    /// The bytes as a String when they are valid UTF-8, else nil (no replacement characters).
    static func decode<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        var valid = true
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error:
                valid = false
                break loop
            }
        }
        return valid ? String(decoding: bytes, as: UTF8.self) : nil
    }
}
