import Foundation
import Testing
import BotonCore
import BotonCrypto
import BotonStore
import BotonWire
@testable import BotonEnrollment
@testable import BotonIngestion

/// The error an enrollment call threw, or nil if it succeeded.
func refusal<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> EnrollmentError? {
    do {
        _ = try body()
        return nil
    } catch let error as EnrollmentError {
        return error
    } catch {
        Issue.record("not an EnrollmentError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct EnrollmentServiceTests {
    typealias F = EnrollmentFixture

    // MARK: The online path

    @Test func onlineRequestGoesFromIngresadaToActivaWithARealTestAlert() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let submitted = try f.service.submitOnline(F.form(at: a), at: f.now())
        #expect(submitted.state == .ingresada)
        #expect(submitted.upcCode == a.upc && submitted.upcName == a.upcName && submitted.subcircuitCode == a.subcircuit)
        #expect(submitted.tramite.hasPrefix("BS-2026-000001-"))
        #expect(try TramiteNumber(submitted.tramite).sequence == 1)
        #expect(submitted.mensaje.contains(submitted.tramite) && submitted.mensaje.contains("099 123 4567"))
        let tramite = submitted.tramite

        // Rows: citizen, line with its home, request, three contacts, the first transition.
        #expect(try f.text("SELECT nombres || ' ' || apellidos FROM citizen") == "María José Pérez Andrade")
        #expect(try f.text("SELECT home_subcircuit FROM phone_line WHERE e164 = '+593991234567'") == a.subcircuit)
        #expect(try f.text("SELECT count(*) FROM enrollment_contact") == "3")
        #expect(try f.service.status(tramite: tramite, document: "171003406-5")?.state == .ingresada)

        // Pending for the UPC's officer, without personal data.
        let pending = try f.service.pending(for: officer)
        #expect(pending.map(\.tramite) == [tramite])
        #expect(pending[0].lineKind == .celular && pending[0].channel == .enLinea && pending[0].linkedTo == nil)

        // Step 2: the community officer calls; the first attempt takes it into verification.
        #expect(try f.service.recordContact(tramite, result: .noContesta, note: nil, by: officer, at: f.now()).state
            == .enVerificacion)
        #expect(try f.service.recordContact(tramite, result: .contactado, note: "Confirma domicilio", by: officer,
                                            at: f.now()).state == .enVerificacion)
        let detail = try f.service.detail(tramite, for: officer, at: f.now())
        #expect(detail.citizen.documentNumber == "1710034065" && detail.citizen.nombres == "María José")
        #expect(detail.contacts.map(\.phone.e164) == ["+593987654321", "+59322345678", "+593981112233"])
        #expect(detail.contactAttempts.map(\.result) == [.noContesta, .contactado])
        #expect(detail.upcName == a.upcName)

        // Step 3: verified, then entered in the system with its credential.
        #expect(try f.service.verify(tramite, by: officer, at: f.now()).state == .verificada)
        let registration = try f.service.register(tramite, by: officer, at: f.now())
        #expect(registration.summary.state == .pruebaPendiente)
        guard case .app(let deviceID, let secretHex, let code) = registration.credential else {
            Issue.record("a celular gets an app credential")
            return
        }
        let decoded = try ActivationCode(code)
        #expect(Hex.encode(decoded.deviceID) == deviceID && Hex.encode(decoded.secret) == secretHex)
        let hex = f.store.sql.dialect == .postgresql ? "encode(secret, 'hex')" : "hex(secret)"
        #expect(try f.text("SELECT \(hex) FROM device WHERE id = ?1", [.text(deviceID)])?.lowercased() == secretHex)
        #expect(try f.text("SELECT kind FROM device WHERE id = ?1", [.text(deviceID)]) == "app")
        #expect(registration.instrucciones.contains("código de activación"))

        // Step 4: no test yet → a clear refusal; the phone's prueba through the real writer → activa.
        let early = refusal { try f.confirmTest(tramite, by: officer, at: f.now()) }
        #expect(early?.kind == .conflict && early?.code == "no_test_alert")
        #expect(early?.mensaje.contains("Todavía no ha llegado la alerta de prueba de la línea 099 123 4567") == true)
        let answer = try f.sendAppTest(deviceID: deviceID, secret: Hex.decode(secretHex)!, at: f.now())
        #expect(answer.summary.hasPrefix("aceptada"))
        #expect(try f.text("SELECT is_test FROM incident") == "1")
        #expect(try f.confirmTest(tramite, by: officer, at: f.now()).state == .activa)
        #expect(try f.service.status(tramite: tramite, document: "1710034065")?.mensaje.contains("activo") == true)

        // Every step in the history with its author; every officer action in the audit log.
        let op = "operador:\(officer.id)"
        #expect(try f.history(tramite) == [
            "->ingresada ciudadano", "ingresada>en_verificacion \(op)", "en_verificacion>verificada \(op)",
            "verificada>registrada \(op)", "registrada>prueba_pendiente \(op)", "prueba_pendiente>activa \(op)",
        ])
        #expect(try f.audit(tramite) == [
            "\(op) registrar_contacto", "\(op) registrar_contacto", "\(op) ver_solicitud", "\(op) verificar_solicitud",
            "\(op) registrar_boton", "\(op) confirmar_prueba",
        ])
        #expect(try f.service.pending(for: officer).isEmpty)
    }

    @Test func aFijoGetsAGatewayLinkAndItsCallTo135CountsAsTheTest() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(phone: "(02) 245-6789", at: a), at: f.now()).tramite
        // Before registration the gateway's call is refused: the line is not linked.
        #expect(try f.sendGatewayTest(line: "+59322456789", at: f.now()).summary.contains("rechazada"))
        try f.service.recordContact(tramite, result: .contactado, note: nil, by: officer, at: f.now())
        try f.service.verify(tramite, by: officer, at: f.now())
        let registration = try f.service.register(tramite, by: officer, at: f.now())
        guard case .lineaFija(let deviceID) = registration.credential else {
            Issue.record("a fijo gets a linea_fija link")
            return
        }
        #expect(try f.text("SELECT kind FROM device WHERE id = ?1", [.text(deviceID)]) == "linea_fija")
        #expect(registration.instrucciones.contains("marque 135"))
        // The refused call from before the registration does not count.
        #expect(refusal { try f.confirmTest(tramite, by: officer, at: f.now()) }?.code == "no_test_alert")
        #expect(try f.sendGatewayTest(line: "+59322456789", at: f.now()).summary.hasPrefix("aceptada"))
        #expect(try f.confirmTest(tramite, by: officer, at: f.now()).state == .activa)
    }

    @Test func aTestAlertFromBeforeTheRegistrationDoesNotCount() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        try f.service.recordContact(tramite, result: .contactado, note: nil, by: officer, at: f.now())
        try f.service.verify(tramite, by: officer, at: f.now())
        // A prueba of the line recorded before the registration (an earlier credential, say).
        let before = f.now()
        try f.store.sql.execute("""
            INSERT INTO incident (line_e164, is_test, state, upc_code, location_source, opened_at)
            VALUES ('+593991234567', 1, 'cerrada', '\(a.upc)', 'domicilio', \(before.millisecondsSince1970))
            """)
        _ = try f.service.register(tramite, by: officer, at: f.now())
        let error = refusal { try f.confirmTest(tramite, by: officer, at: f.now()) }
        #expect(error?.kind == .conflict && error?.code == "no_test_alert")
        #expect(try f.service.status(tramite: tramite, document: "1710034065")?.state == .pruebaPendiente)
        // A real (non-test) alert does not count either; a prueba after the registration does.
        let after = f.now().millisecondsSince1970
        try f.store.sql.execute("""
            INSERT INTO incident (line_e164, is_test, state, upc_code, location_source, opened_at)
            VALUES ('+593991234567', 0, 'recibida', '\(a.upc)', 'domicilio', \(after))
            """)
        #expect(refusal { try f.confirmTest(tramite, by: officer, at: f.now()) }?.code == "no_test_alert")
        try f.store.sql.execute("""
            INSERT INTO incident (line_e164, is_test, state, upc_code, location_source, opened_at)
            VALUES ('+593991234567', 1, 'recibida', '\(a.upc)', 'domicilio', \(after))
            """)
        // (Raw rows without their history: the enrollment's side alone, without closing the alert.)
        #expect(try f.service.confirmTest(tramite, by: officer, at: f.now()) { _ in }.state == .activa)
    }

    @Test func stepsOutOfOrderAreConflicts() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        let notContacted = refusal { try f.service.verify(tramite, by: officer, at: f.now()) }
        #expect(notContacted?.kind == .conflict && notContacted?.code == "not_contacted")
        let early = refusal { try f.service.register(tramite, by: officer, at: f.now()) }
        #expect(early?.kind == .conflict && early?.code == "wrong_state")
        #expect(early?.mensaje.contains("No se puede pasar la solicitud de «Ingresada» a «Registrada»") == true)
        #expect(refusal { try f.confirmTest(tramite, by: officer, at: f.now()) }?.code == "wrong_state")
        // Nothing was written by the refusals.
        #expect(try f.history(tramite).count == 1)
        #expect(try f.text("SELECT count(*) FROM device") == "0")
    }

    // MARK: Rejection

    @Test func rejectionNeedsAReasonAndTheCitizenSeesIt() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        try f.service.recordContact(tramite, result: .numeroEquivocado, note: "Contesta otra persona", by: officer,
                                    at: f.now())
        let blank = refusal { try f.service.reject(tramite, reason: "   ", by: officer, at: f.now()) }
        #expect(blank?.kind == .invalid && blank?.code == "missing_reason")
        let reason = "El número telefónico no pertenece al solicitante."
        #expect(try f.service.reject(tramite, reason: reason, by: officer, at: f.now()).state == .rechazada)
        let status = try f.service.status(tramite: tramite, document: "1710034065")
        #expect(status?.state == .rechazada && status?.motivo == reason)
        #expect(status?.mensaje.contains("Motivo: \(reason)") == true)
        // Terminal: nothing more happens to it.
        #expect(refusal { try f.service.verify(tramite, by: officer, at: f.now()) }?.kind == .conflict)
        #expect(refusal { try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now()) }?.kind
            == .conflict)
        #expect(try f.audit(tramite).last == "operador:\(officer.id) rechazar_solicitud")
        #expect(try f.service.pending(for: officer).isEmpty)
    }

    // MARK: In person

    @Test func inPersonStartsVerifiedAndTheIntakeUPCMayFollowItUp() throws {
        let f = try F()
        let (a, b) = (F.places.a, F.places.b)
        // The citizen lives in A's area but goes to UPC B, near work.
        let officerB = try f.officer("benitez", upc: b.upc)
        let officerA = try f.officer("andrade", upc: a.upc)
        let unexplained = refusal {
            try f.service.createInPerson(F.form(at: a), usagePolicyExplained: false, by: officerB, at: f.now())
        }
        #expect(unexplained?.kind == .invalid)
        #expect(unexplained?.form?.reasons == ["politica_explicada": "required"])
        #expect(try f.text("SELECT count(*) FROM enrollment") == "0")

        let submitted = try f.service.createInPerson(F.form(at: a), usagePolicyExplained: true, by: officerB,
                                                     at: f.now())
        #expect(submitted.state == .verificada && submitted.upcCode == a.upc)
        let tramite = submitted.tramite
        #expect(try f.text("SELECT intake_upc_code FROM enrollment") == b.upc)
        #expect(try f.text("SELECT usage_policy_explained FROM enrollment") == "1")
        #expect(try f.history(tramite) == ["->verificada operador:\(officerB.id)"])
        // Both UPCs see it; the intake officer registers it and confirms the test on the spot.
        #expect(try f.service.pending(for: officerA).map(\.tramite) == [tramite])
        #expect(try f.service.pending(for: officerB).first?.intakeUPCCode == b.upc)
        let registration = try f.service.register(tramite, by: officerB, at: f.now())
        guard case .app(let id, let secret, _) = registration.credential else {
            Issue.record("app credential expected")
            return
        }
        _ = try f.sendAppTest(deviceID: id, secret: Hex.decode(secret)!, at: f.now())
        #expect(try f.confirmTest(tramite, by: officerB, at: f.now()).state == .activa)
        #expect(try f.audit(tramite).first == "operador:\(officerB.id) crear_solicitud_presencial")
        #expect(try f.text("SELECT channel FROM enrollment") == "presencial")
    }

    // MARK: Form validation

    @Test func aFullyWrongFormReportsEveryFieldAtOnce() throws {
        let f = try F()
        let form = EnrollmentForm(
            documentKind: "pasaporte", documentNumber: "AB-12", nationality: "XX", givenNames: "", surnames: "P3rez",
            birthDate: "2031-01-01", phone: "12345", email: "maria@", homeAddress: "", homeLatitude: "-3.0",
            homeLongitude: "-85.0", workAddress: "", workLatitude: "-0.2", workLongitude: "abc",
            contacts: [.init(name: "", phone: "099 123"), .init(name: "Ana 2", phone: "1800 123 456")],
            consentsToDataProcessing: false, acceptsUsagePolicy: false)
        let error = refusal { try f.service.submitOnline(form, at: f.now()) }
        #expect(error?.kind == .invalid && error?.code == "form")
        #expect(error?.form?.messages == [
            "numero_documento": "El número de pasaporte solo puede tener letras (A-Z) y números, sin espacios ni guiones.",
            "nacionalidad": "Elija el país que emitió el pasaporte.",
            "nombres": "Ingrese sus nombres.",
            "apellidos": "Los apellidos solo pueden tener letras, espacios, apóstrofos, guiones y puntos.",
            "fecha_nacimiento": "La fecha de nacimiento no puede ser posterior a la fecha de hoy.",
            "telefono": "Ese número es de un servicio especial (1800, VoIP o similar); ingrese un número de teléfono "
                + "fijo o celular.",
            "correo": "El correo electrónico no es válido. Escríbalo completo, por ejemplo nombre@dominio.com.",
            "direccion_domicilio": "Escriba la dirección del domicilio: calle principal, número y calle secundaria, y "
                + "una referencia.",
            "ubicacion_domicilio": "La ubicación del domicilio no está dentro de ningún subcircuito de la Policía "
                + "Nacional. Revise que la latitud y la longitud sean las de su domicilio en el Ecuador.",
            "ubicacion_trabajo": "La ubicación del trabajo no es válida: latitud y longitud son números con decimales.",
            "contactos": "Ingrese exactamente tres contactos de referencia (nombre y teléfono); ingresó 2.",
            // Each contact's message names the contact (issue 15, item 20).
            "contacto_1_nombre": "Contacto 1: Ingrese el nombre del contacto.",
            "contacto_1_telefono": "Contacto 1: El número de teléfono no tiene la cantidad correcta de dígitos: un celular tiene 10 "
                + "(099 123 4567) y un fijo 9 con el código de provincia ((02) 234 5678).",
            "contacto_2_nombre": "Contacto 2: El nombre del contacto solo puede tener letras, espacios, apóstrofos, guiones y puntos.",
            "contacto_2_telefono": "Contacto 2: Ese número es de un servicio especial (1800, VoIP o similar); ingrese un número de "
                + "teléfono fijo o celular.",
            "consentimiento_datos": "Para registrarse debe autorizar el tratamiento de sus datos personales según la Ley "
                + "Orgánica de Protección de Datos Personales.",
            "politica_uso": "Para registrarse debe aceptar la política de uso del botón de seguridad: se usa solo en "
                + "emergencias.",
        ])
        #expect(error?.mensaje == "Revise los datos del formulario: hay 17 campos por corregir.")
        #expect(try f.text("SELECT count(*) FROM citizen") == "0")
        #expect(try f.text("SELECT last FROM tramite_sequence") == nil)
    }

    @Test(arguments: [
        // (field to break, value, key, reason)
        ("tipo_documento", "dni", "tipo_documento", "required"),
        ("cedula", "1710034066", "numero_documento", "check_digit"),
        ("nacionalidad_ec", "EC", "nacionalidad", "nationality"),
        ("fecha", "1990-02-30", "fecha_nacimiento", "nonexistent"),
        ("fecha", "1900-01-01", "fecha_nacimiento", "age"),
        ("fecha", "23/04/1985", "fecha_nacimiento", "format"),
        ("ubicacion", "", "ubicacion_domicilio", "required"),
        ("ubicacion_parcial", "", "ubicacion_domicilio", "partial"),
        ("ubicacion_rango", "", "ubicacion_domicilio", "latitude"),
        ("contacto_propio", "0991234567", "contacto_2_telefono", "own_line"),
        ("contacto_repetido", "098 765 4321", "contacto_3_telefono", "repeated"),
        ("trabajo_sin_direccion", "", "direccion_trabajo", "required"),
        ("direccion_corta", "Av 1", "direccion_domicilio", "length"),
        ("contactos_cuatro", "", "contactos", "count"),
    ])
    func eachFieldIsChecked(_ what: String, _ value: String, _ key: String, _ reason: String) throws {
        let f = try F()
        var form = F.form(at: F.places.a)
        switch what {
        case "tipo_documento": form.documentKind = value
        case "cedula": form.documentNumber = value
        case "nacionalidad_ec":
            form.documentKind = "pasaporte"
            form.documentNumber = "AB123456"
            form.nationality = value
        case "fecha": form.birthDate = value
        case "ubicacion": (form.homeLatitude, form.homeLongitude) = ("", "")
        case "ubicacion_parcial": form.homeLongitude = ""
        case "ubicacion_rango": form.homeLatitude = "-95.5"
        case "contacto_propio": form.contacts[1].phone = value
        case "contacto_repetido": form.contacts[2].phone = value
        case "trabajo_sin_direccion": (form.workLatitude, form.workLongitude) = ("-0.21", "-78.49")
        case "direccion_corta": form.homeAddress = value
        case "contactos_cuatro": form.contacts.append(.init(name: "Rosa Vera", phone: "+593 99 222 3344"))
        default: Issue.record("unknown case \(what)")
        }
        let error = refusal { try f.service.submitOnline(form, at: f.now()) }
        #expect(error?.form?.reasons == [key: reason], "\(what)")
    }

    @Test func passportsCommasAndOptionalFieldsAreAccepted() throws {
        let f = try F()
        var form = F.form(at: F.places.a)
        form.documentKind = "pasaporte"
        form.documentNumber = " ab1234567 "
        form.nationality = "per"
        form.email = ""
        form.homeLatitude = form.homeLatitude.replacingOccurrences(of: ".", with: ",")
        form.workAddress = "Av. 10 de Agosto y Colón, oficina 3"
        form.workLatitude = "-0.2"
        form.workLongitude = "-78.5"
        let tramite = try f.service.submitOnline(form, at: f.now()).tramite
        #expect(try f.text("SELECT document_key || ' ' || nationality FROM citizen") == "pasaporte:PE:AB1234567 PE")
        #expect(try f.text("SELECT email FROM citizen") == nil)
        #expect(try f.text("SELECT work_address FROM enrollment") == "Av. 10 de Agosto y Colón, oficina 3")
        #expect(try f.service.status(tramite: tramite, document: "AB1234567") != nil)
        #expect(try f.service.status(tramite: tramite, document: "ab 1234567") != nil)
    }

    // MARK: Status and baja

    @Test func statusNeedsBothTheTramiteAndTheDocument() throws {
        let f = try F()
        let tramite = try f.service.submitOnline(F.form(at: F.places.a), at: f.now()).tramite
        let other = try f.service.submitOnline(F.form(cedula: "0102030400", phone: "0987777777", at: F.places.b),
                                               at: f.now()).tramite
        let view = try f.service.status(tramite: tramite, document: "1710034065")
        #expect(view?.tramite == tramite && view?.estado == "Ingresada" && view?.upcCode == F.places.a.upc)
        #expect(try f.service.status(tramite: tramite.lowercased().replacingOccurrences(of: "-", with: " "),
                                     document: "1710034065") == view)
        #expect(try f.service.status(tramite: tramite, document: "0102030400") == nil)  // someone else's document
        #expect(try f.service.status(tramite: other, document: "1710034065") == nil)
        #expect(try f.service.status(tramite: tramite, document: "") == nil)
        #expect(try f.service.status(tramite: "BS-2026-000099-0", document: "1710034065") == nil)
        #expect(try f.service.status(tramite: "no es un trámite", document: "1710034065") == nil)
        #expect(try f.service.status(tramite: "", document: "") == nil)
    }

    /// An active button, its device id and secret.
    private func activeButton(_ f: F) throws -> (tramite: String, officer: OperatorIdentity, id: String, secret: [UInt8]) {
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        try f.service.recordContact(tramite, result: .contactado, note: nil, by: officer, at: f.now())
        try f.service.verify(tramite, by: officer, at: f.now())
        guard case .app(let id, let secretHex, _) = try f.service.register(tramite, by: officer, at: f.now()).credential
        else { throw FixtureError("app credential expected") }
        let secret = Hex.decode(secretHex)!
        #expect(try f.sendAppTest(deviceID: id, secret: secret, sequence: 1, at: f.now()).summary.hasPrefix("aceptada"))
        try f.confirmTest(tramite, by: officer, at: f.now())
        return (tramite, officer, id, secret)
    }

    @Test func anOnlineBajaIsOnlyARequestAndTheButtonKeepsWorking() throws {
        let f = try F()
        let (tramite, officer, id, secret) = try activeButton(f)
        let wrong = refusal { try f.service.requestBaja(tramite: tramite, document: "0102030400", at: f.now()) }
        #expect(wrong?.kind == .notFound)
        let t = f.now()
        let view = try f.service.requestBaja(tramite: tramite, document: "1710034065", at: t)
        #expect(view.state == .bajaSolicitada && view.estado == "Baja solicitada")
        #expect(view.mensaje.contains("sigue funcionando") && view.mensaje.contains("Confirmar baja")
                    && view.mensaje.contains("llamará a su línea registrada"))
        #expect(try f.store.device(id: id)?.revokedAt == nil)
        #expect(try f.history(tramite).last == "activa>baja_solicitada ciudadano")
        #expect(try f.audit(tramite).last == "ciudadano solicitar_baja")
        // Long after any cache: the button still raises alerts.
        #expect(try f.sendAppTest(deviceID: id, secret: secret, sequence: 2, at: t.adding(seconds: 60)).summary
            .hasPrefix("aceptada"))
        // Asked again: the same answer, nothing written.
        #expect(try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now()).state == .bajaSolicitada)
        #expect(try f.text("SELECT count(*) FROM enrollment_transition WHERE to_state = 'baja_solicitada'") == "1")
        // The UPC sees it among its pending requests, marked.
        let pending = try f.service.pending(for: officer)
        #expect(pending.map(\.tramite) == [tramite] && pending[0].estado == "Baja solicitada")
    }

    @Test func theDevicesSignedBajaFrameConfirmsAPendingRequestAndNothingElse() throws {
        let f = try F()
        let (tramite, officer, id, secret) = try activeButton(f)
        let t = f.now()
        // The phone's clock when it built each frame: a retransmission is the same bytes.
        func baja(_ sequence: UInt64, at: Timestamp) throws -> Answer {
            let frame = try DeviceFrame(kind: .baja, deviceID: DeviceID(hex: id)!, sequence: sequence,
                                        clientTimestampMs: t.adding(seconds: Int64(sequence)).millisecondsSince1970,
                                        batteryPercent: nil, position: nil)
            return try f.ingest(frame.encode(secret: secret), at: at)
        }
        // No request: refused, nothing changes; a retransmission gets the same refusal.
        guard case .acknowledgement(let none, _) = try baja(10, at: t) else { Issue.record("ack expected"); return }
        #expect(none.status == .rechazada && none.reason == .sinSolicitud)
        guard case .acknowledgement(let again, _) = try baja(10, at: t) else { Issue.record("ack expected"); return }
        #expect(again.status == .rechazada && again.reason == .sinSolicitud)
        #expect(try f.history(tramite).last == "prueba_pendiente>activa operador:\(officer.id)")
        #expect(try f.store.device(id: id)?.revokedAt == nil)
        // Asked online, then confirmed from the button: given de baja, revoked, audited; the next alert is refused.
        try f.service.requestBaja(tramite: tramite, document: "1710034065", at: t.adding(seconds: 1))
        // That same old frame retransmitted cannot confirm the later request.
        guard case .acknowledgement(let replayed, _) = try baja(10, at: t.adding(seconds: 2)) else {
            Issue.record("ack expected"); return
        }
        #expect(replayed.status == .rechazada && replayed.reason == .sinSolicitud)
        guard case .acknowledgement(let done, _) = try baja(11, at: t.adding(seconds: 3)) else {
            Issue.record("ack expected"); return
        }
        #expect(done.status == .aceptada && done.upcCode?.text == F.places.a.upc)
        #expect(try f.history(tramite).last == "baja_solicitada>dada_de_baja dispositivo:\(id)")
        #expect(try f.audit(tramite).last == "dispositivo:\(id) confirmar_baja")
        #expect(try f.store.device(id: id)?.revokedAt != nil)
        #expect(try f.service.status(tramite: tramite, document: "1710034065")?.state == .dadaDeBaja)
        // Refused with the device's own key, saying why: the phone can tell its owner the button was switched off.
        let after = try f.sendAppTest(deviceID: id, secret: secret, sequence: 12, at: t.adding(seconds: 4))
        #expect(after.summary == "rechazada dada_de_baja")
        guard case .acknowledgement(let switchedOff, let key) = after else { Issue.record("ack expected"); return }
        #expect(key == secret && switchedOff.sequence == 12 && switchedOff.incidentID == 0)
        // The baja frame itself, retransmitted, still gets its first answer.
        guard case .acknowledgement(let retransmitted, _) = try baja(11, at: t.adding(seconds: 5)) else {
            Issue.record("ack expected"); return
        }
        #expect(retransmitted.status == .duplicada)
        // A second baja is a conflict (terminal).
        #expect(refusal { try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now()) }?.kind
            == .conflict)
    }

    @Test func theUPCConfirmsOrRejectsAPendingBajaAfterCallingTheLine() throws {
        let f = try F()
        let (tramite, officer, id, secret) = try activeButton(f)
        let other = try f.officer("benitez", upc: F.places.b.upc)
        // Nothing pending: both refused.
        #expect(refusal { try f.service.confirmBaja(tramite, by: officer, at: f.now()) }?.code == "sin_baja_solicitada")
        try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now())
        // Rejected (the holder did not ask): back to activa, with the reason; the button works.
        #expect(refusal { try f.service.rejectBaja(tramite, reason: " ", by: officer, at: f.now()) }?.code
            == "missing_reason")
        #expect(refusal { try f.service.rejectBaja(tramite, reason: "x", by: other, at: f.now()) }?.kind == .notFound)
        #expect(try f.service.rejectBaja(tramite, reason: "El titular no pidió la baja", by: officer, at: f.now()).state
            == .activa)
        #expect(try f.audit(tramite).last == "operador:\(officer.id) rechazar_baja")
        #expect(try f.store.device(id: id)?.revokedAt == nil)
        // Asked again and confirmed by the officer: dada_de_baja, every credential of the line revoked.
        try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now())
        #expect(refusal { try f.service.confirmBaja(tramite, by: other, at: f.now()) }?.kind == .notFound)
        #expect(try f.service.confirmBaja(tramite, by: officer, at: f.now()).state == .dadaDeBaja)
        #expect(try f.audit(tramite).last == "operador:\(officer.id) confirmar_baja")
        #expect(try f.store.device(id: id)?.revokedAt != nil)
        #expect(try f.text("SELECT count(*) FROM device WHERE revoked_at IS NULL") == "0")
        #expect(try f.sendAppTest(deviceID: id, secret: secret, sequence: 9, at: f.now().adding(seconds: 11)).summary
            == "rechazada dada_de_baja")
    }

    @Test func aRequestWithoutAButtonOffersNoBaja() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        for step in 0 ..< 3 {
            let refused = refusal { try f.service.requestBaja(tramite: tramite, document: "1710034065", at: f.now()) }
            #expect(refused?.kind == .conflict && refused?.code == "sin_boton", "step \(step)")
            if step == 0 { try f.service.recordContact(tramite, result: .contactado, note: nil, by: officer, at: f.now()) }
            if step == 1 { try f.service.verify(tramite, by: officer, at: f.now()) }
        }
        #expect(try f.service.status(tramite: tramite, document: "1710034065")?.state == .verificada)
    }

    // MARK: One button per line

    @Test func theSameFormSubmittedTwiceIsOneRequest() throws {
        let f = try F()
        let a = F.places.a
        let first = try f.service.submitOnline(F.form(at: a), at: f.now())
        // A double click, or a retried POST: the same número de trámite, nothing written twice.
        let again = try f.service.submitOnline(F.form(at: a), at: f.now())
        #expect(again.tramite == first.tramite)
        #expect(try f.text("SELECT count(*) FROM enrollment") == "1")
        #expect(try f.text("SELECT count(*) FROM enrollment_transition") == "1")
        #expect(try f.text("SELECT count(*) FROM enrollment_contact") == "3")
        // Past the window it is a new request, linked to the first (the line already has a live one).
        let later = try f.service.submitOnline(
            F.form(at: a), at: f.now().adding(seconds: EnrollmentService.resubmissionWindowSeconds + 1))
        #expect(later.tramite != first.tramite)
        #expect(try f.text("SELECT count(*) FROM enrollment") == "2")
    }

    @Test func aSecondRequestForALiveLineIsLinkedAndCannotTakeTheButton() throws {
        let f = try F()
        let (a, a2) = (F.places.a, F.places.a2)
        let officer = try f.officer("andrade", upc: a.upc)
        let first = try f.service.submitOnline(F.form(at: a), at: f.now())
        // Someone else asks for the same line: same kind of answer, nothing said about the first request.
        let second = try f.service.submitOnline(F.form(cedula: "0102030400", phone: "+593 99 123 4567", at: a2,
                                                       names: "Carlos", surnames: "Vera"), at: f.now())
        #expect(second.state == .ingresada && second.tramite != first.tramite)
        #expect(!second.mensaje.contains(first.tramite) && !second.mensaje.contains("vincul"))
        #expect(try f.text("SELECT count(*) FROM enrollment") == "2")
        #expect(try f.text("SELECT f.tramite FROM enrollment e JOIN enrollment f ON f.id = e.linked_to WHERE e.tramite = ?1",
                           [.text(second.tramite)]) == first.tramite)
        // The line keeps the first request's address and citizen.
        #expect(try f.text("SELECT c.document_number FROM phone_line l JOIN citizen c ON c.id = l.citizen_id") == "1710034065")
        // The officer sees the link; the citizen's status does not.
        let pending = try f.service.pending(for: officer)
        #expect(pending.map(\.tramite) == [first.tramite, second.tramite])
        #expect(pending[1].linkedTo == first.tramite)
        #expect(try f.service.detail(first.tramite, for: officer, at: f.now()).linkedRequests == [second.tramite])

        // The first one gets the button; the linked one cannot take it while the first holds it.
        for t in [first.tramite, second.tramite] {
            try f.service.recordContact(t, result: .contactado, note: nil, by: officer, at: f.now())
            try f.service.verify(t, by: officer, at: f.now())
        }
        _ = try f.service.register(first.tramite, by: officer, at: f.now())
        let taken = refusal { try f.service.register(second.tramite, by: officer, at: f.now()) }
        #expect(taken?.kind == .conflict && taken?.code == "line_has_button")
        #expect(taken?.mensaje.contains(first.tramite) == true)
        #expect(try f.text("SELECT count(*) FROM device") == "1")
        // While the first one's baja is only asked for, it still holds the button; once the UPC confirms it,
        // the second may be registered (the line changed hands).
        try f.service.requestBaja(tramite: first.tramite, document: "1710034065", at: f.now())
        #expect(refusal { try f.service.register(second.tramite, by: officer, at: f.now()) }?.code == "line_has_button")
        try f.service.confirmBaja(first.tramite, by: officer, at: f.now())
        let registration = try f.service.register(second.tramite, by: officer, at: f.now())
        #expect(registration.summary.state == .pruebaPendiente)
        #expect(try f.text("SELECT count(*) FROM device WHERE revoked_at IS NULL") == "1")
        #expect(try f.text("SELECT c.document_number FROM phone_line l JOIN citizen c ON c.id = l.citizen_id") == "0102030400")
    }

    @Test func aCitizenIsReusedByDocumentAndOnlineFormsDoNotOverwriteVerifiedData() throws {
        let f = try F()
        let a = F.places.a
        let officer = try f.officer("andrade", upc: a.upc)
        let first = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        // Before any verification a new form updates the data (a typo fixed).
        _ = try f.service.submitOnline(F.form(phone: "0987777777", at: a, names: "María Josefa"), at: f.now())
        #expect(try f.text("SELECT count(*) FROM citizen") == "1")
        #expect(try f.text("SELECT nombres FROM citizen") == "María Josefa")
        try f.service.recordContact(first, result: .contactado, note: nil, by: officer, at: f.now())
        try f.service.verify(first, by: officer, at: f.now())
        _ = try f.service.submitOnline(F.form(phone: "0986666666", at: a, names: "Impostora"), at: f.now())
        #expect(try f.text("SELECT nombres FROM citizen") == "María Josefa")
        // In person, an officer saw the document: the data is updated.
        _ = try f.service.createInPerson(F.form(phone: "0985555555", at: a, names: "María José"),
                                         usagePolicyExplained: true, by: officer, at: f.now())
        #expect(try f.text("SELECT nombres FROM citizen") == "María José")
        #expect(try f.text("SELECT count(*) FROM citizen") == "1")
        #expect(try f.text("SELECT max(last) FROM tramite_sequence") == "4")
    }

    // MARK: Scope

    @Test func anOfficerCannotSeeOrActOnAnotherUPCsRequests() throws {
        let f = try F()
        let (a, b) = (F.places.a, F.places.b)
        let officerA = try f.officer("andrade", upc: a.upc)
        let officerB = try f.officer("benitez", upc: b.upc)
        let tramite = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        #expect(try f.service.pending(for: officerB).isEmpty)
        let attempts: [(String, EnrollmentError?)] = [
            ("detail", refusal { try f.service.detail(tramite, for: officerB, at: f.now()) }),
            ("contact", refusal { try f.service.recordContact(tramite, result: .contactado, note: nil, by: officerB,
                                                              at: f.now()) }),
            ("verify", refusal { try f.service.verify(tramite, by: officerB, at: f.now()) }),
            ("reject", refusal { try f.service.reject(tramite, reason: "x", by: officerB, at: f.now()) }),
            ("register", refusal { try f.service.register(tramite, by: officerB, at: f.now()) }),
            ("confirm", refusal { try f.confirmTest(tramite, by: officerB, at: f.now()) }),
        ]
        // Answered exactly as a trámite that does not exist (kind, code and words), so números cannot be probed.
        let unknownNumber = TramiteNumber(year: 2026, sequence: 998)!.text
        let missing = refusal { try f.service.detail(unknownNumber, for: officerB, at: f.now()) }
        for (name, error) in attempts {
            #expect(error?.kind == .notFound && error?.code == "tramite_not_found", "\(name)")
            #expect(error?.isOutOfScope == true)
            #expect(error?.mensaje == "No existe una solicitud con el número de trámite \(tramite).")
            #expect(error?.mensaje.replacingOccurrences(of: tramite, with: unknownNumber) == missing?.mensaje)
        }
        #expect(missing?.kind == .notFound && missing?.isOutOfScope == false)
        // Nothing happened, and each attempt is in the audit log.
        #expect(try f.history(tramite) == ["->ingresada ciudadano"])
        #expect(try f.text("SELECT count(*) FROM contact_attempt") == "0")
        #expect(try f.audit(tramite) == Array(repeating: "operador:\(officerB.id) acceso_denegado", count: 6))
        // A's officer can; unknown and malformed números are told apart.
        #expect(try f.service.detail(tramite, for: officerA, at: f.now()).summary.tramite == tramite)
        let unknown = TramiteNumber(year: 2026, sequence: 999)!.text
        #expect(refusal { try f.service.detail(unknown, for: officerA, at: f.now()) }?.kind == .notFound)
        let typo = refusal { try f.service.detail("BS-2026-000001-X", for: officerA, at: f.now()) }
        #expect(typo?.kind == .invalid && typo?.code == "tramite_format")
    }

    @Test func supervisorsSeeTheirDistritoAndAdministratorsEverything() throws {
        let f = try F()
        let (a, b, c) = (F.places.a, F.places.b, F.places.c)
        let supervisor = try f.officer("supervisor", .supervisorDistrito, district: a.district)
        let admin = try f.officer("admin", .administrador)
        let ta = try f.service.submitOnline(F.form(at: a), at: f.now()).tramite
        let tb = try f.service.submitOnline(F.form(cedula: "0102030400", phone: "0987777777", at: b), at: f.now()).tramite
        let tc = try f.service.submitOnline(F.form(cedula: "0926687856", phone: "0986666666", at: c), at: f.now()).tramite
        #expect(try f.service.pending(for: supervisor).map(\.tramite) == [ta, tb])
        #expect(try f.service.pending(for: admin).map(\.tramite) == [ta, tb, tc])
        #expect(try f.service.recordContact(tb, result: .contactado, note: nil, by: supervisor, at: f.now()).state
            == .enVerificacion)
        let outside = refusal { try f.service.detail(tc, for: supervisor, at: f.now()) }
        #expect(outside?.kind == .notFound && outside?.code == "tramite_not_found")
        #expect(try f.service.detail(tc, for: admin, at: f.now()).summary.upcCode == c.upc)
        #expect(try f.service.pending(for: f.officer("otro", upc: c.upc)).map(\.tramite) == [tc])
        // An identity without its scope sees nothing.
        let broken = OperatorIdentity(id: 99, username: "x", displayName: "x", role: .operadorUPC, upcCode: nil,
                                      districtCode: nil)
        #expect(refusal { try f.service.pending(for: broken) }?.code == "no_scope")
    }

    @Test func tramiteNumbersFollowEachOtherWithinAYear() throws {
        let f = try F()
        var seen: [Int] = []
        for i in 0..<3 {
            let phone = "09877777\(70 + i)"
            let t = try f.service.submitOnline(F.form(phone: phone, at: F.places.a), at: f.now()).tramite
            seen.append(try TramiteNumber(t).sequence)
        }
        #expect(seen == [1, 2, 3])
        // A new year starts again at 1 (Ecuador's date: 05:00 UTC on 1 January is midnight in Quito).
        let newYear = Timestamp(secondsSince1970: Int64(CivilDate(year: 2027, month: 1, day: 1)!.daysSince1970) * 86_400
                                + 5 * 3600)
        let t = try f.service.submitOnline(F.form(phone: "0987777799", at: F.places.a), at: newYear).tramite
        #expect(t.hasPrefix("BS-2027-000001-"))
    }
}
