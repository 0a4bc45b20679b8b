import Testing
import BotonCore

@Suite struct EnrollmentTests {
    typealias S = EnrollmentState
    static let citizen = Author.ciudadano
    static let officer = Author.operador(id: 10, display: "Sbte. Andrade")
    static let t0 = Timestamp(millisecondsSince1970: 1_750_000_000_000)

    /// The specification, written out independently of `EnrollmentState.allowedNext`.
    static let legal: Set<[S]> = [
        [.ingresada, .enVerificacion], [.ingresada, .rechazada],
        [.enVerificacion, .verificada], [.enVerificacion, .rechazada],
        [.verificada, .registrada], [.registrada, .pruebaPendiente], [.pruebaPendiente, .activa],
        [.activa, .suspendida], [.suspendida, .activa],
        [.ingresada, .dadaDeBaja], [.enVerificacion, .dadaDeBaja], [.verificada, .dadaDeBaja],
        [.registrada, .bajaSolicitada], [.pruebaPendiente, .bajaSolicitada], [.activa, .bajaSolicitada],
        [.suspendida, .bajaSolicitada],
        // The path below reaches baja_solicitada from activa: back there (rejected) or given de baja.
        [.bajaSolicitada, .dadaDeBaja], [.bajaSolicitada, .activa],
    ]

    /// A path from `ingresada` to each state.
    static let path: [S: [S]] = [
        .ingresada: [], .enVerificacion: [.enVerificacion], .verificada: [.enVerificacion, .verificada],
        .rechazada: [.rechazada], .registrada: [.enVerificacion, .verificada, .registrada],
        .pruebaPendiente: [.enVerificacion, .verificada, .registrada, .pruebaPendiente],
        .activa: [.enVerificacion, .verificada, .registrada, .pruebaPendiente, .activa],
        .suspendida: [.enVerificacion, .verificada, .registrada, .pruebaPendiente, .activa, .suspendida],
        .bajaSolicitada: [.enVerificacion, .verificada, .registrada, .pruebaPendiente, .activa, .bajaSolicitada],
        .dadaDeBaja: [.dadaDeBaja],
    ]

    static func enrollment(in state: S) throws -> Enrollment {
        var e = Enrollment.online(by: citizen, at: t0)
        for (i, s) in path[state]!.enumerated() {
            try e.transition(to: s, by: officer, at: t0.adding(seconds: Int64(i + 1)),
                             note: s == .rechazada ? "Dirección no verificable" : nil)
        }
        #expect(e.state == state)
        return e
    }

