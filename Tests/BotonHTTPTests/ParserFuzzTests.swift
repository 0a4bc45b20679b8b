import BotonTestSupport
import BotonHTTP
import Testing

/// 50,000 random and mutated inputs with a fixed seed: the parser must never crash, never return a body
/// over the limit, and behave the same whether bytes arrive at once or in random pieces.
@Suite struct ParserFuzzTests {
    @Test func randomAndMutatedInputs() {
        var generator = RequestGenerator(seed: 0xF022)
        var random = SplitMix64(seed: 0x5EED)
        let tight = HTTPLimits(requestLineBytes: 40, headerBytes: 120, headerCount: 4, bodyBytes: 64)
        var statuses: [Int: Int] = [:]
        var accepted = 0
        for iteration in 0..<50_000 {
            let input: [UInt8]
            switch random.int(0...9) {
            case 0:
                input = (0..<random.int(0...200)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1...3:
                // A pipeline of two to four cases, then mutated.
                let joined = (0..<random.int(2...4)).flatMap { _ in generator.nextCase().bytes }
                input = generator.mutate(joined)
            default:
                let base = generator.nextCase().bytes
                input = random.chance(0.5) ? generator.mutate(generator.mutate(base)) : base
            }
            let limits = iteration % 2 == 0 ? HTTPLimits.standard : tight
            let whole = parse(input, limits: limits)
            var pieces: [[UInt8]] = []
            var offset = 0
            while offset < input.count {
                let size = random.int(1...max(1, min(17, input.count - offset)))
                pieces.append(Array(input[offset..<(offset + size)]))
                offset += size
            }
            let split = parse(pieces: pieces, limits: limits)
            #expect(split.requests == whole.requests, "iteration \(iteration)")
            #expect(split.error?.status == whole.error?.status, "iteration \(iteration)")
            for request in whole.requests {
                #expect(request.body.count <= limits.bodyBytes, "iteration \(iteration)")
                #expect(request.headers.count <= limits.headerCount, "iteration \(iteration)")
            }
            accepted += whole.requests.count
            if let error = whole.error { statuses[error.status.code, default: 0] += 1 }
        }
        print("fuzz: \(accepted) requests accepted, errors by status: \(statuses.sorted { $0.key < $1.key })")
        // The corpus reaches every error status and plenty of successes.
        #expect(Set(statuses.keys) == [400, 413, 414, 431, 505])
        #expect(accepted > 5_000)
    }
}
