import Foundation
import Synchronization
import Testing
import BotonCore
import BotonHTTP
import BotonRepository
import BotonStore
@testable import BotonConsole
@testable import BotonRuntime

/// What the console's tests add to ``EnrollmentFixture``: the desk over the fixture's connection, the alerts' rows
/// and audit entries, a clock the test moves, and a console stream that records what it is sent.
extension EnrollmentFixture {
    static let jurisdictions = Jurisdictions(territory: territory)
    static let quiet = Logger(level: .error)

    /// Connections to the fixture's file, as the server's background jobs and handlers get them.
    var provider: any StoreProvider { database.provider(busyTimeoutMilliseconds: 5_000) }

    /// The incident desk over the fixture's connection.
    func desk(_ console: Configuration.Console = Configuration.Console(),
              enrollments: any EnrollmentActivation = RecordingActivation()) -> IncidentDesk {
        IncidentDesk(store: store, enrollments: enrollments, jurisdictions: Self.jurisdictions,
                     policy: ConsolePolicy(console), logger: Self.quiet)
    }

    /// The alert's history as `kind from>to actor [detail]`, oldest first.
    func incidentHistory(_ id: Int64) throws -> [String] {
        try store.incidentEvents(incident: id).map { e in
            var line = e.kind
            if e.kind == "transicion" { line += " \(e.fromState?.rawValue ?? "-")>\(e.toState?.rawValue ?? "-")" }
            line += " \(e.actor)"
            if let detail = e.detail { line += " \(detail)" }
            return line
        }
    }

    /// The audit entries about an alert as `actor action [detail]`, oldest first.
    func incidentAudit(_ id: Int64) throws -> [String] {
        try store.auditEntries(subject: "alerta:\(id)", limit: 100).reversed().map {
            "\($0.actor) \($0.action)" + ($0.detail.map { " \($0)" } ?? "")
        }
    }

    func count(_ table: String) throws -> Int {
        Int(try text("SELECT count(*) FROM \(table)") ?? "") ?? -1
    }
}

/// The error a console call threw, or nil if it succeeded.
func consoleRefusal<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> ConsoleError? {
    do {
        _ = try body()
        return nil
    } catch let error as ConsoleError {
        return error
    } catch {
        Issue.record("not a ConsoleError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The enrollment side of *confirmar prueba*, recording what it was asked.
final class RecordingActivation: EnrollmentActivation {
    private(set) var confirmed: [(tramite: String, officer: Int64)] = []

    func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp,
                     closingTestAlert: (Int64) throws -> Void) throws(ConsoleError) {
        confirmed.append((tramite, officer.id))
        do { try closingTestAlert(0) } catch let error as ConsoleError { throw error } catch {
            throw ConsoleError(.unavailable, code: "error", "\(error)")
        }
    }
}

/// A wall clock that moves only when the test says so.
final class ManualClock: Sendable {
    private let current: Mutex<Timestamp>

    init(_ start: Timestamp) { current = Mutex(start) }

    var now: Timestamp { current.withLock { $0 } }

    func advance(milliseconds: Int64) { current.withLock { $0 = $0.adding(milliseconds: milliseconds) } }

    /// The closure services take as `clock:`.
    var function: @Sendable () -> Timestamp { { [self] in now } }
}

/// Values handed over from another thread (the feed's `markShown`, the writer's answers and subscribers); a test
/// waits, with a deadline, until the one it expects has arrived.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var values: [Value] = []

    func append(_ value: Value) {
        condition.withLock {
            values.append(value)
            condition.broadcast()
        }
    }

    var all: [Value] { condition.withLock { values } }

    /// Waits until `done` holds for the values recorded (signalled by `append`), at most `seconds`: a guard against
    /// a hung thread, never a measure of time. False when the time ran out.
    func wait(seconds: Int = 30, until done: ([Value]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        return condition.withLock {
            while !done(values) {
                let left = deadline - ContinuousClock.now
                if left <= .zero || !condition.wait(timeout: left) { return done(values) }
            }
            return true
        }
    }
}

/// A console's event stream as the feed sees it: records every frame (parsed back from the bytes the feed wrote),
/// and lets a test wait, with a deadline, until a frame it expects has arrived.
final class RecordingStream: ConsoleStream, @unchecked Sendable {
    struct Frame: CustomStringConvertible {
        let id: Int64?
        let event: String
        let data: String
        let alertID: Int64?
        let tipo: String?
        let estado: String?
        let propia: Bool?

        var description: String {
            "\(event)#\(id.map(String.init) ?? "-")" + (alertID.map { " alerta=\($0) \(tipo ?? "?")" } ?? "")
        }
    }

    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var frames: [Frame] = []
    private var open = true

    var isOpen: Bool { condition.withLock { open } }

    func send(_ event: ServerSentEvent) { send(encoded: ServerSentEvents.encode(event)) }

    func send(encoded bytes: [UInt8]) {
        let parsed = Self.parse(bytes)
        condition.withLock {
            guard open else { return }
            frames += parsed
            condition.broadcast()
        }
    }

    func comment(_ text: String) {}

    func close() {
        condition.withLock {
            open = false
            condition.broadcast()
        }
    }

    /// Every frame received so far.
    var received: [Frame] { condition.withLock { frames } }

    /// The `alerta` frames received so far.
    var alerts: [Frame] { received.filter { $0.event == "alerta" } }

    /// Takes the frames received so far (the next call returns only newer ones).
    func take() -> [Frame] {
        condition.withLock {
            defer { frames.removeAll() }
            return frames
        }
    }

    /// Waits until `done` holds for the frames received (signalled by `send`), at most `seconds`: a guard against
    /// a hung feed, never a measure of time. False when the time ran out.
    func wait(seconds: Int = 30, until done: ([Frame]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        return condition.withLock {
            while !done(frames) {
                let left = deadline - ContinuousClock.now
                if left <= .zero || !condition.wait(timeout: left) { return done(frames) }
            }
            return true
        }
    }

    static func parse(_ bytes: [UInt8]) -> [Frame] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").compactMap { block in
            var id: Int64?, event = "message", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard !data.isEmpty else { return nil }
            let json = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
            let alert = json["alerta"] as? [String: Any]
            let evento = json["evento"] as? [String: Any]
            return Frame(id: id, event: event, data: data, alertID: (alert?["id"] as? NSNumber)?.int64Value,
                         tipo: evento?["tipo"] as? String, estado: alert?["estado"] as? String,
                         propia: alert?["propia"] as? Bool)
        }
    }
}
