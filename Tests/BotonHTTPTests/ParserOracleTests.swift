import BotonHTTP
import Testing

/// Compares our parser with h11 on generated requests. See `RequestGenerator.Kind` for the rules.
@Suite struct ParserOracleTests {
    /// Our parser's verdict on a complete input given in one piece.
    enum Ours: Equatable {
        case accept(HTTPRequest)
        case reject(HTTPParseError)
        case incomplete
    }

    static func ours(_ input: [UInt8]) -> Ours {
        var parser = HTTPRequestParser()
        parser.append(input)
        do {
            return try parser.next().map(Ours.accept) ?? .incomplete
        } catch {
            return .reject(error)
        }
    }

    @Test func agreesWithH11() throws {
        var generator = RequestGenerator(seed: 0xB07_0_5E6)
        let cases = (0..<4000).map { _ in generator.nextCase() }
        let verdicts: [H11Oracle.Verdict]
        do {
            verdicts = try H11Oracle.judge(cases.map(\.bytes))
        } catch {
            Issue.record("h11 oracle unavailable: \(error)")
            return
        }
        #expect(verdicts.count == cases.count)

        var problems: [String] = []
        var tally: [String: Int] = [:]
        var stricterLabelsSeen: Set<String> = []
        for (testCase, theirs) in zip(cases, verdicts) {
            let ours = Self.ours(testCase.bytes)
            let input = String(decoding: testCase.bytes.prefix(200), as: UTF8.self).debugDescription
            func problem(_ text: String) {
                problems.append("[\(testCase.label)] \(text): ours \(Self.describe(ours)), h11 \(theirs.verdict) "
                    + "\(theirs.error ?? "") for \(input)")
            }
            tally["\(testCase.kind.rawValue)/\(theirs.verdict)", default: 0] += 1
            // Whenever both accept, they must agree on what was received.
            if case .accept(let request) = ours, theirs.verdict == "accept" {
                if H11Oracle.hex(Array(request.method.rawValue.utf8)) != theirs.method
                    || H11Oracle.hex(Array(request.target.utf8)) != theirs.target
                    || H11Oracle.hex(request.body) != theirs.body {
                    problem("method, target or body differ")
                }
            }
            switch testCase.kind {
            case .valid:
                guard case .accept = ours, theirs.verdict == "accept" else { problem("valid request"); continue }
            case .truncated:
                guard ours == .incomplete, theirs.verdict == "incomplete" else { problem("truncated"); continue }
            case .bothReject:
                guard case .reject = ours, theirs.verdict == "reject" else { problem("both must reject"); continue }
            case .stricter:
                // Deliberate: we reject what h11 tolerates. Asserting that h11 accepts documents the difference.
                guard case .reject = ours, theirs.verdict == "accept" else { problem("deliberate difference"); continue }
                stricterLabelsSeen.insert(testCase.label)
            case .mutated:
                switch ours {
                case .accept: if theirs.verdict != "accept" { problem("we accept what h11 does not") }
                case .incomplete: if theirs.verdict == "accept" { problem("we wait where h11 accepts") }
                case .reject: break
                }
            }
        }
        print("h11 oracle tally (kind/h11 verdict):", tally.sorted { $0.key < $1.key })
        #expect(problems.isEmpty, "\(problems.count) disagreements:\n\(problems.prefix(15).joined(separator: "\n"))")
        // Not vacuous: each kind occurred often enough, and every deliberate difference was exercised.
        #expect(tally["valid/accept", default: 0] > 1000)
        #expect(tally["bothReject/reject", default: 0] > 700)
        #expect(tally["truncated/incomplete", default: 0] > 250)
        #expect(tally["mutated/accept", default: 0] > 50)
        #expect(stricterLabelsSeen.count == 10, "stricter labels seen: \(stricterLabelsSeen.sorted())")
    }

    static func describe(_ ours: Ours) -> String {
        switch ours {
        case .accept: "accept"
        case .incomplete: "incomplete"
        case .reject(let error): "reject(\(error))"
        }
    }
}
