import BotonHTTP
import Testing

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

/// The one request `input` holds; records an issue otherwise.
func single(_ input: String, limits: HTTPLimits = .standard,
            sourceLocation: SourceLocation = #_sourceLocation) -> HTTPRequest? {
    let outcome = parse(input, limits: limits)
    #expect(outcome.error == nil, "unexpected error", sourceLocation: sourceLocation)
    #expect(outcome.requests.count == 1, "request count", sourceLocation: sourceLocation)
    return outcome.requests.first
}

/// Expects that `input` (complete) is rejected with `status`.
func expectRejected(_ input: String, _ status: HTTPStatus, limits: HTTPLimits = .standard,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    expectRejected(bytes(input), status, limits: limits, sourceLocation: sourceLocation)
}

func expectRejected(_ input: [UInt8], _ status: HTTPStatus, limits: HTTPLimits = .standard,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let outcome = parse(input, limits: limits)
    #expect(outcome.error?.status == status,
            """
            expected \(status.code) for \(String(decoding: input.prefix(120), as: UTF8.self).debugDescription), \
            got \(outcome.error.map(\.description) ?? "no error") after \(outcome.requests.count) request(s)
            """,
            sourceLocation: sourceLocation)
    #expect(outcome.requests.isEmpty, "no request before the error", sourceLocation: sourceLocation)
}
