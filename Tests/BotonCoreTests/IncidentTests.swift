import Testing
import BotonCore

@Suite struct IncidentTests {
    typealias S = IncidentState
    static let device = Author.dispositivo("dev-1")
    static let op = Author.operador(id: 42, display: "Cbop. Ruiz")
    static let t0 = Timestamp(millisecondsSince1970: 1_750_000_000_000)
    static let quito = try! GeoPosition(latitude: -0.2202, longitude: -78.5123, accuracyMeters: 8)

    /// The specification, independent of `IncidentState.allowedNext` (cerrada only through close()).
    static let legal: Set<[S]> = [[.recibida, .notificada], [.notificada, .tomada], [.recibida, .tomada],
                                  [.tomada, .despachada], [.tomada, .cerrada], [.despachada, .cerrada]]
    static let path: [S: [S]] = [.recibida: [], .notificada: [.notificada], .tomada: [.notificada, .tomada],
                                 .despachada: [.tomada, .despachada], .cerrada: [.tomada, .cerrada]]

    static func incident(in state: S, isTest: Bool = false) throws -> Incident {
        var i = Incident(receivedAt: t0, by: device, isTest: isTest)
        for (n, s) in path[state]!.enumerated() {
            let at = t0.adding(seconds: Int64(n + 1))
            if s == .cerrada {
                try i.close(outcome: isTest ? .prueba : .atendida, by: op, at: at)
            } else {
                try i.transition(to: s, by: s == .notificada ? .sistema : op, at: at)
            }
        }
        #expect(i.state == state)
        return i
    }

