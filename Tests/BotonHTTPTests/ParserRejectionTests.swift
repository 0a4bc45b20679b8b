import BotonHTTP
import Testing

/// Malformed syntax and request-smuggling defences.
@Suite struct ParserRejectionTests {
    @Test func smugglingFramingIsRejected() {
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
        for input in cases { expectRejected(input, .badRequest) }
    }

    @Test func repeatedIdenticalContentLengthIsAccepted() throws {
        // RFC 9110 §8.6 allows a recipient to accept identical repeated values; so does h11.
        let request = try #require(single(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc"))
        #expect(request.body == bytes("abc"))
    }

    @Test func badContentLengthValues() throws {
        for value in ["-1", "abc", "1.5", "+3", "0x10", "", "3 3", "1,", ","] {
            expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\nabc", .badRequest)
        }
        for value in ["99999999999999999999999999", "9223372036854775808", "18446744073709551616"] {
            expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n", .contentTooLarge)
        }
        let leadingZeros = try #require(single("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc"))
        #expect(leadingZeros.body == bytes("abc"))
    }

    @Test func controlCharactersInValues() throws {
        for control in ["\u{0}", "\u{1}", "\u{8}", "\u{B}", "\u{C}", "\u{1F}", "\u{7F}", "\r"] {
            expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\(control)b\r\n\r\n", .badRequest)
        }
        let tabAndSpace = try #require(single("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb c\r\n\r\n"))
        #expect(tabAndSpace.header("X") == "a\tb c")
        // obs-text is kept: valid UTF-8 as text, other bytes as ISO-8859-1.
        let utf8 = try #require(single("GET / HTTP/1.1\r\nHost: a\r\nX: señal\r\n\r\n"))
        #expect(utf8.header("X") == "señal")
        let latin1 = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: se") + [0xF1] + bytes("al\r\n\r\n")
        #expect(parse(latin1).requests.first?.header("X") == "señal")
    }

    @Test func hostRules() {
        expectRejected("GET / HTTP/1.1\r\n\r\n", .badRequest)
        expectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badRequest)
        expectRejected("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .badRequest)
        #expect(single("GET / HTTP/1.0\r\n\r\n") != nil)
        #expect(single("GET / HTTP/1.1\r\nHost:\r\n\r\n") != nil)
    }

    @Test func versions() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"] {
            expectRejected("GET / \(version)\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
        }
        for version in ["HTTP/1.1 ", "http/1.1", "HTTP/1.10", "HTTP/1", "HTTP/a.b", "HTTP/1.1\t", ""] {
            expectRejected("GET / \(version)\r\nHost: a\r\n\r\n", .badRequest)
        }
    }

    @Test func requestLineSyntax() {
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
        for input in bad { expectRejected(input, .badRequest) }
    }

    @Test func targetRules() throws {
        let bad = ["/a%2Fb", "/a%2fb", "/%00", "/a%0A", "/../etc", "/a/./b", "/a/%2e%2E/b", "/a/..", "/%zz",
                   "/%C3", "/%FF", "/a#frag", "/x?q=%", "/x?q=%C3", "relative", "http:///nohost"]
        for target in bad { expectRejected("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest) }
        let dots = try #require(single("GET /a/...b/.c HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(dots.path == "/a/...b/.c")
        let slashes = try #require(single("GET //a// HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(slashes.path == "//a//")
    }

    @Test func headerNameSyntax() {
        for line in [": x", "X Y: z", "X\u{1}: y", "Xñ: y", "NoColon", "[x]: y"] {
            expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\(line)\r\n\r\n", .badRequest)
        }
    }
}
