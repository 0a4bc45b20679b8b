import BotonCore
import BotonCrypto
import BotonStoreFixtures
import Foundation
import Testing

/// The enrollment JSON API of `boton serve`, end to end: a citizen's request, the officer's steps, the app's test
/// alert, the citizen's baja.
@Suite struct EnrollmentAPITests {
    @Test func theOnlineProcedureFromRequestToActiveButtonThroughTheAPI() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let applicant = Applicant()

        // Step 1: the citizen submits. Bodies must be JSON; a bad form lists every field at once.
        let citizen = try WebClient(port: server.httpPort)
        let notJSON = try citizen.postForm("/api/v1/enrolamientos", applicant.fields)
        #expect(notJSON.status == 415)
        #expect(try notJSON.string("error") == "tipo_contenido")
        var broken = applicant.json
        broken["numero_documento"] = "1710034066"
        broken["contactos"] = [["nombre": "Luis Pérez", "telefono": "098 765 4321"]]
        broken["politica_uso"] = false
        let invalid = try citizen.postJSON("/api/v1/enrolamientos", broken)
        #expect(invalid.status == 422)
        #expect(try invalid.string("error") == "form")
        let errores = try #require(try invalid.value("errores") as? [String: String])
        #expect(Set(errores.keys) == ["numero_documento", "contactos", "politica_uso"])
        #expect(errores["contactos"]?.contains("ingresó 1") == true)

        let created = try citizen.postJSON("/api/v1/enrolamientos", applicant.json)
        #expect(created.status == 201)
        let tramite = try #require(try created.string("tramite"))
        #expect(try TramiteNumber(tramite).text == tramite)
        #expect(try created.string("estado") == "ingresada")
        #expect(try created.string("upc.codigo") == Applicant.quitoUPC)
        #expect(created.header("Cache-Control") == "no-store")

        // The status needs both keys; anything else is one and the same "not found".
        let status = try citizen.get("/api/v1/enrolamientos/estado?tramite=\(tramite)&documento=1710034065")
        #expect(status.status == 200)
        #expect(try status.string("estado_nombre") == "Ingresada")
        #expect(try status.value("ciudadano") == nil && !status.text.contains("María"))
        let other = try #require(TramiteNumber(year: try TramiteNumber(tramite).year, sequence: 999)).text
        var answers: Set<String> = []
        for query in ["tramite=\(tramite)", "documento=1710034065", "tramite=\(tramite)&documento=0926687856",
                      "tramite=\(other)&documento=1710034065", "tramite=BS-1&documento=1710034065"] {
            let refused = try citizen.get("/api/v1/enrolamientos/estado?\(query)")
            #expect(refused.status == 404, "\(query)")
            answers.insert(refused.text)
        }
        #expect(answers.count == 1)
        #expect(answers.first?.contains("No encontramos una solicitud con esos datos") == true)

        // The officer signs in; the API wants a session, and its CSRF header for every change.
        let officer = try WebClient(port: server.httpPort)
        let anonymous = try officer.get("/api/v1/oficial/enrolamientos")
        #expect(anonymous.status == 401)
        #expect(try anonymous.string("error") == "sin_sesion")
        let wrong = try officer.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": "no-es-la-clave"])
        #expect(wrong.status == 401)
        #expect(try wrong.string("mensaje") == "Usuario o contraseña incorrectos.")
        let login = try officer.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
        #expect(login.status == 201)
        #expect(try login.string("operador.upc") == Applicant.quitoUPC)
        let csrf = try #require(try login.string("csrf"))
        #expect(officer.cookies["boton_sesion"]?.count == 64 && officer.cookies["boton_csrf"] == csrf)
        let header = ["X-CSRF-Token": csrf]
        let api = "/api/v1/oficial/enrolamientos/\(tramite)"

        let list = try officer.get("/api/v1/oficial/enrolamientos")
        let rows = try #require(try list.value("solicitudes") as? [[String: Any]])
        #expect(rows.map { $0["tramite"] as? String } == [tramite])
        let detail = try officer.get(api)
        #expect(try detail.string("ciudadano.numero_documento") == "1710034065")
        #expect(try detail.string("linea.e164") == "+593991234567")

        // Step 2: contact. Without the header, nothing changes.
        let forged = try officer.postJSON(api + "/contactos", ["resultado": "contactado"])
        #expect(forged.status == 403)
        #expect(try forged.string("error") == "csrf")
        let badResult = try officer.postJSON(api + "/contactos", ["resultado": "tal_vez"], headers: header)
        #expect(badResult.status == 422)
        let contacted = try officer.postJSON(api + "/contactos", ["resultado": "contactado", "nota": "Confirmó datos"],
                                             headers: header)
        #expect(contacted.status == 200)
        #expect(try contacted.string("estado") == "en_verificacion")

