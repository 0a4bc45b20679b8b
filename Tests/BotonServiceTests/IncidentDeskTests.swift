import Foundation
import Testing
import BotonCore
import BotonRepository
import BotonStore
@testable import BotonConsole
import BotonEnrollment
@testable import BotonRuntime

/// The console's actions on alerts over a real SQLite file: each one transaction with its history rows and its
/// audit entry, the scope between UPCs, the state machine's refusals, the false-alarm policy, and *confirmar prueba*.
/// Alerts come in through the real ingestion writer; the fixture's clock moves a minute per step.
@Suite struct IncidentDeskTests {
    typealias F = EnrollmentFixture

    @Test func anAlertIsTakenDispatchedAndClosedAsAtendidaWithItsHistoryAndAudit() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let device = try f.device(at: a)
        let id = try f.alert(from: device, sequence: 1, at: f.now())
        let desk = f.desk()
        let op = "operador:\(officer.id)"
        #expect(try desk.list(for: officer, at: f.now()).map(\.id) == [id])

        let takenAt = f.now()
        let taken = try desk.take(id, by: officer, at: takenAt)
        #expect(taken.state == .tomada && taken.takenBy == op && taken.takenAt == takenAt)
        let dispatched = try desk.dispatch(id, unit: "  Patrullero P-12 ", by: officer, at: f.now())
        #expect(dispatched.state == .despachada && dispatched.unit == "Patrullero P-12")
        let closing = try desk.close(id, outcome: .atendida, note: "Ciudadana a salvo", by: officer, at: f.now())
        #expect(closing.incident.state == .cerrada && closing.incident.outcome == .atendida)
        #expect(!closing.lineSuspended && closing.falseAlarms == 0)

