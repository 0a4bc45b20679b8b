import BotonCore
import BotonCrypto
import BotonNet
import BotonStoreFixtures
import BotonTestSupport
import BotonWire
import Foundation
import Testing

/// Issue 13, finding 1, against the real binary: a stranger who knows (or guessed) a número de trámite and its
/// document can only *ask* for the baja of a citizen's button; the button keeps working until the citizen's own
/// device or the UPC confirms it, and guesses are limited per trámite and per document, whatever the address.
@Suite struct BajaRequestTests {
    /// A server whose per-address limit stays out of the way (loopback is one address), with a small
    /// per-trámite/per-document allowance.
    private static func server(_ db: String) throws -> Server {
        try Server(database: db, extra: ["--set", "http.form_rate_burst=1000", "--set", "http.tramite_attempts_burst=3",
                                         "--set", "http.tramite_attempts_per_hour=1"])
    }

    /// The applicant's request taken through the officer's API to an active button; returns the número de
    /// trámite, the officer's client and CSRF header, and the activation code as the app holds it.
    private static func activeButton(_ server: Server, officerName: String = "andrade") throws
        -> (tramite: String, officer: WebClient, header: [String: String], code: String)
    {
        let citizen = try WebClient(port: server.httpPort)
        let tramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", Applicant().json).string("tramite"))
        let officer = try WebClient(port: server.httpPort)
        let login = try officer.postJSON("/api/v1/sesiones", ["usuario": officerName, "contrasena": officerPassword])
        let header = ["X-CSRF-Token": try #require(try login.string("csrf"))]
        let api = "/api/v1/oficial/enrolamientos/\(tramite)"
        #expect(try officer.postJSON(api + "/contactos", ["resultado": "contactado"], headers: header).status == 200)
        #expect(try officer.request("POST", api + "/verificar", headers: header).status == 200)
        let registered = try officer.request("POST", api + "/registrar", headers: header)
        let code = try #require(try registered.string("credencial.codigo_activacion"))
        let test = try Boton.run(["alert", "test", "--activation", code, "--port", String(server.udpPort)])
        #expect(test.stdout.hasPrefix("aceptada "), "\(test.stdout)\(test.stderr)")
        #expect(try officer.request("POST", api + "/confirmar-prueba", headers: header).string("estado") == "activa")
        return (tramite, officer, header, code)
    }

    private static func alert(_ server: Server, _ code: String) throws -> Boton.Result {
        try Boton.run(["alert", "send", "--activation", code, "--port", String(server.udpPort), "--budget", "10"])
    }

    private static func state(_ db: String, _ tramite: String) throws -> String {
        if TestBackend.isPostgreSQL {
            return try sqlite(db, """
                SELECT e.state || ' ' || CASE WHEN d.revoked_at IS NULL THEN 'vigente' ELSE 'revocado' END
                FROM enrollment e JOIN device d ON d.id = e.device_id WHERE e.tramite = '\(tramite)'
                """)
        }
        return try Boton.runPython("""
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            e = c.execute("SELECT state, device_id FROM enrollment WHERE tramite = ?", (sys.argv[2],)).fetchone()
            d = c.execute("SELECT revoked_at IS NOT NULL FROM device WHERE id = ?", (e[1],)).fetchone()
            print(e[0], "revocado" if d[0] else "vigente")
            """, db, tramite).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aStrangersBajaIsOnlyARequestGuessesAreLimitedAndTheCitizensButtonConfirmsIt() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Self.server(db)
        defer { server.stop() }
        let (tramite, _, _, code) = try Self.activeButton(server)

        // The attack: a stranger with the trámite and the document asks for the baja.
        let stranger = try WebClient(port: server.httpPort)
        let asked = try stranger.postJSON("/api/v1/enrolamientos/\(tramite)/baja", ["documento": "1710034065"])
        #expect(asked.status == 202)
        #expect(try asked.string("estado") == "baja_solicitada")
        #expect(try asked.string("mensaje")?.contains("sigue funcionando") == true)
        #expect(try Self.state(db, tramite) == "baja_solicitada vigente")

        // The victim's button still works, and the service is healthy.
        let stillWorks = try Self.alert(server, code)
        #expect(stillWorks.stdout.hasPrefix("aceptada "), "\(stillWorks.stdout)\(stillWorks.stderr)")
        #expect(try stranger.get("/salud").status == 200)

        // Guessing documents for a trámite: three wrong pairs, then 429 with Retry-After, even for the right one.
        for document in ["0926687856", "0102030400", "1234567890"] {
            #expect(try stranger.postJSON("/api/v1/enrolamientos/\(tramite)/baja", ["documento": document]).status == 404)
        }
        let limited = try stranger.postJSON("/api/v1/enrolamientos/\(tramite)/baja", ["documento": "1710034065"])
        #expect(limited.status == 429)
        let wait = try #require(Int(limited.header("Retry-After") ?? ""))
        #expect(wait > 0)
        #expect(try limited.string("error") == "demasiados_intentos")
        #expect(try limited.string("mensaje")?.contains("demasiados intentos con ese número de trámite") == true)
        #expect(try stranger.get("/api/v1/enrolamientos/estado?tramite=\(tramite)&documento=1710034065").status == 429)
        // Guessing trámites for a document (the citizen's own, which an abuser may know): the same.
        let year = try TramiteNumber(tramite).year
        for sequence in 500 ..< 503 {
            let other = try #require(TramiteNumber(year: year, sequence: sequence)).text
            #expect(try stranger.get("/api/v1/enrolamientos/estado?tramite=\(other)&documento=0999999999").status == 404)
        }
        let other = try #require(TramiteNumber(year: year, sequence: 503)).text
        let byDocument = try stranger.get("/api/v1/enrolamientos/estado?tramite=\(other)&documento=0999999999")
        #expect(byDocument.status == 429 && byDocument.header("Retry-After") != nil)
        // The page answers the same, in Spanish.
        let token = try stranger.csrfToken(from: "/registro/estado")
        let page = try stranger.postForm("/registro/estado", [("csrf", token), ("tramite", tramite),
                                                               ("documento", "1710034065")])
        #expect(page.status == 429 && page.header("Retry-After") != nil)
        #expect(page.text.contains("Hubo demasiados intentos"))
        // Meanwhile the button still works.
        #expect(try Self.alert(server, code).stdout.hasPrefix("aceptada "))

        // The citizen confirms from their own button (a signed frame): given de baja; the next alert is refused.
        let confirmed = try Boton.run(["alert", "baja", "--activation", code, "--port", String(server.udpPort)])
        #expect(confirmed.status == 0 && confirmed.stdout.hasPrefix("aceptada "), "\(confirmed.stdout)\(confirmed.stderr)")
        #expect(try Self.state(db, tramite) == "dada_de_baja revocado")
        // Refused with the button's own key, at the first answer, saying it was switched off (not "unknown").
        let refused = try Self.alert(server, code)
        #expect(refused.status == 2 && refused.stdout.hasPrefix("rechazada motivo=dada_de_baja secuencia="),
                "\(refused.stdout)\(refused.stderr)")
        #expect(!refused.stdout.contains("sin autenticar"))
        #expect(refused.stderr.contains("Este botón de seguridad fue dado de baja"))
        // The HTTPS intake says the same, as JSON with the signed acknowledgement.
        let credential = try ActivationCode(code)
        let deviceHex = Hex.encode(credential.deviceID)
        let frame = try DeviceFrame(kind: .alerta, deviceID: DeviceID(hex: deviceHex)!, sequence: 900,
                                    clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000),
                                    batteryPercent: 50, position: nil).encode(secret: credential.secret)
        let intake = try HTTPTestClient(port: server.httpsPort, tls: try TLSContext(clientVerifying: server.certificate))
        let overHTTPS = try intake.request("POST", "/api/v1/alertas", headers: [
            "Content-Type": "application/octet-stream", "X-Boton-Dispositivo": deviceHex], body: frame)
        #expect(overHTTPS.status == 410)
        let json = try overHTTPS.json()
        #expect(json["estado"] as? String == "rechazada" && json["motivo"] as? String == "dada_de_baja")
        #expect((json["mensaje"] as? String)?.contains("fue dado de baja") == true)
        let signed = try Acknowledgement.decode(Array(Data(base64Encoded: json["acuse"] as! String)!),
                                                key: credential.secret)
        #expect(signed.status == .rechazada && signed.reason == .dadaDeBaja && signed.sequence == 900)
        #expect(try stranger.get("/salud").status == 200)
    }

    @Test func aBajaFrameWithNothingAskedChangesNothing() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Self.server(db)
        defer { server.stop() }
        let (tramite, _, _, code) = try Self.activeButton(server)
        let baja = try Boton.run(["alert", "baja", "--activation", code, "--port", String(server.udpPort)])
        #expect(baja.status == 2 && baja.stdout.hasPrefix("rechazada motivo=sin_solicitud"), "\(baja.stdout)")
        #expect(baja.stderr.contains("No hay un pedido de baja pendiente"))
        #expect(try Self.state(db, tramite) == "activa vigente")
        #expect(try Self.alert(server, code).stdout.hasPrefix("aceptada "))
    }

    @Test func theUPCSeesThePendingBajaAndConfirmsItAfterCallingTheLine() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        try addOfficer(db, "guayas", upc: Applicant.guayaquil.upc)
        let server = try Self.server(db)
        defer { server.stop() }
        let (tramite, officerAPI, header, code) = try Self.activeButton(server)

        // Asked through the citizen's page (a button exists, so it is offered).
        let citizen = try WebClient(port: server.httpPort)
        let token = try citizen.csrfToken(from: "/registro/estado")
        let status = try citizen.postForm("/registro/estado", [("csrf", token), ("tramite", tramite),
                                                                 ("documento", "1710034065")])
        #expect(status.text.contains("action=\"/registro/baja\""))
        let asked = try citizen.postForm("/registro/baja", [("csrf", token), ("tramite", tramite),
                                                             ("documento", "1710034065"), ("confirmar_baja", "si")])
        #expect(asked.status == 200)
        #expect(asked.text.contains("Baja solicitada") && asked.text.contains("sigue funcionando"))
        #expect(asked.text.contains("Confirmar baja") && asked.text.contains("llamará a su línea registrada"))
        #expect(!asked.text.contains("action=\"/registro/baja\""))  // nothing more to ask

        // The UPC sees it, marked, in its list and on the request's page, with both actions.
        let list = try officerAPI.get("/api/v1/oficial/enrolamientos")
        let rows = try #require(try list.value("solicitudes") as? [[String: Any]])
        #expect(rows.first { $0["tramite"] as? String == tramite }?["estado"] as? String == "baja_solicitada")
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        #expect(try officer.get("/oficial/solicitudes").text.contains("Baja solicitada"))
        let detailPage = try officer.get("/oficial/solicitudes/\(tramite)")
        #expect(detailPage.text.contains("id=\"baja-solicitada\""))
        #expect(detailPage.text.contains("/confirmar-baja\"") && detailPage.text.contains("/rechazar-baja\""))
        #expect(try Self.alert(server, code).stdout.hasPrefix("aceptada "))

        // Another UPC's officer cannot confirm it: 404, as for a trámite that does not exist.
        let guayas = try WebClient(port: server.httpPort)
        let other = try guayas.postJSON("/api/v1/sesiones", ["usuario": "guayas", "contrasena": officerPassword])
        let otherHeader = ["X-CSRF-Token": try #require(try other.string("csrf"))]
        let foreign = try guayas.request("POST", "/api/v1/oficial/enrolamientos/\(tramite)/confirmar-baja",
                                         headers: otherHeader)
        #expect(foreign.status == 404)
        #expect(try foreign.string("error") == "tramite_not_found")
        #expect(try guayas.get("/oficial/solicitudes/\(tramite)").status == 404)
        #expect(try Self.state(db, tramite) == "baja_solicitada vigente")

        // The officer called the line and the holder confirmed: the page's button gives it de baja.
        let csrf = try officer.csrfToken(from: "/oficial/solicitudes/\(tramite)")
        let done = try officer.postForm("/oficial/solicitudes/\(tramite)/confirmar-baja", [("csrf", csrf)])
        #expect(done.status == 303)
        #expect(try Self.state(db, tramite) == "dada_de_baja revocado")
        // Confirmed once: a second confirmation is a conflict.
        let again = try officerAPI.request("POST", "/api/v1/oficial/enrolamientos/\(tramite)/confirmar-baja",
                                           headers: header)
        #expect(again.status == 409)
        let audit = try sqliteColumn(db, "SELECT action FROM audit_log "
            + "WHERE action IN ('solicitar_baja','confirmar_baja','acceso_denegado') ORDER BY id")
        #expect(audit == ["solicitar_baja", "acceso_denegado", "acceso_denegado", "confirmar_baja"])
    }
}