    @Test func rawValues() {
        #expect(S.allCases.map(\.rawValue) == ["recibida", "notificada", "tomada", "despachada", "cerrada"])
        #expect(IncidentOutcome.allCases.map(\.rawValue)
            == ["atendida", "falsa_alarma", "cancelada_por_ciudadano", "no_localizada", "prueba"])
    }

    @Test func everyPairFollowsTheTable() throws {
        var legalSeen = 0
        for from in S.allCases {
            for to in S.allCases {
                var i = try Self.incident(in: from)
                let before = i
                let at = i.updatedAt.adding(seconds: 30)
                do {
                    if to == .cerrada {
                        try i.close(outcome: .falsaAlarma, by: Self.op, at: at, note: "Sin novedad")
                        #expect(i.outcome == .falsaAlarma)
                        #expect(i.events.last == IncidentEvent(.cierre(from: from, outcome: .falsaAlarma), actor: Self.op,
                                                               at: at, note: "Sin novedad"))
                    } else {
                        try i.transition(to: to, by: Self.op, at: at)
                        #expect(i.events.last == IncidentEvent(.transicion(from: from, to: to), actor: Self.op, at: at))
                    }
                    #expect(Self.legal.contains([from, to]), "\(from) → \(to) was accepted")
                    #expect(i.state == to)
                    legalSeen += 1
                } catch {
                    #expect(!Self.legal.contains([from, to]), "\(from) → \(to) was refused: \(error)")
                    #expect(error.field == "alerta")
                    #expect(error.reason == (from == .cerrada ? "terminal_state" : "illegal_transition"))
                    #expect(i == before)
                }
                #expect(from.canTransition(to: to) == Self.legal.contains([from, to]))
            }
        }
        #expect(legalSeen == Self.legal.count)
    }

    @Test func closingNeedsAnOutcome() throws {
        var i = try Self.incident(in: .despachada)
        #expect(throws: TransitionError(.alerta, .outcomeRequired, from: "despachada", to: "cerrada")) {
            try i.transition(to: .cerrada, by: Self.op, at: Self.t0.adding(seconds: 60))
        }
        #expect(TransitionError(.alerta, .illegalTransition, from: "recibida", to: "despachada").mensaje
            == "No se puede pasar la alerta de «Recibida» a «Despachada».")
    }

    @Test(arguments: IncidentOutcome.allCases)
    func testAlertsCloseOnlyAsPrueba(outcome: IncidentOutcome) throws {
        var test = try Self.incident(in: .tomada, isTest: true)
        var real = try Self.incident(in: .tomada, isTest: false)
        let at = Self.t0.adding(seconds: 60)
        let refused = TransitionError(.alerta, .outcomeNotAllowed, from: "tomada", to: "cerrada")
        if outcome == .prueba {
            try test.close(outcome: outcome, by: Self.op, at: at)
            #expect(test.state == .cerrada && test.outcome == .prueba)
            #expect(throws: refused) { try real.close(outcome: outcome, by: Self.op, at: at) }
        } else {
            #expect(throws: refused) { try test.close(outcome: outcome, by: Self.op, at: at) }
            try real.close(outcome: outcome, by: Self.op, at: at)
            #expect(real.state == .cerrada && real.outcome == outcome)
        }
    }

    @Test func escalationOnlyBeforeTakenAndGoingUp() throws {
        var i = Incident(receivedAt: Self.t0, by: Self.device)
        try i.escalate(level: 1, by: .sistema, at: Self.t0.adding(seconds: 30))
        try i.transition(to: .notificada, by: .sistema, at: Self.t0.adding(seconds: 31))
        try i.escalate(level: 2, by: .sistema, at: Self.t0.adding(seconds: 60))
        #expect(i.escalationLevel == 2)
        #expect(i.state == .notificada, "escalada is an event, not a state")
        #expect(i.events.filter { $0.kind.name == "escalada" }.count == 2)
        #expect(throws: TransitionError(.alerta, .invalidLevel, from: "notificada")) {
            try i.escalate(level: 2, by: .sistema, at: Self.t0.adding(seconds: 90))
        }
        var fresh = Incident(receivedAt: Self.t0, by: Self.device)
        #expect(throws: TransitionError(.alerta, .invalidLevel, from: "recibida")) {
            try fresh.escalate(level: 0, by: .sistema, at: Self.t0)
        }
        for state in [S.tomada, .despachada] {
            var taken = try Self.incident(in: state)
            #expect(throws: TransitionError(.alerta, .escalationNotAllowed, from: state.rawValue)) {
                try taken.escalate(level: 1, by: .sistema, at: Self.t0.adding(seconds: 60))
            }
        }
        var closed = try Self.incident(in: .cerrada)
        #expect(throws: TransitionError(.alerta, .terminalState, from: "cerrada")) {
            try closed.escalate(level: 1, by: .sistema, at: Self.t0.adding(seconds: 60))
        }
    }

    @Test func positionsCancellationAndNotesUntilClosed() throws {
        for state in [S.recibida, .notificada, .tomada, .despachada] {
            var i = try Self.incident(in: state)
            let at = Self.t0.adding(seconds: 60)
            try i.addPosition(Self.quito, by: Self.device, at: at)
            try i.cancelByCitizen(by: .ciudadano, at: at, note: "Fue un error")
            try i.addNote("Ciudadano confirma por llamada", by: Self.op, at: at)
            #expect(i.state == state, "cancellation does not change the state")
            #expect(i.cancelledByCitizen && i.lastPosition == Self.quito)
            #expect(Array(i.events.suffix(3).map(\.kind.name)) == ["posicion", "cancelacion_ciudadano", "nota"])
            #expect(throws: TransitionError(.alerta, .alreadyCancelled, from: state.rawValue)) {
                try i.cancelByCitizen(by: .ciudadano, at: at)
            }
            #expect(throws: TransitionError(.alerta, .emptyNote, from: state.rawValue)) {
                try i.addNote("  ", by: Self.op, at: at)
            }
        }
        var closed = try Self.incident(in: .cerrada)
        let at = Self.t0.adding(seconds: 60)
        let terminal = TransitionError(.alerta, .terminalState, from: "cerrada")
        #expect(throws: terminal) { try closed.addPosition(Self.quito, by: Self.device, at: at) }
        #expect(throws: terminal) { try closed.cancelByCitizen(by: .ciudadano, at: at) }
        #expect(throws: terminal) { try closed.addNote("tarde", by: Self.op, at: at) }
    }

    @Test func everyStepRecordsActorAndTime() throws {
        var i = Incident(receivedAt: Self.t0, by: Self.device, position: Self.quito)
        #expect(i.events.map(\.kind.name) == ["recibida", "posicion"])
        #expect(i.lastPosition == Self.quito)
        try i.transition(to: .tomada, by: Self.op, at: Self.t0.adding(seconds: 5))
        #expect(i.events.last?.actor == Self.op && i.events.last?.at == Self.t0.adding(seconds: 5))
        #expect(throws: TransitionError(.alerta, .outOfOrder, from: "tomada", to: "despachada")) {
            try i.transition(to: .despachada, by: Self.op, at: Self.t0.adding(seconds: 4))
        }
        #expect(i.receivedAt == Self.t0 && i.updatedAt == Self.t0.adding(seconds: 5))
    }

    @Test func replayRebuildsAndChecks() throws {
        var i = Incident(receivedAt: Self.t0, by: Self.device, isTest: true, position: Self.quito)
        try i.escalate(level: 1, by: .sistema, at: Self.t0.adding(seconds: 20))
        try i.transition(to: .tomada, by: Self.op, at: Self.t0.adding(seconds: 25))
        try i.cancelByCitizen(by: .ciudadano, at: Self.t0.adding(seconds: 26))
        try i.addNote("Prueba de activación", by: Self.op, at: Self.t0.adding(seconds: 27))
        try i.close(outcome: .prueba, by: Self.op, at: Self.t0.adding(seconds: 28))
        #expect(try Incident(replaying: i.events) == i)
        #expect(throws: TransitionError.self) { try Incident(replaying: []) }
        #expect(throws: TransitionError.self) { try Incident(replaying: Array(i.events.dropFirst())) }
        var swapped = i.events
        swapped.swapAt(3, 6)
        #expect(throws: TransitionError.self) { try Incident(replaying: swapped) }
    }
}
