import BotonHTTP
import Testing

/// The same bytes must give the same requests however the network cuts them.
@Suite struct ParserSplitTests {
    static let inputs: [String] = [
        "GET /a?b=c HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\nPOST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n"
            + "PUT /d HTTP/1.0\r\nContent-Length: 2\r\n\r\nok",
        // Ends in an error: every split must fail with the same status after the same requests.
        "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ]

    @Test func everySplitPositionGivesTheSameResult() {
        for input in Self.inputs {
            let all = bytes(input)
            let expected = parse(all)
            #expect(!expected.requests.isEmpty)
            for cut in 0...all.count {
                let outcome = parse(pieces: [Array(all[..<cut]), Array(all[cut...])])
                #expect(outcome.requests == expected.requests, "cut at \(cut) of \(input.debugDescription)")
                #expect(outcome.error?.status == expected.error?.status, "cut at \(cut)")
            }
        }
    }

    @Test func everyPairOfSplitPositionsGivesTheSameResult() {
        let all = bytes(Self.inputs[2])
        let expected = parse(all)
        for first in 0...all.count {
            for second in first...all.count {
                let pieces = [Array(all[..<first]), Array(all[first..<second]), Array(all[second...])]
                #expect(parse(pieces: pieces) == expected, "cuts at \(first), \(second)")
            }
        }
    }

    @Test func oneByteAtATime() {
        for input in Self.inputs {
            let all = bytes(input)
            let expected = parse(all)
            #expect(parse(pieces: all.map { [$0] }).requests == expected.requests)
            #expect(parse(pieces: all.map { [$0] }).error?.status == expected.error?.status)
        }
        #expect(parse(Self.inputs[2]).requests.map(\.body) == [bytes("hello world"), bytes("ok")])
    }

    @Test func largeBodyOneByteAtATimeStaysLinear() {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        let head = bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n")
        var parser = HTTPRequestParser()
        var received: [HTTPRequest] = []
        for byte in head + body {
            parser.append([byte])
            while let request = try? parser.next() { received.append(request) }
        }
        #expect(received.count == 1)
        #expect(received.first?.body == body)
    }
}
