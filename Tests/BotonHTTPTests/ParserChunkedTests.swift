import BotonHTTP
import Testing

@Suite struct ParserChunkedTests {
    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let request = try #require(single(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;ext=1;quoted=\"a b\"\r\nWiki\r\n"
                + "5 \r\npedia\r\n"
                + "E\r\n in\r\n\r\nchunks.\r\n"
                + "000\r\nExpires: never\r\nX-Trailer: yes\r\n\r\n"))
        #expect(request.body == bytes("Wikipedia in\r\n\r\nchunks."))
        #expect(request.header("Expires") == nil, "trailers are discarded")
        #expect(request.header("Transfer-Encoding") == "chunked")
    }

    @Test func transferEncodingCaseAndBlanksAreAccepted() throws {
        // Decision: transfer-coding names are case-insensitive (RFC 9112 §7), and OWS around a field value
        // is never part of it, so " Chunked " is exactly `chunked`.
        let request = try #require(single(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  Chunked \t\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
        #expect(request.body == bytes("x"))
        let upper = try #require(single(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"))
        #expect(upper.body == [])
    }

    @Test func emptyChunkedBody() throws {
        let request = try #require(single(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
        #expect(request.body == [])
    }

    @Test func malformedChunks() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let bad = [
            "zz\r\nhi\r\n0\r\n\r\n",            // not hex
            "\r\n",                               // empty size
            " 2\r\nhi\r\n0\r\n\r\n",             // leading blank
            "0x2\r\nhi\r\n0\r\n\r\n",            // 0x prefix
            "-2\r\nhi\r\n0\r\n\r\n",             // sign
            "2\r\nhiX\r\n0\r\n\r\n",             // data longer than the size
            "2\r\nhi\n0\r\n\r\n",                // LF without CR after data
            "2\nhi\r\n0\r\n\r\n",                // bare LF after size
            "2;a\u{1}b\r\nhi\r\n0\r\n\r\n",      // control character in extension
            "2 x\r\nhi\r\n0\r\n\r\n",            // junk after size
            "0\r\nBad Trailer: x\r\n\r\n",       // invalid trailer
            "0\r\n folded\r\n\r\n",              // obs-fold in trailers
        ]
        for chunks in bad { expectRejected(head + chunks, .badRequest) }
    }
}