        // Step 3: verify and register; the credential comes once, as an activation code.
        let early = try officer.request("POST", api + "/confirmar-prueba", headers: header)
        #expect(early.status == 409)
        #expect(try early.string("error") == "wrong_state")
        #expect(try officer.request("POST", api + "/verificar", headers: header).string("estado") == "verificada")
        let registered = try officer.request("POST", api + "/registrar", headers: header)
        #expect(registered.status == 200)
        #expect(try registered.string("solicitud.estado") == "prueba_pendiente")
        #expect(try registered.string("credencial.tipo") == "app")
        let code = try ActivationCode(try #require(try registered.string("credencial.codigo_activacion")))
        #expect(Hex.encode(code.deviceID) == (try registered.string("credencial.dispositivo")))

        // Step 4: no test alert yet → 409; the app sends its prueba; then the officer confirms.
        let noTest = try officer.request("POST", api + "/confirmar-prueba", headers: header)
        #expect(noTest.status == 409)
        #expect(try noTest.string("error") == "no_test_alert")
        // The code as the citizen would type it into the app: lower case, spaces instead of dashes.
        let typed = try #require(try registered.string("credencial.codigo_activacion")).lowercased()
            .replacingOccurrences(of: "-", with: " ")
        let both = try Boton.run(["alert", "test", "--activation", typed, "--device", Hex.encode(code.deviceID)])
        #expect(both.status != 0 && both.stderr.contains("not both"))
        let mistyped = try Boton.run(["alert", "test", "--activation", "ABCDE"])
        #expect(mistyped.status != 0 && mistyped.stderr.contains("--activation"))
        let alert = try Boton.run(["alert", "test", "--activation", typed, "--port", String(server.udpPort)])
        #expect(alert.stdout.hasPrefix("aceptada "), "\(alert.stdout)\(alert.stderr)")
        let confirmed = try officer.request("POST", api + "/confirmar-prueba", headers: header)
        #expect(confirmed.status == 200)
        #expect(try confirmed.string("estado") == "activa")
        #expect(try citizen.get("/api/v1/enrolamientos/estado?tramite=\(tramite)&documento=1710034065")
            .string("estado") == "activa")

        // The citizen withdraws: both keys again, and the same refusal for a wrong document.
        let wrongBaja = try citizen.postJSON("/api/v1/enrolamientos/\(tramite)/baja", ["documento": "0926687856"])
        #expect(wrongBaja.status == 404)
        #expect(wrongBaja.text == answers.first)
        let baja = try citizen.postJSON("/api/v1/enrolamientos/\(tramite)/baja", ["documento": "1710034065"])
        #expect(baja.status == 202)
        #expect(try baja.string("estado") == "baja_solicitada")

        // Signing out ends the session on the server.
        #expect(try officer.request("DELETE", "/api/v1/sesiones/actual").status == 403)
        let out = try officer.request("DELETE", "/api/v1/sesiones/actual", headers: header)
        #expect(out.status == 204)
        #expect(officer.cookies["boton_sesion"] == nil)
        #expect(try officer.get("/api/v1/oficial/enrolamientos").status == 401)

