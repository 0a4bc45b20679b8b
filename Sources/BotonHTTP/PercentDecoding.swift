/// Percent-decoding (RFC 3986) and `application/x-www-form-urlencoded` parsing. Internal.
enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`). Nil on a malformed escape.
    static func decode<Bytes: Collection>(_ bytes: Bytes, plusAsSpace: Bool) -> [UInt8]?
    where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.percent {
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { return nil }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex,
                      let high = ASCII.hexValue(bytes[first]), let low = ASCII.hexValue(bytes[second])
                else { return nil }
                output.append(high << 4 | low)
                index = bytes.index(after: second)
                continue
            }
            output.append(plusAsSpace && byte == ASCII.plus ? ASCII.space : byte)
            index = bytes.index(after: index)
        }
        return output
    }

    /// Decodes and requires valid UTF-8.
    static func decodeText<Bytes: Collection>(_ bytes: Bytes, plusAsSpace: Bool) -> String?
    where Bytes.Element == UInt8 {
        guard let decoded = decode(bytes, plusAsSpace: plusAsSpace) else { return nil }
        return UTF8Text.decode(decoded)
    }

    /// Splits `a=1&b=2` on `&` and the first `=`; a pair without `=` has an empty value; empty pairs are
    /// skipped. Nil when any name or value is badly escaped or not UTF-8.
    static func formFields<Bytes: Collection>(_ bytes: Bytes) -> [FormField]? where Bytes.Element == UInt8 {
        var fields: [FormField] = []
        for pair in Array(bytes).split(separator: ASCII.ampersand, omittingEmptySubsequences: true) {
            let nameBytes: ArraySlice<UInt8>
            let valueBytes: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: ASCII.equals) {
                nameBytes = pair[pair.startIndex..<equals]
                valueBytes = pair[(equals + 1)...]
            } else {
                nameBytes = pair
                valueBytes = []
            }
            guard let name = decodeText(nameBytes, plusAsSpace: true),
                  let value = decodeText(valueBytes, plusAsSpace: true) else { return nil }
            fields.append(FormField(name: name, value: value))
        }
        return fields
    }
}