    @Test func rawValuesAreTheSpanishNames() {
        #expect(S.allCases.map(\.rawValue) == ["ingresada", "en_verificacion", "verificada", "rechazada", "registrada",
                                               "prueba_pendiente", "activa", "suspendida", "baja_solicitada",
                                               "dada_de_baja"])
        #expect(S.bajaSolicitada.nombre == "Baja solicitada")
        #expect(S.allCases.filter(\.holdsButton) == [.registrada, .pruebaPendiente, .activa, .suspendida,
                                                     .bajaSolicitada])
        #expect(S.allCases.filter(\.isTerminal) == [.rechazada, .dadaDeBaja])
        #expect(S.enVerificacion.nombre == "En verificación")
    }

    @Test func everyPairFollowsTheTable() throws {
        var legalSeen = 0
        for from in S.allCases {
            for to in S.allCases {
                var e = try Self.enrollment(in: from)
                let before = e
                let at = e.updatedAt.adding(seconds: 60)
                let note = to == .rechazada || from == .bajaSolicitada ? "Documentos no coinciden" : nil
                do {
                    try e.transition(to: to, by: Self.officer, at: at, note: note)
                    #expect(Self.legal.contains([from, to]), "\(from) → \(to) was accepted")
                    #expect(e.state == to)
                    #expect(e.history.last == EnrollmentTransition(from: from, to: to, actor: Self.officer, at: at, note: note))
                    #expect(e.history.count == before.history.count + 1)
                    legalSeen += 1
                } catch {
                    #expect(!Self.legal.contains([from, to]), "\(from) → \(to) was refused: \(error)")
                    #expect(error.field == "solicitud")
                    #expect(error.reason == (from.isTerminal ? "terminal_state" : "illegal_transition"))
                    #expect(error.from == from.rawValue && error.to == to.rawValue)
                    #expect(e == before, "a refused transition must not change anything")
                }
                if from != .bajaSolicitada {
                    #expect(from.canTransition(to: to) == Self.legal.contains([from, to]))
                }
            }
        }
        #expect(legalSeen == Self.legal.count)
    }

    @Test func illegalTransitionMessageNamesBothStatesInSpanish() throws {
        var e = try Self.enrollment(in: .ingresada)
        do {
            try e.transition(to: .activa, by: Self.officer, at: Self.t0.adding(seconds: 5))
            Issue.record("ingresada → activa accepted")
        } catch {
            #expect(error.kind == .illegalTransition)
            #expect(error.mensaje == "No se puede pasar la solicitud de «Ingresada» a «Activa».")
        }
        var done = try Self.enrollment(in: .dadaDeBaja)
        #expect(throws: TransitionError(.solicitud, .terminalState, from: "dada_de_baja", to: "activa")) {
            try done.transition(to: .activa, by: Self.officer, at: Self.t0.adding(seconds: 5))
        }
        #expect(TransitionError(.solicitud, .terminalState, from: "dada_de_baja").mensaje.contains("Dada de baja"))
    }

    @Test(arguments: [S.registrada, .pruebaPendiente, .activa, .suspendida])
    func aRejectedBajaRequestReturnsOnlyToTheStateItLeftWithAReason(before: S) throws {
        var e = try Self.enrollment(in: before)
        let t = e.updatedAt
        try e.transition(to: .bajaSolicitada, by: Self.citizen, at: t.adding(seconds: 1))
        #expect(e.stateBeforeBajaRequest == before)
        for other in [S.registrada, .pruebaPendiente, .activa, .suspendida] where other != before {
            #expect(throws: TransitionError(.solicitud, .illegalTransition, from: "baja_solicitada", to: other.rawValue)) {
                try e.transition(to: other, by: Self.officer, at: t.adding(seconds: 2), note: "El titular no la pidió")
            }
        }
        #expect(throws: TransitionError(.solicitud, .missingReason, from: "baja_solicitada", to: before.rawValue)) {
            try e.transition(to: before, by: Self.officer, at: t.adding(seconds: 2))
        }
        var confirmed = e
        try e.transition(to: before, by: Self.officer, at: t.adding(seconds: 2), note: "El titular no la pidió")
        #expect(e.state == before && e.stateBeforeBajaRequest == nil)
        // Replaying the stored history applies the same rule.
        #expect(try Enrollment(replaying: e.history, usagePolicyExplained: false) == e)
        try confirmed.transition(to: .dadaDeBaja, by: .dispositivo("ab"), at: t.adding(seconds: 3))
        #expect(confirmed.state == .dadaDeBaja)
    }

    @Test func aButtonIsNeverGivenDeBajaInOneStep() throws {
        for state in S.allCases where state.holdsButton && state != .bajaSolicitada {
            #expect(!state.canTransition(to: .dadaDeBaja))
        }
        #expect(TransitionError(.solicitud, .missingReason, from: "baja_solicitada", to: "activa").mensaje
                    == "Para rechazar el pedido de baja hay que indicar el motivo.")
    }

    @Test(arguments: [nil, "", "   \n"])
    func rejectionNeedsAReason(note: String?) throws {
        var e = try Self.enrollment(in: .enVerificacion)
        #expect(throws: TransitionError(.solicitud, .missingReason, from: "en_verificacion", to: "rechazada")) {
            try e.transition(to: .rechazada, by: Self.officer, at: Self.t0.adding(seconds: 10), note: note)
        }
        #expect(e.state == .enVerificacion)
    }

    @Test func timeNeverGoesBackwards() throws {
        var e = try Self.enrollment(in: .activa)
        #expect(throws: TransitionError(.solicitud, .outOfOrder, from: "activa", to: "suspendida")) {
            try e.transition(to: .suspendida, by: .sistema, at: Self.t0)
        }
        try e.transition(to: .suspendida, by: .sistema, at: e.updatedAt, note: "3 falsas alarmas")
        #expect(e.state == .suspendida)
    }

    @Test func onlineStartsAtIngresada() {
        let e = Enrollment.online(by: .ciudadano, at: Self.t0, usagePolicyExplained: true)
        #expect(e.state == .ingresada && e.channel == .enLinea && e.usagePolicyExplained)
        #expect(e.history == [EnrollmentTransition(from: nil, to: .ingresada, actor: .ciudadano, at: Self.t0)])
        #expect(e.createdAt == Self.t0 && e.updatedAt == Self.t0)
    }

    @Test func inPersonStartsVerifiedByAnOfficerWhoExplainedThePolicy() throws {
        let e = try Enrollment.inPerson(by: Self.officer, at: Self.t0, usagePolicyExplained: true)
        #expect(e.state == .verificada && e.channel == .presencial && e.usagePolicyExplained)
        #expect(e.history.first?.actor == Self.officer && e.history.first?.from == nil)
        #expect(throws: TransitionError(.solicitud, .policyNotExplained, to: "verificada")) {
            try Enrollment.inPerson(by: Self.officer, at: Self.t0, usagePolicyExplained: false)
        }
        for actor in [Author.ciudadano, .sistema, .dispositivo("d1"), .gateway("g")] {
            #expect(throws: TransitionError(.solicitud, .actorNotAllowed, to: "verificada")) {
                try Enrollment.inPerson(by: actor, at: Self.t0, usagePolicyExplained: true)
            }
        }
    }

    @Test func replayRebuildsAndChecks() throws {
        let e = try Self.enrollment(in: .suspendida)
        #expect(try Enrollment(replaying: e.history, usagePolicyExplained: false) == e)
        let inPerson = try Enrollment.inPerson(by: Self.officer, at: Self.t0, usagePolicyExplained: true)
        #expect(try Enrollment(replaying: inPerson.history, usagePolicyExplained: true) == inPerson)
        #expect(throws: TransitionError.self) { try Enrollment(replaying: [], usagePolicyExplained: false) }
        var tampered = e.history
        tampered.remove(at: 2)
        #expect(throws: TransitionError.self) { try Enrollment(replaying: tampered, usagePolicyExplained: false) }
        let skipping = [e.history[0], EnrollmentTransition(from: .ingresada, to: .activa, actor: Self.officer, at: Self.t0)]
        #expect(throws: TransitionError(.solicitud, .illegalTransition, from: "ingresada", to: "activa")) {
            try Enrollment(replaying: skipping, usagePolicyExplained: false)
        }
    }
}