        let audit = try sqliteColumn(db, "SELECT action FROM audit_log ORDER BY id").joined(separator: ",")
        #expect(audit == "crear_operador,inicio_sesion_fallido,inicio_sesion,ver_solicitud,registrar_contacto,"
            + "verificar_solicitud,registrar_boton,confirmar_prueba,tomar,cerrar,solicitar_baja,cierre_sesion")
    }

    /// Issue 15, bug 4: after "Registrar botón" a fijo line is told to dial 135, and `boton alert gateway` sends
    /// the carrier's report of that call: the test reaches the UPC, the officer confirms it, the button is activa
    /// and its test alert closed; a later call without --test is an emergency.
    @Test func aFijoLineIsActivatedByItsCallTo135ReportedByTheCarriersGateway() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let added = try Boton.run(["gateway", "add", "--name", "CNT Quito", "--database", db])
        #expect(added.status == 0, "\(added.stderr)")
        let printed = Dictionary(uniqueKeysWithValues: added.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        })
        let gateway = try #require(printed["gateway"]), secret = try #require(printed["clave"])
        let server = try Server(database: db)
        defer { server.stop() }

        var applicant = Applicant()
        applicant.phone = "02 245 6789"
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", applicant.json).string("tramite"))
        let officer = try WebClient(port: server.httpPort)
        let login = try officer.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
        let header = ["X-CSRF-Token": try #require(try login.string("csrf"))]
        let api = "/api/v1/oficial/enrolamientos/\(tramite)"
        #expect(try officer.postJSON(api + "/contactos", ["resultado": "contactado"], headers: header).status == 200)
        #expect(try officer.request("POST", api + "/verificar", headers: header).status == 200)
        let registered = try officer.request("POST", api + "/registrar", headers: header)
        #expect(registered.status == 200)
        #expect(try registered.string("instrucciones")?.contains("marque 135") == true, "\(registered.text)")

        // The carrier reports the test call from the fijo (as the citizen writes the number).
        let call = try Boton.run(["alert", "gateway", "--gateway", gateway, "--secret", secret, "--line", "02 245 6789",
                                  "--test", "--port", String(server.udpPort)])
        #expect(call.status == 0 && call.stdout.hasPrefix("aceptada ") && call.stdout.contains("upc=\(Applicant.quitoUPC)"),
                "\(call.stdout)\(call.stderr)")
        let incident = try #require(call.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count))
        let confirmed = try officer.request("POST", api + "/confirmar-prueba", headers: header)
        #expect(confirmed.status == 200)
        #expect(try confirmed.string("estado") == "activa", "\(confirmed.text)")
        let test = try officer.get("/api/v1/consola/alertas/\(incident)")
        #expect(try test.value("alerta.prueba") as? Bool == true && test.string("alerta.resultado") == "prueba")

        // Now a real call to 135 from that line is an alert of its UPC.
        let emergency = try Boton.run(["alert", "gateway", "--gateway", gateway, "--secret", secret,
                                       "--line", "+593 2 245 6789", "--port", String(server.udpPort)])
        #expect(emergency.status == 0 && emergency.stdout.hasPrefix("aceptada "), "\(emergency.stdout)")
        let real = try #require(emergency.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count))
        #expect(real != incident)
        #expect(try officer.get("/api/v1/consola/alertas/\(real)").value("alerta.prueba") as? Bool == false)
        // A line that is not a registered fijo is refused; a malformed one never leaves the command.
        let stranger = try Boton.run(["alert", "gateway", "--gateway", gateway, "--secret", secret,
                                      "--line", "02 299 9999", "--test", "--port", String(server.udpPort)])
        #expect(stranger.status == 2 && stranger.stdout.hasPrefix("rechazada motivo=desconocido"), "\(stranger.stdout)")
        let typo = try Boton.run(["alert", "gateway", "--gateway", gateway, "--secret", secret, "--line", "02-ABC"])
        #expect(typo.status != 0 && typo.stderr.contains("--line"))
    }

    @Test func anOfficerSeesOnlyTheirScope() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "quito", upc: Applicant.quitoUPC)
        try addOfficer(db, "guayas", upc: Applicant.guayaquil.upc)
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", Applicant().json).string("tramite"))

        let guayas = try WebClient(port: server.httpPort)
        let csrf = try #require(try guayas.postJSON("/api/v1/sesiones", ["usuario": "guayas",
                                                                          "contrasena": officerPassword]).string("csrf"))
        let list = try guayas.get("/api/v1/oficial/enrolamientos")
        #expect((try list.value("solicitudes") as? [Any])?.isEmpty == true)
        // Another UPC's trámite and one that does not exist get the same 404 (only the número differs), so
        // the officer API cannot be used to find out which números exist.
        let missing = try #require(TramiteNumber(year: try TramiteNumber(tramite).year, sequence: 4242)).text
        let detail = try guayas.get("/api/v1/oficial/enrolamientos/\(tramite)")
        let absent = try guayas.get("/api/v1/oficial/enrolamientos/\(missing)")
        #expect(detail.status == 404 && absent.status == 404)
        #expect(try detail.string("error") == "tramite_not_found")
        #expect(detail.text.replacingOccurrences(of: tramite, with: missing) == absent.text)
        for action in ["verificar", "confirmar-baja"] {
            let other = try guayas.request("POST", "/api/v1/oficial/enrolamientos/\(tramite)/\(action)",
                                           headers: ["X-CSRF-Token": csrf])
            let none = try guayas.request("POST", "/api/v1/oficial/enrolamientos/\(missing)/\(action)",
                                          headers: ["X-CSRF-Token": csrf])
            #expect(other.status == 404 && none.status == 404, "\(action)")
            #expect(other.text.replacingOccurrences(of: tramite, with: missing) == none.text, "\(action)")
        }
        // The page says the same (the API's session is the pages' session).
        let page = try guayas.get("/oficial/solicitudes/\(tramite)")
        let absentPage = try guayas.get("/oficial/solicitudes/\(missing)")
        #expect(page.status == 404 && absentPage.status == 404)
        #expect(page.text.contains("No existe una solicitud con el número de trámite"))
        #expect(!page.text.contains("1710034065"))
        #expect(!(try guayas.get("/oficial/solicitudes").text.contains(tramite)))

        let quito = try WebClient(port: server.httpPort)
        try signIn(quito, "quito")
        let own = try quito.get("/oficial/solicitudes")
        #expect(own.text.contains(tramite))
        let ownDetail = try quito.get("/oficial/solicitudes/\(tramite)")
        #expect(ownDetail.status == 200)
        #expect(ownDetail.text.contains("1710034065") && ownDetail.text.contains("Pérez Andrade"))
    }
}

/// Signs in through the HTML form (the session cookie lands in the client's jar).
func signIn(_ client: WebClient, _ username: String, password: String = officerPassword) throws {
    let token = try client.csrfToken(from: "/oficial/ingreso")
    let answer = try client.postForm("/oficial/ingreso", [("csrf", token), ("usuario", username),
                                                          ("contrasena", password)])
    guard answer.status == 303, answer.header("Location") == "/consola" else {
        throw WebClientError("sign-in of \(username) answered \(answer.status): \(answer.text)")
    }
}
