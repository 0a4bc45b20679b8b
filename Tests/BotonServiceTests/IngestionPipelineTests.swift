import Foundation
import Testing
import BotonCore
import BotonRepository
import BotonStore
import BotonNet
import BotonWire
@testable import BotonIngestion
@testable import BotonRuntime

/// The ingestion pipeline in process: real frames submitted as a listener submits them, answered by callback, on
/// the writer's own connection (``ConnectionRole/ingestionWriter``) to a real SQLite file. Each answer is waited for
/// on what the writer signals, with a deadline only as a guard against a hung writer.
@Suite struct IngestionPipelineTests {
    typealias F = EnrollmentFixture

    static func pipeline(_ f: F) throws -> IngestionPipeline {
        IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider, routing: F.routing,
                          configuration: Configuration(), logger: F.quiet)
    }

    /// Where one frame's answer arrives.
    final class Reply: Sendable {
        let recorder = Recorder<[UInt8]>()
        var route: ReplyRoute { .callback { [recorder] reply in recorder.append(reply.bytes) } }

        /// The answer's bytes, once the writer sent them.
        func wait() throws -> [UInt8] {
            guard recorder.wait(until: { !$0.isEmpty }) else { throw FixtureError("no answer within 30 s") }
            return recorder.all[0]
        }
    }

    /// Submits `frame` as received now (the writer's clock is the system's: the frame's clock must be near it).
    @discardableResult
    static func submit(_ pipeline: IngestionPipeline, _ frame: [UInt8], _ reply: Reply = Reply()) -> Submission {
        frame.withUnsafeBytes { pipeline.submit($0, receivedAt: SystemClock.now(), route: reply.route) }
    }

    /// Submits `frame`, waits for its answer and reads it with the device's key.
    static func answer(_ pipeline: IngestionPipeline, _ frame: [UInt8], key: [UInt8]) throws -> ServerReply {
        let reply = Reply()
        guard case .queued = submit(pipeline, frame, reply) else { throw FixtureError("the frame was not queued") }
        return try ServerReply.decode(try reply.wait(), key: key)
    }

    static func acknowledgement(_ reply: ServerReply) throws -> Acknowledgement {
        guard case .acknowledgement(let ack) = reply else { throw FixtureError("not an acknowledgement: \(reply)") }
        return ack
    }

    @Test func anAcceptedFrameIsStoredAndItsRetransmissionAnsweredWithTheSameIncident() throws {
        let f = try F()
        let a = F.places.a
        let device = try f.device(at: a)
        let pipeline = try Self.pipeline(f)
        pipeline.start()
        defer { pipeline.drain() }

        let frame = try F.frame(device, sequence: 1, at: SystemClock.now())
        let first = try Self.acknowledgement(try Self.answer(pipeline, frame, key: device.secret))
        #expect(first.status == .aceptada && first.sequence == 1 && first.incidentID > 0)
        #expect(first.upcCode?.text == a.upc)
        // Answered after the commit: the alert is there, for another connection to read.
        let stored = try #require(try f.store.incident(id: Int64(first.incidentID)))
        #expect(stored.lineE164 == device.line && stored.state == .recibida && stored.upcCode == a.upc)
        #expect(stored.deviceID == device.id && !stored.isTest && stored.locationSource == "domicilio")

        // The same frame again (the phone did not hear the answer): the first answer, nothing new stored.
        let again = try Self.acknowledgement(try Self.answer(pipeline, frame, key: device.secret))
        #expect(again.status == .duplicada && again.incidentID == first.incidentID && again.sequence == 1)
        #expect(try f.count("incident") == 1)
        pipeline.drain()  // the counters are written after the answers are sent: read them once the writer stopped
        #expect(pipeline.status.accepted == 1 && pipeline.status.duplicates == 1)
    }

    /// A batch that cannot finish its transaction (here another connection holds the write lock; on PostgreSQL it is
    /// usually a primary waiting for a synchronous standby that is gone) is reported while it waits: nothing can be
    /// acknowledged meanwhile, and `/salud` must not look healthy. Once the lock is free the alert is acknowledged
    /// and the report goes.
    @Test func aTransactionThatDoesNotEndIsReportedUntilItDoes() throws {
        let f = try F()
        let device = try f.device(at: F.places.a)
        var configuration = Configuration()
        configuration.ingest.stalledCommitMilliseconds = 100
        let pipeline = IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider,
                                         routing: F.routing, configuration: configuration, logger: F.quiet)
        pipeline.start()
        defer { pipeline.drain() }
        // A frame already known to the listeners' cache, so that it is queued without reading the store.
        _ = try Self.answer(pipeline, try F.frame(device, sequence: 1, at: SystemClock.now()), key: device.secret)
        #expect(pipeline.status.stalledCommitMilliseconds == nil)

        let reply = Reply()
        var seen: IngestionStatus?
        try f.store.inTransaction { () throws(StoreError) in
            _ = try f.store.incident(id: 0)  // the write lock is held from here (PostgreSQL: its BEGIN is sent now)
            guard let frame = try? F.frame(device, sequence: 2, at: SystemClock.now()),
                  case .queued = Self.submit(pipeline, frame, reply) else {
                Issue.record("the frame was not queued")
                return
            }
            // Polled, with a deadline: the report is what is under test, and nothing signals it.
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let status = pipeline.status
                if status.stalledCommitMilliseconds != nil { seen = status; break }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        let stalled = try #require(seen, "no stall reported while the writer waited")
        #expect(stalled.stalledCommitMilliseconds! >= 100)
        #expect(stalled.storageFailure?.contains("ninguna alerta se confirma") == true)
        // The lock is free: the batch commits, its alert is acknowledged, the report goes.
        let ack = try Self.acknowledgement(try ServerReply.decode(try reply.wait(), key: device.secret))
        #expect(ack.status == .aceptada)
        #expect(pipeline.status.stalledCommitMilliseconds == nil && pipeline.status.storageFailure == nil)
    }

    /// Answered where it arrives, never queued: a frame that does not authenticate costs the writer nothing.
    static func immediateAnswer(_ pipeline: IngestionPipeline, _ frame: [UInt8], key: [UInt8],
                                source: SourceKey? = nil) throws -> ServerReply {
        let reply = Reply()
        let submission = frame.withUnsafeBytes {
            pipeline.submit($0, receivedAt: SystemClock.now(), route: reply.route, source: source)
        }
        guard case .answered(let bytes) = submission else { throw FixtureError("not answered at once: \(submission)") }
        return try ServerReply.decode(bytes.bytes, key: key)
    }

    @Test func aFrameWithTheWrongKeyIsRejectedAsClaveAndAnUnknownSenderAsDesconocidoBeforeTheQueue() throws {
        let f = try F()
        let device = try f.device(at: F.places.a)
        let pipeline = try Self.pipeline(f)
        // The writer is not started: whatever reached the queue would stay there.

        let forged = try F.frame(device, sequence: 1, at: SystemClock.now(), secret: [UInt8](repeating: 9, count: 32))
        // Answered with the device's own key, so the phone can trust the refusal.
        let refused = try Self.acknowledgement(try Self.immediateAnswer(pipeline, forged, key: device.secret))
        #expect(refused.status == .rechazada && refused.reason == .clave && refused.incidentID == 0)

        let stranger = F.Device(id: String(repeating: "ab", count: 16), secret: [UInt8](repeating: 1, count: 32),
                                line: "+593990000000")
        for sequence in 1 ... 3 {
            let unknown = try Self.immediateAnswer(pipeline, try F.frame(stranger, sequence: UInt64(sequence),
                                                                         at: SystemClock.now()), key: stranger.secret)
            #expect(unknown == .shortRejection(ShortRejection(reason: .desconocido)))
        }
        #expect(pipeline.queueDepth == 0)
        // One read per sender: the unknown id is remembered as unknown, the device's key as known.
        #expect(pipeline.status.credentialReads == 2)
        #expect(pipeline.status.rejected == ["clave": 1, "desconocido": 3])

        // The genuine frame of the same device passes the gate, and the writer answers it after its commit.
        pipeline.start()
        defer { pipeline.drain() }
        let ack = try Self.acknowledgement(try Self.answer(
            pipeline, try F.frame(device, sequence: 2, at: SystemClock.now()), key: device.secret))
        #expect(ack.status == .aceptada)
        #expect(try f.count("incident") == 1)
    }

    @Test func aRevokedDeviceIsToldItWasGivenDeBajaWithItsOwnKeyBeforeTheQueue() throws {
        let f = try F()
        let device = try f.device(at: F.places.a)
        try f.store.revokeDevice(id: device.id, at: f.now())
        let pipeline = try Self.pipeline(f)
        // The writer is not started: whatever reached the queue would stay there.

        // Its genuine frame: rechazada / dada_de_baja, signed with the device's key (not an advisory short rejection).
        let frame = try F.frame(device, sequence: 1, at: SystemClock.now())
        let refused = try Self.acknowledgement(try Self.immediateAnswer(pipeline, frame, key: device.secret))
        #expect(refused.status == .rechazada && refused.reason == .dadaDeBaja && refused.sequence == 1)
        #expect(refused.incidentID == 0)
        // A frame with another key learns nothing more than any forged frame does.
        let forged = try F.frame(device, sequence: 2, at: SystemClock.now(), secret: [UInt8](repeating: 9, count: 32))
        let wrongKey = try Self.acknowledgement(try Self.immediateAnswer(pipeline, forged, key: device.secret))
        #expect(wrongKey.status == .rechazada && wrongKey.reason == .clave)
        #expect(pipeline.queueDepth == 0)
        #expect(pipeline.status.rejected == ["clave": 1, "dada_de_baja": 1])
        #expect(try f.count("incident") == 0)
    }

    @Test func uncachedSendersCostAtMostTheReadBudgetOfTheirAddress() throws {
        let f = try F()
        var configuration = Configuration()
        configuration.ingest.lookupsPerAddressPerSecond = 5  // a burst of 10, then 5 a second
        let pipeline = IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider,
                                         routing: F.routing, configuration: configuration, logger: F.quiet)
        let flooder = SourceKey(host: "192.0.2.7")
        var answers: [String: Int] = [:]
        for n in 0 ..< 200 {
            let stranger = F.Device(id: String(format: "%032x", n + 1), secret: [UInt8](repeating: 1, count: 32),
                                    line: "+593990000000")
            let submission = try F.frame(stranger, sequence: 1, at: SystemClock.now()).withUnsafeBytes {
                pipeline.submit($0, receivedAt: SystemClock.now(), route: Reply().route, source: flooder)
            }
            guard case .answered(let bytes) = submission else { Issue.record("not answered at once"); continue }
            // *desconocido* is a short rejection; *ocupado-reintente* an unauthenticated acknowledgement.
            if let rejection = try? bytes.withBytes({ try ShortRejection.decode($0) }) {
                answers[rejection.reason.rawValue, default: 0] += 1
            } else {
                answers[try bytes.withBytes { try Acknowledgement.decodeOwnAnswer($0) }.status.rawValue, default: 0] += 1
            }
        }
        // A handful of reads (the burst, plus what refilled while the loop ran); the rest told to retry, unread.
        let reads = pipeline.status.credentialReads
        #expect(reads >= 10 && reads < 200)
        #expect(answers["desconocido"] == reads && answers["ocupado_reintente"] == 200 - reads)
        #expect(pipeline.status.overReadBudget == 200 - reads)

        // Another address still gets its senders read.
        let device = try f.device(at: F.places.a)
        let other = try Self.immediateAnswer(
            pipeline, try F.frame(device, sequence: 1, at: SystemClock.now(), secret: [UInt8](repeating: 9, count: 32)),
            key: device.secret, source: SourceKey(host: "198.51.100.1"))
        #expect(try Self.acknowledgement(other).reason == .clave)
    }

    @Test func oneAddressHoldsAtMostItsShareOfTheQueue() throws {
        let f = try F()
        var configuration = Configuration()
        configuration.ingest.queueSharePerAddress = 3
        let pipeline = IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider,
                                         routing: F.routing, configuration: configuration, logger: F.quiet)
        let device = try f.device(at: F.places.a), other = try f.device(phone: "099 222 3333", at: F.places.a2)
        let busy = SourceKey(host: "192.0.2.7")
        // Writer not started: the queue only fills.
        var outcomes: [Submission] = []
        for sequence in 1 ... 5 {
            let frame = try F.frame(device, sequence: UInt64(sequence), at: SystemClock.now())
            outcomes.append(frame.withUnsafeBytes {
                pipeline.submit($0, receivedAt: SystemClock.now(), route: Reply().route, source: busy)
            })
        }
        #expect(outcomes.prefix(3).allSatisfy { if case .queued = $0 { true } else { false } })
        for outcome in outcomes.suffix(2) {
            guard case .answered(let bytes) = outcome else { Issue.record("not refused: \(outcome)"); continue }
            #expect(try bytes.withBytes { try Acknowledgement.decodeOwnAnswer($0) }.status == .ocupadoReintente)
        }
        let elsewhere = try F.frame(other, sequence: 1, at: SystemClock.now()).withUnsafeBytes {
            pipeline.submit($0, receivedAt: SystemClock.now(), route: Reply().route,
                            source: SourceKey(host: "198.51.100.1"))
        }
        guard case .queued = elsewhere else { Issue.record("another address was refused: \(elsewhere)"); return }
        #expect(pipeline.queueDepth == 4)
    }

    @Test func anAddressForgingAKnownIdStopsCostingMACChecksAndTheDeviceGoesOnElsewhere() throws {
        let f = try F()
        var configuration = Configuration()
        configuration.ingest.forgeriesPerAddressPerSecond = 5  // a burst of 10
        configuration.ingest.answersPerAddressPerSecond = 1_000
        let pipeline = IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider,
                                         routing: F.routing, configuration: configuration, logger: F.quiet)
        let device = try f.device(at: F.places.a)
        let attacker = try SocketAddress(host: "192.0.2.66", port: 5000)
        var clave = 0, silent = 0
        for sequence in 1 ... 200 {
            let forged = try F.frame(device, sequence: UInt64(sequence), at: SystemClock.now(),
                                     secret: [UInt8](repeating: 9, count: 32))
            switch forged.withUnsafeBytes({ pipeline.submit($0, receivedAt: SystemClock.now(),
                                                            route: .datagram(attacker), source: SourceKey(attacker)) }) {
            case .answered: clave += 1
            case .silent: silent += 1
            default: Issue.record("a forged frame was queued")
            }
        }
        // The burst was checked and refused; the rest dropped unchecked.
        #expect(clave >= 10 && clave < 200 && clave + silent == 200)
        #expect(pipeline.status.unverified == silent && pipeline.status.rejected["clave"] == clave)
        // The device itself, from its own address, is checked and queued as ever.
        let genuine = try F.frame(device, sequence: 201, at: SystemClock.now()).withUnsafeBytes {
            pipeline.submit($0, receivedAt: SystemClock.now(), route: Reply().route,
                            source: SourceKey(host: "198.51.100.2"))
        }
        guard case .queued = genuine else { Issue.record("the genuine frame was not queued: \(genuine)"); return }
    }

    @Test func datagramAnswersToOneAddressStopAtItsBudget() throws {
        let f = try F()
        var configuration = Configuration()
        configuration.ingest.answersPerAddressPerSecond = 4  // a burst of 8
        let pipeline = IngestionPipeline(store: try f.provider.open(.ingestionWriter), readers: f.provider,
                                         routing: F.routing, configuration: configuration, logger: F.quiet)
        let victim = try SocketAddress(host: "192.0.2.9", port: 4000)
        let stranger = F.Device(id: String(repeating: "cd", count: 16), secret: [UInt8](repeating: 1, count: 32),
                                line: "+593990000000")
        var answered = 0, silent = 0
        for sequence in 1 ... 100 {
            let frame = try F.frame(stranger, sequence: UInt64(sequence), at: SystemClock.now())
            switch frame.withUnsafeBytes({ pipeline.submit($0, receivedAt: SystemClock.now(),
                                                           route: .datagram(victim), source: SourceKey(victim)) }) {
            case .answered: answered += 1
            case .silent: silent += 1
            default: Issue.record("neither answered nor silent")
            }
        }
        #expect(answered >= 8 && answered < 100 && answered + silent == 100)
        #expect(pipeline.status.unanswered == silent)
    }

    @Test func aMalformedFrameIsAnsweredAtOnceWithoutBeingQueued() throws {
        let f = try F()
        let device = try f.device(at: F.places.a)
        let pipeline = try Self.pipeline(f)  // no writer: whatever is queued stays queued
        let reply = Reply()
        let truncated = Array(try F.frame(device, sequence: 1, at: SystemClock.now()).prefix(60))
        guard case .malformed(let answer?) = Self.submit(pipeline, truncated, reply) else {
            Issue.record("a truncated frame of our protocol is answered")
            return
        }
        #expect(try ShortRejection.decode(answer.bytes).reason == .malformada)
        // Bytes that are not our protocol get no answer at all (a datagram port does not reflect noise).
        guard case .malformed(nil) = Self.submit(pipeline, Array("GET / HTTP/1.1\r\n\r\n".utf8)) else {
            Issue.record("noise is not answered")
            return
        }
        #expect(pipeline.queueDepth == 0)
        #expect(pipeline.status.received == 2 && pipeline.status.rejected == ["malformada": 2])

        // The writer runs and stops: it had nothing of these to answer.
        pipeline.start()
        pipeline.drain()
        #expect(reply.recorder.all.isEmpty)
        #expect(try f.count("incident") == 0)
    }

    @Test func drainCommitsAndAnswersWhatWasQueuedAndLaterFramesAreToldToRetry() throws {
        let f = try F()
        let one = try f.device(at: F.places.a)
        let two = try f.device(phone: "099 222 3333", at: F.places.b)
        let pipeline = try Self.pipeline(f)
        let replies = [Reply(), Reply()]
        let now = SystemClock.now()
        // Queued before the writer starts: still waiting when the drain begins.
        guard case .queued = Self.submit(pipeline, try F.frame(one, sequence: 1, at: now), replies[0]),
              case .queued = Self.submit(pipeline, try F.frame(two, sequence: 1, at: now), replies[1]) else {
            Issue.record("frames not queued")
            return
        }
        #expect(pipeline.queueDepth == 2)
        pipeline.start()
        pipeline.drain()  // returns once the writer has stopped

        #expect(pipeline.queueDepth == 0 && pipeline.failure == nil)
        let answers = try zip(replies, [one, two]).map { reply, device in
            try Self.acknowledgement(try ServerReply.decode(try reply.wait(), key: device.secret))
        }
        #expect(answers.map(\.status) == [.aceptada, .aceptada])
        #expect(try f.count("incident") == 2)
        #expect(try answers.allSatisfy { try f.store.incident(id: Int64($0.incidentID)) != nil })

        // After the drain: told to retry at once (unauthenticated), nothing stored.
        let late = Reply()
        guard case .answered(let busy) = Self.submit(pipeline, try F.frame(one, sequence: 2, at: now), late) else {
            Issue.record("a frame after the drain is answered busy")
            return
        }
        let ack = try busy.withBytes { try Acknowledgement.decodeOwnAnswer($0) }
        #expect(ack.status == .ocupadoReintente && ack.sequence == 2)
        #expect(late.recorder.all.isEmpty)
        #expect(try f.count("incident") == 2)
    }

    @Test func markShownMakesARecibidaAlertNotificadaOnceAndLeavesATakenOneAlone() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let pipeline = try Self.pipeline(f)
        let notices = Recorder<IncidentNotice>()
        pipeline.subscribe { notices.append($0) }
        pipeline.start()
        defer { pipeline.drain() }
        let one = try f.device(at: a), two = try f.device(phone: "099 222 3333", at: F.places.a2)
        let shown = Int64(try Self.acknowledgement(try Self.answer(
            pipeline, try F.frame(one, sequence: 1, at: SystemClock.now()), key: one.secret)).incidentID)
        let taken = Int64(try Self.acknowledgement(try Self.answer(
            pipeline, try F.frame(two, sequence: 1, at: SystemClock.now()), key: two.secret)).incidentID)
        _ = try f.desk().take(taken, by: officer, at: SystemClock.now())
        let takenHistory = try f.incidentHistory(taken)

        pipeline.markShown([shown])
        #expect(notices.wait { $0.contains { $0.change == .notificada } }, "\(notices.all)")
        #expect(try f.store.incident(id: shown)?.state == .notificada)
        let events = try f.store.incidentEvents(incident: shown).filter { $0.kind == "transicion" }
        #expect(events.map { "\($0.fromState?.rawValue ?? "-")>\($0.toState?.rawValue ?? "-") \($0.actor)" }
            == ["->recibida dispositivo:\(one.id)", "recibida>notificada sistema"])

        // Again, with the taken one: nothing more is written for either (the drain waits for the writer's batch).
        pipeline.markShown([shown, taken])
        pipeline.drain()
        #expect(try f.store.incidentEvents(incident: shown).filter { $0.kind == "transicion" }.count == 2)
        #expect(try f.incidentHistory(taken) == takenHistory)
        #expect(try f.store.incident(id: taken)?.state == .tomada)
        #expect(notices.all.filter { $0.change == .notificada }.map(\.incidentID) == [shown])
    }
}
