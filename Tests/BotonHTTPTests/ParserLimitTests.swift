import BotonHTTP
import Testing

@Suite struct ParserLimitTests {
    @Test func defaults() {
        let limits = HTTPLimits.standard
        #expect(limits.requestLineBytes == 8192)
        #expect(limits.headerBytes == 16384)
        #expect(limits.headerCount == 100)
        #expect(limits.bodyBytes == 1_048_576)
    }

    @Test func requestLineLimitIs414() throws {
        // "GET " + target + " HTTP/1.1" is exactly the limit: accepted; one more byte: 414.
        let fixed = "GET  HTTP/1.1".utf8.count
        let fits = "/" + String(repeating: "a", count: 8192 - fixed - 1)
        let request = try #require(single("GET \(fits) HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(request.target == fits)
        expectRejected("GET \(fits)b HTTP/1.1\r\nHost: a\r\n\r\n", .uriTooLong)
        // Without a line end the parser gives up as soon as the limit is passed.
        var parser = HTTPRequestParser()
        parser.append(bytes("GET /" + String(repeating: "a", count: 9000)))
        let error = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(error?.status == .uriTooLong)
    }

    @Test func headerBytesLimitIs431() throws {
        let limits = HTTPLimits(headerBytes: 64)
        // "Host: a\r\n" (9) + "X: " + 50 + "\r\n" (55) = 64 with the final CRLF = 66: over.
        let over = "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 50))\r\n\r\n"
        expectRejected(over, .requestHeaderFieldsTooLarge, limits: limits)
        let fits = "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 48))\r\n\r\n"
        #expect(single(fits, limits: limits) != nil)
        // Default limit, one huge header without an end.
        var parser = HTTPRequestParser()
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + String(repeating: "c", count: 17000)))
        let error = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(error?.status == .requestHeaderFieldsTooLarge)
        // Many small headers adding up past 16 KiB.
        let many = (0..<90).map { "X-\($0): \(String(repeating: "z", count: 200))\r\n" }.joined()
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n", .requestHeaderFieldsTooLarge)
    }

    @Test func headerCountLimitIs431() {
        let hundred = (1...99).map { "X-\($0): v\r\n" }.joined()
        #expect(single("GET / HTTP/1.1\r\nHost: a\r\n\(hundred)\r\n") != nil)
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\(hundred)X-100: v\r\n\r\n", .requestHeaderFieldsTooLarge)
    }

    @Test func contentLengthOverLimitIs413BeforeTheBodyArrives() {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1048577\r\n\r\n"))
        let error = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(error?.status == .contentTooLarge)
        let askForContinue = parser.shouldSendContinue()
        #expect(!askForContinue)
        let atLimit = HTTPLimits(bodyBytes: 4)
        #expect(single("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", limits: atLimit) != nil)
        expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde", .contentTooLarge, limits: atLimit)
    }

    @Test func chunkedTotalOverLimitIs413() {
        let limits = HTTPLimits(bodyBytes: 10)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(single(head + "5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n", limits: limits) != nil)
        expectRejected(head + "5\r\n12345\r\n6\r\n", .contentTooLarge, limits: limits)
        expectRejected(head + "b\r\n", .contentTooLarge, limits: limits)
        expectRejected(head + "ffffffffffffffffffffffff\r\n", .contentTooLarge)
    }

    @Test func trailersShareTheHeaderBudget() {
        let limits = HTTPLimits(headerBytes: 80, headerCount: 3)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(single(head + "T: 1\r\n\r\n", limits: limits) != nil)
        expectRejected(head + "T: 1\r\nU: 2\r\n\r\n", .requestHeaderFieldsTooLarge, limits: limits)
        expectRejected(head + "T: \(String(repeating: "x", count: 60))\r\n\r\n", .requestHeaderFieldsTooLarge,
                       limits: limits)
    }
}
