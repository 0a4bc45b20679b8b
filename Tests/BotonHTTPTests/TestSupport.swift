import BotonHTTP
import XCTest

/// The UTF-8 bytes of `text` (test requests are written with explicit `\r\n`).
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// What a parser produced from some input: the complete requests, then either an error or nothing.
struct ParseOutcome: Equatable {
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?
}

/// Appends `input` in the given pieces, draining `next()` after each, like a server loop.
func parse(pieces: [[UInt8]], limits: HTTPLimits = .standard) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    var outcome = ParseOutcome()
    for piece in pieces {
        parser.append(piece)
        do {
            while let request = try parser.next() { outcome.requests.append(request) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

func parse(_ input: [UInt8], limits: HTTPLimits = .standard) -> ParseOutcome {
    parse(pieces: [input], limits: limits)
}

func parse(_ input: String, limits: HTTPLimits = .standard) -> ParseOutcome { parse(bytes(input), limits: limits) }

/// The one request `input` holds; fails the test otherwise.
func single(_ input: String, limits: HTTPLimits = .standard, file: StaticString = #filePath,
            line: UInt = #line) -> HTTPRequest? {
    let outcome = parse(input, limits: limits)
    XCTAssertNil(outcome.error, "unexpected error", file: file, line: line)
    XCTAssertEqual(outcome.requests.count, 1, "request count", file: file, line: line)
    return outcome.requests.first
}

/// Asserts that `input` (complete) is rejected with `status`.
func assertRejected(_ input: String, _ status: HTTPStatus, limits: HTTPLimits = .standard,
                    file: StaticString = #filePath, line: UInt = #line) {
    assertRejected(bytes(input), status, limits: limits, file: file, line: line)
}

func assertRejected(_ input: [UInt8], _ status: HTTPStatus, limits: HTTPLimits = .standard,
                    file: StaticString = #filePath, line: UInt = #line) {
    let outcome = parse(input, limits: limits)
    XCTAssertEqual(outcome.error?.status, status,
                   "expected \(status.code) for \(String(decoding: input.prefix(120), as: UTF8.self).debugDescription), "
                   + "got \(outcome.error.map(\.description) ?? "no error") after \(outcome.requests.count) request(s)",
                   file: file, line: line)
    XCTAssertTrue(outcome.requests.isEmpty, "no request before the error", file: file, line: line)
}


