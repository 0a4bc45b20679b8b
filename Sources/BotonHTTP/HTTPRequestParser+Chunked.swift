/// The chunked transfer coding (RFC 9112 §7.1): sizes in hex, extensions ignored, trailers parsed and
/// discarded within the header-section budget.
extension HTTPRequestParser {
    mutating func stepChunked() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch state {
            case .chunkSize:
                guard let line = try takeLine(maxLength: Self.maxChunkLineBytes,
                                              tooLong: .badRequest("chunk size line too long"))
                else { return nil }
                let size = try chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let available = buffer.count - readIndex
                guard available > 0 else { return nil }
                let taken = min(available, remaining)
                body.append(contentsOf: buffer[readIndex..<(readIndex + taken)])
                consume(upTo: readIndex + taken)
                guard taken == remaining else {
                    state = .chunkData(remaining: remaining - taken)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                let available = buffer.count - readIndex
                if available >= 1, buffer[readIndex] != ASCII.cr { throw .badRequest("missing CRLF after chunk") }
                guard available >= 2 else { return nil }
                guard buffer[readIndex + 1] == ASCII.lf else { throw .badRequest("missing CRLF after chunk") }
                consume(upTo: readIndex + 2)
                state = .chunkSize
            case .trailers:
                guard let line = try takeHeaderLine() else { return nil }
                if line.isEmpty { return complete() }
                try countField()
                _ = try HeadSyntax.fieldLine(line)
            case .requestLine, .headers, .fixedBody:
                preconditionFailure("stepChunked outside a chunked body")
            }
        }
    }

    /// `1*HEXDIG [ BWS ";" chunk-ext ]` with optional trailing blanks; the size must keep the body within
    /// the limit (413).
    private func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let budget = limits.bodyBytes - body.count
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = ASCII.hexValue(line[index]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            size = shifted + Int(digit)
            if overflow || size > budget { throw .tooLarge("body larger than \(limits.bodyBytes) bytes") }
            index += 1
        }
        guard index > line.startIndex else { throw .badRequest("invalid chunk size") }
        while index < line.endIndex, ASCII.isBlank(line[index]) { index += 1 }
        guard index < line.endIndex else { return size }
        guard line[index] == ASCII.semicolon else { throw .badRequest("invalid chunk size") }
        for byte in line[index...] where !(ASCII.isFieldVisible(byte) || ASCII.isBlank(byte)) {
            throw .badRequest("control character in chunk extension")
        }
        return size
    }
}