        // The row is what the desk returned.
        #expect(try f.store.incident(id: id) == closing.incident)
        // One history row per step, each with its author; the closing carries the outcome and the note.
        #expect(try f.incidentHistory(id) == [
            "transicion ->recibida dispositivo:\(device.id)",
            "transicion recibida>tomada \(op)",
            "transicion tomada>despachada \(op)",
            "transicion despachada>cerrada \(op) atendida",
        ])
        #expect(try f.store.incidentEvents(incident: id).last?.note == "Ciudadana a salvo")
        // One audit entry per action.
        #expect(try f.incidentAudit(id) == [
            "\(op) tomar", "\(op) despachar unidad=Patrullero P-12", "\(op) cerrar resultado=atendida",
        ])
    }

    @Test func anOperatorOfAnotherUPCIsToldTheAlertDoesNotExistAndTheAttemptIsAudited() throws {
        let f = try F()
        let a = F.places.a, b = F.places.b
        let other = try f.officer("vecino", upc: b.upc)
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let desk = f.desk()
        let before = try f.incidentHistory(id)

        let take = consoleRefusal { try desk.take(id, by: other, at: f.now()) }
        #expect(take == .incidentNotFound(id))
        #expect(take?.kind == .notFound && take?.code == "alerta_no_encontrada")
        let read = consoleRefusal { try desk.dossier(id, for: other, at: f.now()) }
        #expect(read?.code == "alerta_no_encontrada")
        #expect(try desk.list(for: other, at: f.now()).isEmpty)

        // Nothing happened to the alert; both attempts are on record.
        #expect(try f.store.incident(id: id)?.state == .recibida)
        #expect(try f.incidentHistory(id) == before)
        let op = "operador:\(other.id)"
        #expect(try f.incidentAudit(id) == ["\(op) acceso_denegado accion=tomar", "\(op) acceso_denegado accion=ver_alerta"])

        // The distrito's supervisor sees it (the scope is the distrito), and reading it is audited as such.
        let supervisor = try f.officer("sup", .supervisorDistrito, district: a.district)
        #expect(try desk.dossier(id, for: supervisor, at: f.now()).incident.id == id)
        #expect(try f.incidentAudit(id).last == "operador:\(supervisor.id) ver_alerta")
    }

    @Test func illegalTransitionsAreRefusedAsConflictsAndWriteNothing() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let colleague = try f.officer("colega", upc: a.upc)
        let id = try f.alert(from: try f.device(at: a), sequence: 1, at: f.now())
        let desk = f.desk()
        let received = try #require(try f.store.incident(id: id))

        // Closing before taking: the state machine refuses, nothing is written.
        let early = consoleRefusal { try desk.close(id, outcome: .atendida, note: nil, by: officer, at: f.now()) }
        #expect(early?.kind == .conflict && early?.code == "illegal_transition")
        let dispatchEarly = consoleRefusal { try desk.dispatch(id, unit: "P-1", by: officer, at: f.now()) }
        #expect(dispatchEarly?.kind == .conflict && dispatchEarly?.code == "illegal_transition")
        #expect(try f.store.incident(id: id) == received)
        #expect(try f.incidentHistory(id).count == 1)
        #expect(try f.incidentAudit(id).isEmpty)

        // Taken once; a second take (by anyone) says who has it and writes nothing.
        _ = try desk.take(id, by: officer, at: f.now())
        let taken = try #require(try f.store.incident(id: id))
        let history = try f.incidentHistory(id)
        for who in [officer, colleague] {
            let again = consoleRefusal { try desk.take(id, by: who, at: f.now()) }
            #expect(again?.kind == .conflict && again?.code == "ya_tomada")
            #expect(again?.mensaje.contains("Sbte. quito") == true)
        }
        // A real alert cannot be closed as a test.
        let asTest = consoleRefusal { try desk.close(id, outcome: .prueba, note: nil, by: officer, at: f.now()) }
        #expect(asTest?.kind == .conflict && asTest?.code == "outcome_not_allowed")
        #expect(try f.store.incident(id: id) == taken)
        #expect(try f.incidentHistory(id) == history)
        #expect(try f.incidentAudit(id) == ["operador:\(officer.id) tomar"])

        // Closed is final.
        _ = try desk.close(id, outcome: .noLocalizada, note: nil, by: officer, at: f.now())
        let late = consoleRefusal { try desk.note(id, text: "tarde", by: officer, at: f.now()) }
        #expect(late?.kind == .conflict && late?.code == "terminal_state")
        #expect(try f.incidentAudit(id).count == 2)
    }

    @Test func theConfiguredCountOfFalseAlarmsSuspendsTheLineAndItsButton() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let (tramite, device) = try f.activated(at: a, by: officer)
        var console = Configuration.Console()
        console.falseAlarmLimit = 2
        let desk = f.desk(console)

        var closings: [IncidentDesk.Closing] = []
        for sequence in UInt64(2)...3 {
            let id = try f.alert(from: device, sequence: sequence, at: f.now())
            _ = try desk.take(id, by: officer, at: f.now())
            closings.append(try desk.close(id, outcome: .falsaAlarma, note: nil, by: officer, at: f.now()))
        }
        #expect(closings.map(\.lineSuspended) == [false, true])
        #expect(closings.map(\.falseAlarms) == [1, 2])

        // The line is suspended, its request moved to suspendida by the system, and the suspension audited.
        #expect(try f.store.lineSuspension(device.line)?.suspendedAt == closings[1].incident.closedAt)
        #expect(try f.store.lineIsSuspended(e164: device.line) == true)
        #expect(try f.history(tramite).last == "activa>suspendida sistema")
        let audit = try f.store.auditEntries(subject: "linea:\(device.line)", limit: 10)
        #expect(audit.map(\.action) == ["suspender_linea"])
        #expect(audit.first?.detail == "falsas_alarmas=2 cerrada_por=operador:\(officer.id)")

        // Its next alert is still accepted, flagged.
        let next = try f.alert(from: device, sequence: 4, at: f.now())
        #expect(try f.store.incident(id: next)?.lineSuspended == true)

        // Only a supervisor of the distrito lifts it; the request is activa again.
        let refused = consoleRefusal { try desk.liftSuspension(line: device.line, reason: "x", by: officer, at: f.now()) }
        #expect(refused?.kind == .forbidden && refused?.code == "solo_supervisor")
        let supervisor = try f.officer("sup", .supervisorDistrito, district: a.district)
        try desk.liftSuspension(line: device.line, reason: "Confirmado con la ciudadana", by: supervisor, at: f.now())
        #expect(try f.store.lineIsSuspended(e164: device.line) == false)
        #expect(try f.history(tramite).last == "suspendida>activa operador:\(supervisor.id)")
    }

    @Test func belowTheConfiguredCountNothingIsSuspended() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let device = try f.device(at: a)
        let desk = f.desk()  // the default: 3 within 30 days
        for sequence in UInt64(1)...2 {
            let id = try f.alert(from: device, sequence: sequence, at: f.now())
            _ = try desk.take(id, by: officer, at: f.now())
            #expect(try !desk.close(id, outcome: .falsaAlarma, note: nil, by: officer, at: f.now()).lineSuspended)
        }
        // An atendida does not count.
        let id = try f.alert(from: device, sequence: 3, at: f.now())
        _ = try desk.take(id, by: officer, at: f.now())
        let closing = try desk.close(id, outcome: .atendida, note: nil, by: officer, at: f.now())
        #expect(!closing.lineSuspended)
        #expect(try f.store.lineSuspension(device.line)?.suspendedAt == nil)
        #expect(try f.store.auditEntries(subject: "linea:\(device.line)", limit: 10).isEmpty)
    }

    @Test func confirmingATestAlertActivatesTheRequestAndClosesItAsPrueba() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let (tramite, device) = try f.registered(at: a, by: officer)
        let activation = RecordingActivation()
        let desk = f.desk(enrollments: activation)

        // A real alert of the line is not its test.
        let real = try f.alert(from: device, sequence: 1, at: f.now())
        #expect(consoleRefusal { try desk.confirmTest(real, by: officer, at: f.now()) }?.code == "no_es_prueba")
        #expect(activation.confirmed.isEmpty)

        let test = try f.alert(from: device, .prueba, sequence: 2, at: f.now())
        let at = f.now()
        let confirmed = try desk.confirmTest(test, by: officer, at: at)
        #expect(confirmed.tramite == tramite)
        #expect(activation.confirmed.map(\.tramite) == [tramite] && activation.confirmed.map(\.officer) == [officer.id])
        #expect(confirmed.incident.state == .cerrada && confirmed.incident.outcome == .prueba)
        #expect(try f.store.incident(id: test) == confirmed.incident)
        let op = "operador:\(officer.id)"
        #expect(try f.incidentHistory(test) == [
            "transicion ->recibida dispositivo:\(device.id)", "transicion recibida>tomada \(op)",
            "transicion tomada>cerrada \(op) prueba",
        ])
        #expect(try f.store.incidentEvents(incident: test).last?.note == "Prueba confirmada; solicitud \(tramite) activa")
        #expect(try f.incidentAudit(test) == ["\(op) tomar", "\(op) cerrar resultado=prueba"])
        // The real alert was left alone.
        #expect(try f.store.incident(id: real)?.state == .recibida)
    }

    /// Issue 15, bug 1: "Confirmar prueba" on the request page closed nothing; the test alert stayed open on the
    /// console as "Recibida · PRUEBA" and the console's own button then answered 409.
    @Test func confirmingFromTheRequestPageClosesTheTestAlertInTheSameTransaction() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("quito", upc: a.upc)
        let (tramite, device) = try f.registered(at: a, by: officer)
        let test = try f.alert(from: device, .prueba, sequence: 1, at: f.now())

        // If closing the alert fails, the request is not activated either: one transaction.
        struct Broken: Error {}
        let failed = refusal { try f.service.confirmTest(tramite, by: officer, at: f.now()) { _ in throw Broken() } }
        #expect(failed?.kind == .unavailable)
        #expect(try f.history(tramite).last == "registrada>prueba_pendiente operador:\(officer.id)")
        #expect(try f.store.incident(id: test)?.state == .recibida)

        // As the request page and the API do it: activa, and the test alert closed as prueba by the officer.
        #expect(try f.confirmTest(tramite, by: officer, at: f.now()).state == .activa)
        let closed = try #require(try f.store.incident(id: test))
        #expect(closed.state == .cerrada && closed.outcome == .prueba && closed.closedAt != nil)
        let op = "operador:\(officer.id)"
        #expect(closed.takenBy == op)
        #expect(try f.incidentHistory(test) == [
            "transicion ->recibida dispositivo:\(device.id)", "transicion recibida>tomada \(op)",
            "transicion tomada>cerrada \(op) prueba",
        ])
        #expect(try f.incidentAudit(test) == ["\(op) tomar", "\(op) cerrar resultado=prueba"])
        #expect(try f.history(tramite).last == "prueba_pendiente>activa \(op)")

        // The console has nothing left to confirm: a refusal that changes nothing.
        let desk = f.desk(enrollments: RecordingActivation())
        #expect(consoleRefusal { try desk.confirmTest(test, by: officer, at: f.now()) }?.code == "sin_prueba_pendiente")
        #expect(try f.incidentHistory(test).count == 3)
    }
}
