import BotonCore
import BotonStore
import Foundation
import Testing
import BotonStoreFixtures
@testable import BotonStatistics

@Suite("Quejas")
struct QuejaServiceTests {
    @Test func aCitizensComplaintIsPlacedByTheAlertItNames() throws {
        let fixture = try EnrollmentFixture()
        let quejas = QuejaService(store: fixture.store)
        let a = EnrollmentFixture.places.a
        let ids = try fixture.store.insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: a.upc, subcircuitCode: a.subcircuit, openedAt: fixture.now(), closedAt: fixture.now())])
        let queja = try quejas.submitPublic(QuejaForm(descripcion: "La patrulla no llegó a mi domicilio.",
                                                      contacto: "099 123 4567", incidente: "INC-\(ids[0])"),
                                            at: fixture.now())
        #expect(queja.channel == .web && queja.state == .recibida)
        #expect(queja.upcCode == a.upc && queja.subcircuitCode == a.subcircuit && queja.incidentRef == ids[0])
        #expect(try fixture.store.quejaTransitions(quejaID: queja.id!).map(\.actor) == ["ciudadano"])
        // A well-formed reference that matches nothing is kept, unplaced: national queue.
        let unplaced = try quejas.submitPublic(QuejaForm(descripcion: "Nadie contestó en la UPC cuando llamé.",
                                                         tramite: "BS-2026-000001-5"), at: fixture.now())
        #expect(unplaced.upcCode == nil && unplaced.tramiteRef == "BS-2026-000001-5" && unplaced.contact == nil)
    }

    @Test func everyProblemOfTheFormIsReportedAtOnce() throws {
        let fixture = try EnrollmentFixture()
        let quejas = QuejaService(store: fixture.store)
        let error = #expect(throws: QuejaError.self) {
            try quejas.submitPublic(QuejaForm(descripcion: "corto", contacto: String(repeating: "9", count: 201),
                                              tramite: "BS-2026-000001-4", incidente: "alerta"), at: fixture.now())
        }
        #expect(error?.code == "form")
        #expect(error?.fields.map(\.0) == ["descripcion", "contacto", "tramite", "incidente"])
        #expect(error?.fields.allSatisfy { $0.1.count > 20 } == true)
        #expect(try fixture.store.quejas(scope: .all, states: QuejaState.allCases, limit: 10).isEmpty)
    }

    @Test func officersRecordHandleAndResolveComplaintsOfTheirScope() throws {
        let fixture = try EnrollmentFixture()
        let quejas = QuejaService(store: fixture.store)
        let (a, c) = (EnrollmentFixture.places.a, EnrollmentFixture.places.c)
        let officer = try fixture.officer("andrade", upc: a.upc)
        let other = try fixture.officer("vera", upc: c.upc)
        let supervisor = try fixture.officer("paz", .supervisorDistrito, district: a.district)
        let queja = try quejas.record(QuejaForm(descripcion: "Llamó para decir que el botón no respondió.",
                                                contacto: "02 234 5678"),
                                      channel: .telefono, upc: nil, by: officer, at: fixture.now())
        #expect(queja.upcCode == a.upc && queja.channel == .telefono)
        #expect(try quejas.pending(for: officer).map(\.id) == [queja.id])
        #expect(try quejas.pending(for: supervisor).map(\.id) == [queja.id])
        #expect(try quejas.pending(for: other).isEmpty)
        let denied = #expect(throws: QuejaError.self) {
            try quejas.advance(queja.id!, to: .enGestion, note: nil, by: other, at: fixture.now())
        }
        #expect(denied?.code == "out_of_scope")
        // One step at a time; resolving needs a note.
        #expect(throws: QuejaError.self) { try quejas.advance(queja.id!, to: .resuelta, note: "Se llamó al ciudadano",
                                                              by: officer, at: fixture.now()) }
        try quejas.advance(queja.id!, to: .enGestion, note: nil, by: officer, at: fixture.now())
        let noNote = #expect(throws: QuejaError.self) {
            try quejas.advance(queja.id!, to: .resuelta, note: " ", by: officer, at: fixture.now())
        }
        #expect(noNote?.fields.first?.0 == "nota")
        try quejas.advance(queja.id!, to: .resuelta, note: "Se revisó la alerta con el ciudadano.", by: supervisor,
                           at: fixture.now())
        let (stored, history) = try quejas.detail(queja.id!, for: officer, at: fixture.now())
        #expect(stored.state == .resuelta)
        #expect(history.map(\.to) == [.recibida, .enGestion, .resuelta])
        #expect(history.last?.note == "Se revisó la alerta con el ciudadano.")
        #expect(try quejas.pending(for: officer).isEmpty)
        let audit = try fixture.store.auditEntries(subject: "queja:\(queja.id!)", limit: 10).reversed().map(\.action)
        #expect(audit == ["registrar_queja", "acceso_denegado", "gestionar_queja", "resolver_queja", "ver_queja"])
        // The UPC an officer types must exist.
        let unknown = #expect(throws: QuejaError.self) {
            try quejas.record(QuejaForm(descripcion: "Queja presencial sobre la atención recibida."),
                              channel: .presencial, upc: "UPC-17D99C01S01", by: supervisor, at: fixture.now())
        }
        #expect(unknown?.fields.first?.0 == "upc")
    }

    @Test func complaintNumbersReadBack() {
        #expect(QuejaService.number(12) == "Q-000012")
        #expect(QuejaService.id(fromNumber: "Q-000012") == 12)
        #expect(QuejaService.id(fromNumber: "q12") == 12)
        #expect(QuejaService.id(fromNumber: "Q-") == nil)
    }
}
