import BotonHTTP
import Testing

@Suite struct ParserBasicTests {
    @Test func simpleGet() throws {
        let request = try #require(single("GET /hola/mundo?x=1&y=dos+tres HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        #expect(request.method == .get)
        #expect(request.target == "/hola/mundo?x=1&y=dos+tres")
        #expect(request.path == "/hola/mundo")
        #expect(request.rawPath == "/hola/mundo")
        #expect(request.queryItems == [FormField(name: "x", value: "1"), FormField(name: "y", value: "dos tres")])
        #expect(request.query("y") == "dos tres")
        #expect(request.version == .http11)
        #expect(request.header("host") == "example.ec")
        #expect(request.body == [])
        #expect(request.keepAlive)
        #expect(!request.expectsContinue)
    }

    @Test func postWithBody() throws {
        let request = try #require(single(
            "POST /api/v1/alertas HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                + "{\"ok\":true}"))
        #expect(request.method == .post)
        #expect(request.body == bytes("{\"ok\":true}"))
    }

    @Test func headersKeepOrderCaseAndRepeats() throws {
        let request = try #require(single(
            "GET / HTTP/1.1\r\nHost: a\r\nX-B: 1\r\nx-a:2\r\nX-B:   3  \r\nEmpty:\r\n\r\n"))
        #expect(request.headers.fields.map(\.name) == ["Host", "X-B", "x-a", "X-B", "Empty"])
        #expect(request.headers.values(for: "x-b") == ["1", "3"])
        #expect(request.header("X-A") == "2")
        #expect(request.header("empty") == "")
        #expect(request.header("missing") == nil)
    }

    @Test func percentDecodedPathAndQuery() throws {
        let request = try #require(single("GET /a%20b/%C3%B1and%C3%BA+x?q=%C3%B1+1&flag HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(request.path == "/a b/ñandú+x")
        #expect(request.rawPath == "/a%20b/%C3%B1and%C3%BA+x")
        #expect(request.queryItems == [FormField(name: "q", value: "ñ 1"), FormField(name: "flag", value: "")])
    }

    @Test func absoluteFormAndAsterisk() throws {
        let absolute = try #require(single("GET http://example.ec/x/y?z=1 HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        #expect(absolute.path == "/x/y")
        #expect(absolute.query("z") == "1")
        let bare = try #require(single("GET https://example.ec HTTP/1.1\r\nHost: example.ec\r\n\r\n"))
        #expect(bare.path == "/")
        let options = try #require(single("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(options.path == "*")
        expectRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest)
        expectRejected("CONNECT example.ec:443 HTTP/1.1\r\nHost: example.ec:443\r\n\r\n", .badRequest)
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let input = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n"
        let outcome = parse(input)
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.path) == ["/1", "/2", "/3", "/4"])
        #expect(outcome.requests.map(\.body) == [[], bytes("abc"), bytes("de"), []])
    }

    @Test func nextReturnsOneRequestPerCallAndKeepsTheRest() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo"))
        let first = try parser.next()
        #expect(first?.path == "/1")
        #expect(parser.isInsideRequest)
        let waiting = try parser.next()
        #expect(waiting == nil)
        parser.append(bytes("st: a\r\n\r\n"))
        let second = try parser.next()
        #expect(second?.path == "/2")
        let none = try parser.next()
        #expect(none == nil)
        #expect(!parser.isInsideRequest)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func unsafeRawBufferPointerAppend() throws {
        var parser = HTTPRequestParser()
        bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n").withUnsafeBytes { parser.append($0) }
        let request = try parser.next()
        #expect(request?.path == "/")
    }

    @Test func keepAliveSemantics() throws {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
        ]
        for (input, expected) in cases {
            let request = try #require(single(input))
            #expect(request.keepAlive == expected, "\(input)")
        }
    }

    @Test func expectContinueIsSignalledOnceBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
        let beforeBody = try parser.next()
        #expect(beforeBody == nil)
        let firstAsk = parser.shouldSendContinue()
        #expect(firstAsk)
        let secondAsk = parser.shouldSendContinue()
        #expect(!secondAsk)
        parser.append(bytes("da"))
        let halfBody = try parser.next()
        #expect(halfBody == nil)
        let askMidBody = parser.shouldSendContinue()
        #expect(!askMidBody)
        parser.append(bytes("ta"))
        let request = try #require(try parser.next())
        #expect(request.expectsContinue)
        #expect(request.body == bytes("data"))

        // HTTP/1.0 must ignore the expectation; a body-less request never needs it.
        var old = HTTPRequestParser()
        old.append(bytes("POST /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
        let oldBeforeBody = try old.next()
        #expect(oldBeforeBody == nil)
        let oldAsk = old.shouldSendContinue()
        #expect(!oldAsk)
        let bodiless = try #require(single("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"))
        #expect(bodiless.expectsContinue)
    }

    @Test func parserIsDeadAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"))
        let error = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(error?.status == .badRequest)
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(throws: (any Error).self) { try parser.next() }
        #expect(parser.failure?.status == .badRequest)
        #expect(parser.failure?.response.status == .badRequest)
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        let request = try #require(single("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(request.path == "/x")
    }

    @Test func requestInitParsesTarget() throws {
        let request = try HTTPRequest(method: .get, target: "/a%2Cb?k=v")
        #expect(request.path == "/a,b")
        #expect(throws: (any Error).self) { try HTTPRequest(method: .get, target: "/a%zz") }
    }
}
