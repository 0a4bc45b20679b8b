import BotonHTTP
import XCTest

/// Malformed syntax and request-smuggling defences.
final class ParserRejectionTests: XCTestCase {
    func testSmugglingFramingIsRejected() {
        let cases = [
            // Content-Length with Transfer-Encoding (RFC 9112 §6.1 lets us reject; we always do).
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            // Two different lengths, in two fields or in one list.
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 03\r\n\r\nabc",
            // Transfer codings other than exactly `chunked`.
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            // Transfer-Encoding in HTTP/1.0.
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            // Whitespace before the colon, obs-fold.
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 1\r\n\r\nx",
            "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n",
            "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
        ]
        for input in cases { assertRejected(input, .badRequest) }
    }

    func testRepeatedIdenticalContentLengthIsAccepted() throws {
        // RFC 9110 §8.6 allows a recipient to accept identical repeated values; so does h11.
        let request = try XCTUnwrap(single(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc"))
        XCTAssertEqual(request.body, bytes("abc"))
    }

    func testBadContentLengthValues() {
        for value in ["-1", "abc", "1.5", "+3", "0x10", "", "3 3", "1,", ","] {
            assertRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\nabc", .badRequest)
        }
        for value in ["99999999999999999999999999", "9223372036854775808", "18446744073709551616"] {
            assertRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n", .contentTooLarge)
        }
        XCTAssertEqual(try XCTUnwrap(single("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc")).body,
                       bytes("abc"))
    }

    func testControlCharactersInValues() {
        for control in ["\u{0}", "\u{1}", "\u{8}", "\u{B}", "\u{C}", "\u{1F}", "\u{7F}", "\r"] {
            assertRejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\(control)b\r\n\r\n", .badRequest)
        }
        XCTAssertEqual(try XCTUnwrap(single("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb c\r\n\r\n")).header("X"), "a\tb c")
        // obs-text is kept: valid UTF-8 as text, other bytes as ISO-8859-1.
        XCTAssertEqual(try XCTUnwrap(single("GET / HTTP/1.1\r\nHost: a\r\nX: señal\r\n\r\n")).header("X"), "señal")
        let latin1 = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: se") + [0xF1] + bytes("al\r\n\r\n")
        XCTAssertEqual(parse(latin1).requests.first?.header("X"), "señal")
    }

    func testHostRules() {
        assertRejected("GET / HTTP/1.1\r\n\r\n", .badRequest)
        assertRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badRequest)
        assertRejected("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .badRequest)
        XCTAssertNotNil(single("GET / HTTP/1.0\r\n\r\n"))
        XCTAssertNotNil(single("GET / HTTP/1.1\r\nHost:\r\n\r\n"))
    }

    func testVersions() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"] {
            assertRejected("GET / \(version)\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
        }
        for version in ["HTTP/1.1 ", "http/1.1", "HTTP/1.10", "HTTP/1", "HTTP/a.b", "HTTP/1.1\t", ""] {
            assertRejected("GET / \(version)\r\nHost: a\r\n\r\n", .badRequest)
        }
    }

    func testRequestLineSyntax() {
        let bad = [
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /ñ HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\n\n",
            "GET / HTTP/1.1\r\nHost: a\n\r\n",
            "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
            "\u{16}\u{3}\u{1}",
        ]
        for input in bad { assertRejected(input, .badRequest) }
    }

    func testTargetRules() {
        let bad = ["/a%2Fb", "/a%2fb", "/%00", "/a%0A", "/../etc", "/a/./b", "/a/%2e%2E/b", "/a/..", "/%zz",
                   "/%C3", "/%FF", "/a#frag", "/x?q=%", "/x?q=%C3", "relative", "http:///nohost"]
        for target in bad { assertRejected("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest) }
        XCTAssertEqual(try XCTUnwrap(single("GET /a/...b/.c HTTP/1.1\r\nHost: a\r\n\r\n")).path, "/a/...b/.c")
        XCTAssertEqual(try XCTUnwrap(single("GET //a// HTTP/1.1\r\nHost: a\r\n\r\n")).path, "//a//")
    }

    func testHeaderNameSyntax() {
        for line in [": x", "X Y: z", "X\u{1}: y", "Xñ: y", "NoColon", "[x]: y"] {
            assertRejected("GET / HTTP/1.1\r\nHost: a\r\n\(line)\r\n\r\n", .badRequest)
        }
    }
}
