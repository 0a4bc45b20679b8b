import BotonHTTP
import XCTest

final class ParserBasicTests: XCTestCase {
    func testSimpleGet() throws {
        let request = try XCTUnwrap(single("GET /hola/mundo?x=1&y=dos+tres HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        XCTAssertEqual(request.method, .get)
        XCTAssertEqual(request.target, "/hola/mundo?x=1&y=dos+tres")
        XCTAssertEqual(request.path, "/hola/mundo")
        XCTAssertEqual(request.rawPath, "/hola/mundo")
        XCTAssertEqual(request.queryItems, [FormField(name: "x", value: "1"), FormField(name: "y", value: "dos tres")])
        XCTAssertEqual(request.query("y"), "dos tres")
        XCTAssertEqual(request.version, .http11)
        XCTAssertEqual(request.header("host"), "example.ec")
        XCTAssertEqual(request.body, [])
        XCTAssertTrue(request.keepAlive)
        XCTAssertFalse(request.expectsContinue)
    }

    func testPostWithBody() throws {
        let request = try XCTUnwrap(single(
            "POST /api/v1/alertas HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                + "{\"ok\":true}"))
        XCTAssertEqual(request.method, .post)
        XCTAssertEqual(request.body, bytes("{\"ok\":true}"))
    }

    func testHeadersKeepOrderCaseAndRepeats() throws {
        let request = try XCTUnwrap(single(
            "GET / HTTP/1.1\r\nHost: a\r\nX-B: 1\r\nx-a:2\r\nX-B:   3  \r\nEmpty:\r\n\r\n"))
        XCTAssertEqual(request.headers.fields.map(\.name), ["Host", "X-B", "x-a", "X-B", "Empty"])
        XCTAssertEqual(request.headers.values(for: "x-b"), ["1", "3"])
        XCTAssertEqual(request.header("X-A"), "2")
        XCTAssertEqual(request.header("empty"), "")
        XCTAssertNil(request.header("missing"))
    }

    func testPercentDecodedPathAndQuery() throws {
        let request = try XCTUnwrap(single("GET /a%20b/%C3%B1and%C3%BA+x?q=%C3%B1+1&flag HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertEqual(request.path, "/a b/ñandú+x")
        XCTAssertEqual(request.rawPath, "/a%20b/%C3%B1and%C3%BA+x")
        XCTAssertEqual(request.queryItems, [FormField(name: "q", value: "ñ 1"), FormField(name: "flag", value: "")])
    }

    func testAbsoluteFormAndAsterisk() throws {
        let absolute = try XCTUnwrap(single("GET http://example.ec/x/y?z=1 HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        XCTAssertEqual(absolute.path, "/x/y")
        XCTAssertEqual(absolute.query("z"), "1")
        let bare = try XCTUnwrap(single("GET https://example.ec HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        XCTAssertEqual(bare.path, "/")
        let options = try XCTUnwrap(single("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertEqual(options.path, "*")
        assertRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest)
        assertRejected("CONNECT example.ec:443 HTTP/1.1\r\nHost: example.ec:443\r\n\r\n", .badRequest)
    }

    func testPipelinedRequestsComeOutInOrder() {
        let input = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n"
        let outcome = parse(input)
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.requests.map(\.path), ["/1", "/2", "/3", "/4"])
        XCTAssertEqual(outcome.requests.map(\.body), [[], bytes("abc"), bytes("de"), []])
    }

    func testNextReturnsOneRequestPerCallAndKeepsTheRest() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo"))
        XCTAssertEqual(try parser.next()?.path, "/1")
        XCTAssertTrue(parser.isInsideRequest)
        XCTAssertNil(try parser.next())
        parser.append(bytes("st: a\r\n\r\n"))
        XCTAssertEqual(try parser.next()?.path, "/2")
        XCTAssertNil(try parser.next())
        XCTAssertFalse(parser.isInsideRequest)
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testUnsafeRawBufferPointerAppend() throws {
        var parser = HTTPRequestParser()
        bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n").withUnsafeBytes { parser.append($0) }
        XCTAssertEqual(try parser.next()?.path, "/")
    }

    func testKeepAliveSemantics() throws {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try XCTUnwrap(single(input)).keepAlive, expected, input)
        }
    }

    func testExpectContinueIsSignalledOnceBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
        XCTAssertNil(try parser.next())
        XCTAssertTrue(parser.shouldSendContinue())
        XCTAssertFalse(parser.shouldSendContinue())
        parser.append(bytes("da"))
        XCTAssertNil(try parser.next())
        XCTAssertFalse(parser.shouldSendContinue())
        parser.append(bytes("ta"))
        let request = try XCTUnwrap(try parser.next())
        XCTAssertTrue(request.expectsContinue)
        XCTAssertEqual(request.body, bytes("data"))

        // HTTP/1.0 must ignore the expectation; a body-less request never needs it.
        var old = HTTPRequestParser()
        old.append(bytes("POST /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
        XCTAssertNil(try old.next())
        XCTAssertFalse(old.shouldSendContinue())
        XCTAssertEqual(try XCTUnwrap(single("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"))
            .expectsContinue, true)
    }

    func testParserIsDeadAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual(($0 as? HTTPParseError)?.status, .badRequest) }
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertThrowsError(try parser.next())
        XCTAssertEqual(parser.failure?.status, .badRequest)
        XCTAssertEqual(parser.failure?.response.status, .badRequest)
    }

    func testLeadingEmptyLinesAreIgnored() throws {
        XCTAssertEqual(try XCTUnwrap(single("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")).path, "/x")
    }

    func testRequestInitParsesTarget() throws {
        let request = try HTTPRequest(method: .get, target: "/a%2Cb?k=v")
        XCTAssertEqual(request.path, "/a,b")
        XCTAssertThrowsError(try HTTPRequest(method: .get, target: "/a%zz"))
    }
}
