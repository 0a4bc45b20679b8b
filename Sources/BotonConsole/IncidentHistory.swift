import BotonCore
import BotonRepository

/// Stored events ↔ the domain's ``Incident``.
///
/// Storage forms: the first event is `transicion` from NULL to `recibida`; a state change is `transicion` with
/// `from_state`/`to_state` (and `note`); a closing is `transicion` to `cerrada` with the outcome in `detail`;
/// `escalada` has its level in `detail`; `nota` its text in `detail`; `posicion` and `cancelacion` are written
/// by ingestion. Replaying checks the state machine: positions, cancellations and notes were checked when
/// written and do not change the state, so they are not replayed.
enum IncidentHistory {
    static func replay(_ record: IncidentRecord, _ events: [IncidentEventRecord]) throws(ConsoleError) -> Incident {
        guard let first = events.first, first.toState == .recibida else {
            throw invalid(record.id, "no initial event")
        }
        var incident = Incident(receivedAt: first.at, by: author(first.actor), isTest: record.isTest)
        do {
            for event in events.dropFirst() {
                switch event.kind {
                case "transicion":
                    guard let to = event.toState else {
                        throw invalid(record.id, "event \(event.id): unknown state")
                    }
                    if to == .cerrada {
                        guard let outcome = event.detail.flatMap(IncidentOutcome.init(rawValue:)) else {
                            throw invalid(record.id, "event \(event.id): closing without outcome")
                        }
                        try incident.close(outcome: outcome, by: author(event.actor), at: event.at, note: event.note)
                    } else {
                        try incident.transition(to: to, by: author(event.actor), at: event.at, note: event.note)
                    }
                case "escalada":
                    guard let level = event.detail.flatMap({ Int($0) }) else {
                        throw invalid(record.id, "event \(event.id): escalation without level")
                    }
                    try incident.escalate(level: level, by: author(event.actor), at: event.at)
                default:
                    continue
                }
            }
        } catch let error as ConsoleError {
            throw error
        } catch let error as TransitionError {
            throw invalid(record.id, error.description)
        } catch {
            throw invalid(record.id, String(describing: error))
        }
        return incident
    }

    /// The stored form of the domain's newest event.
    static func record(of event: IncidentEvent, incident: Int64) -> IncidentEventRecord {
        IncidentEventRecord(event, incident: incident)
    }

    static func author(_ stored: String) -> Author { Author(storageForm: stored) ?? .sistema }

    private static func invalid(_ id: Int64, _ detail: String) -> ConsoleError {
        ConsoleError(.unavailable, code: "historial_inconsistente",
                     "El historial de la alerta \(id) no es coherente; avise al administrador.", detail: detail)
    }
}
