import BotonHTTP
import Foundation
import Testing

@Suite struct ResponseTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func textSerialization() {
        let response = HTTPResponse.text("hola\n")
        #expect(text(response.serialize())
                    == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhola\n")
        #expect(text(response.serialize(closeConnection: true))
                    == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
                    + "Connection: close\r\n\r\nhola\n")
    }

    @Test func dateAndHeadOnly() {
        var response = HTTPResponse(status: .notFound, headers: ["X-A": "1", "Date": "stale"], body: bytes("nope"))
        response.headers.add(name: "X-A", value: "2")
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(text(response.serialize(headOnly: true, date: date))
                    == "HTTP/1.1 404 Not Found\r\nX-A: 1\r\nX-A: 2\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                    + "Content-Length: 4\r\n\r\n")
    }

    @Test func framingAndInvalidFieldsAreNotCopied() {
        let response = HTTPResponse(status: .ok, headers: [
            "Content-Length": "999", "transfer-encoding": "chunked", "Connection": "keep-alive",
            "X-Evil": "a\r\nSet-Cookie: x=1", "Bad Name": "v", "X-Ok": "señal",
        ], body: bytes("ab"))
        #expect(text(response.serialize()) == "HTTP/1.1 200 OK\r\nX-Ok: señal\r\nContent-Length: 2\r\n\r\nab")
    }

    @Test func noBodyStatuses() {
        #expect(text(HTTPResponse(status: .noContent, body: bytes("ignored")).serialize())
                    == "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(text(HTTPResponse(status: .notModified).serialize(closeConnection: true))
                    == "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n")
        #expect(text(HTTPResponse(status: 299).serialize()) == "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n")
    }

    @Test func serializeAnsweringRequest() throws {
        let response = HTTPResponse.text("x")
        let http11 = try HTTPRequest(method: .get, target: "/", headers: ["Host": "a"])
        #expect(text(response.serialize(answering: http11))
                    == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\nx")
        let closing = try HTTPRequest(method: .get, target: "/", headers: ["Host": "a", "Connection": "close"])
        #expect(text(response.serialize(answering: closing))
                    .hasSuffix("Content-Length: 1\r\nConnection: close\r\n\r\nx"))
        let old = try HTTPRequest(method: .get, target: "/", version: .http10, headers: ["Connection": "keep-alive"])
        #expect(text(response.serialize(answering: old)).hasSuffix("Connection: keep-alive\r\n\r\nx"))
        let oldClose = try HTTPRequest(method: .get, target: "/", version: .http10)
        #expect(text(response.serialize(answering: oldClose)).hasSuffix("Connection: close\r\n\r\nx"))
        let head = try HTTPRequest(method: .head, target: "/", headers: ["Host": "a"])
        #expect(text(response.serialize(answering: head)).hasSuffix("Content-Length: 1\r\n\r\n"))
        #expect(text(response.serialize(answering: http11, closeConnection: true)).contains("Connection: close"))
    }

    @Test func serializingIntoABufferAppendsTheSameBytes() throws {
        var response = HTTPResponse.text("hola", status: .created)
        response.headers.add(name: "X-Uno", value: "1")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        for request in [try HTTPRequest(method: .get, target: "/", headers: ["Host": "a"]),
                        try HTTPRequest(method: .head, target: "/", headers: ["Host": "a"]),
                        try HTTPRequest(method: .get, target: "/", version: .http10)] {
            for close in [false, true] {
                var buffer = Array("previo".utf8)
                response.serialize(answering: request, closeConnection: close,
                                   dateField: HTTPDate.string(from: date), into: &buffer)
                let expected = Array("previo".utf8)
                    + response.serialize(answering: request, closeConnection: close, date: date)
                #expect(buffer == expected)
            }
        }
        var empty: [UInt8] = []
        HTTPResponse(status: .noContent).serialize(answering: try HTTPRequest(method: .get, target: "/",
                                                                              headers: ["Host": "a"]),
                                                   dateField: nil, into: &empty)
        #expect(text(empty) == "HTTP/1.1 204 No Content\r\n\r\n")
        var large: [UInt8] = []
        HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 1_234_567))
            .serialize(answering: try HTTPRequest(method: .head, target: "/", headers: ["Host": "a"]),
                       dateField: nil, into: &large)
        #expect(text(large) == "HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\n")
    }

    @Test func htmlAndRedirect() {
        #expect(text(HTTPResponse.html("<p>hi</p>", status: .created).serialize())
                    == "HTTP/1.1 201 Created\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n\r\n"
                    + "<p>hi</p>")
        #expect(text(HTTPResponse.redirect(to: "/gracias?id=7").serialize())
                    == "HTTP/1.1 303 See Other\r\nLocation: /gracias?id=7\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func jsonHasSortedKeys() throws {
        struct Payload: Encodable {
            let zeta: Int
            let alfa: String
            let medio: [Bool]
        }
        let response = try HTTPResponse.json(Payload(zeta: 1, alfa: "a", medio: [true]), status: .accepted)
        #expect(response.status == .accepted)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(text(response.body) == #"{"alfa":"a","medio":[true],"zeta":1}"#)
    }

    @Test func reasonPhrases() {
        let expected: [HTTPStatus: String] = [
            .ok: "OK", .seeOther: "See Other", .badRequest: "Bad Request", .notFound: "Not Found",
            .methodNotAllowed: "Method Not Allowed", .contentTooLarge: "Content Too Large", .uriTooLong: "URI Too Long",
            .requestHeaderFieldsTooLarge: "Request Header Fields Too Large", .internalServerError: "Internal Server Error",
            .httpVersionNotSupported: "HTTP Version Not Supported", .continue: "Continue",
        ]
        for (status, phrase) in expected { #expect(status.reasonPhrase == phrase) }
    }

    @Test func parseErrorResponse() {
        let error = HTTPParseError(status: .uriTooLong, reason: "request line too long")
        #expect(text(error.response.serialize(closeConnection: true))
                    == "HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 22\r\n"
                    + "Connection: close\r\n\r\nrequest line too long\n")
    }
}
