import BotonCore
import BotonRepository
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// A real browser on the citizen's pages: headless Chromium driven through the Chrome DevTools Protocol by
/// `Tests/Browser/registro.py` (Python standard library only; its WebSocket client is written by hand). It opens
/// /registro on a phone-sized screen, lets /static/ubicacion.js fill the home position from an emulated GPS fix
/// ("Usar mi ubicación", permission granted), types the rest of the form, submits it, reads the número de trámite,
/// then looks the request up on /registro/estado. Console errors and CSP violations fail the test.
///
/// Screenshots are written to the test's temporary directory; with `BOTON_SCREENSHOTS=1` the success page is also
/// copied to `Tests/Fixtures/screenshots/registro.png` (never by default: the tree stays clean).
@Suite struct BrowserTests {
    /// The Chromium binary; without one the test fails saying how to install it.
    static func requireChromium() throws -> String {
        try #require(chromium(), """
            Chromium is not installed, so the browser test cannot run. Install it with \
            'apt-get install -y chromium' (Scripts/test does), or set BOTON_CHROMIUM to a Chrome/Chromium binary.
            """)
    }

    /// Every screenshot is a PNG; with `BOTON_SCREENSHOTS=1` the ones named in `keep` are copied to
    /// `Tests/Fixtures/screenshots` (the README's pictures).
    static func checkScreenshots(_ screenshots: [String], keep: [String]) throws {
        for path in screenshots {
            let bytes = try #require(FileManager.default.contents(atPath: path), "no screenshot at \(path)")
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is not a PNG")
        }
        guard ProcessInfo.processInfo.environment["BOTON_SCREENSHOTS"] == "1" else { return }
        let folder = Boton.root + "/Tests/Fixtures/screenshots"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in keep {
            let shot = try #require(screenshots.first { $0.hasSuffix("/" + name) }, "no \(name) taken")
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
            try FileManager.default.copyItem(atPath: shot, toPath: folder + "/" + name)
        }
    }

    static func chromium() -> String? {
        if let path = ProcessInfo.processInfo.environment["BOTON_CHROMIUM"], !path.isEmpty { return path }
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    @Test func aCitizenRegistersFromAPhoneBrowserAndFindsTheRequest() throws {
        let chromium = try Self.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let server = try Server(database: db)
        defer { server.stop() }
        let place = Applicant.guayaquil
        let form: [String: Any] = [
            "numero_documento": "0926687856", "nombres": "Carlos Andrés", "apellidos": "Mendoza Vera",
            "fecha_nacimiento": "1990-02-14", "telefono": "098 222 3344", "correo": "carlos.mendoza@correo.ec",
            "direccion_domicilio": "Av. 9 de Octubre 1200 y Rumichaca, junto a la farmacia",
            "contacto_1_nombre": "Rosa Vera", "contacto_1_telefono": "099 555 1122",
            "contacto_2_nombre": "Pedro Mendoza", "contacto_2_telefono": "04 256 7890",
            "contacto_3_nombre": "Lucía Torres", "contacto_3_telefono": "096 333 4455",
            "consentimiento_datos": true, "politica_uso": true,
        ]
        let formJSON = String(decoding: try JSONSerialization.data(withJSONObject: form, options: [.sortedKeys]),
                              as: UTF8.self)
        let run = try Self.python(Boton.root + "/Tests/Browser/registro.py", [
            "--chromium", chromium, "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path,
            "--form", formJSON, "--documento", "0926687856", "--lat", place.latitude, "--lon", place.longitude,
            // First a wrong cédula (bad check digit), a number that is no phone line and a birth date written
            // day first; then corrected (the birth date typed as its hint says: issue 15, bug 9).
            "--wrong", #"{"numero_documento": "0926687857", "telefono": "12345", "fecha_nacimiento": "23/04/1985"}"#,
        ])
        try #require(run.status == 0, "the browser run failed:\n\(run.stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])

        // The wrong submission came back with a Spanish message for each wrong field, linked and marked.
        let errors = try #require(result["errores"] as? [[String: Any]])
        #expect(errors.compactMap { $0["campo"] as? String }.sorted()
            == ["fecha_nacimiento", "numero_documento", "telefono"])
        // The birth date's error repeats the hint: how to write it.
        let birth = errors.first { $0["campo"] as? String == "fecha_nacimiento" }?["mensaje"] as? String
        #expect(birth?.contains("año-mes-día") == true && birth?.contains("1985-04-23") == true, "\(birth ?? "-")")
        #expect(errors.allSatisfy { ($0["invalido"] as? Bool) == true })
        #expect(errors.allSatisfy { (($0["mensaje"] as? String) ?? "").count > 10 })

        let tramite = try #require(result["tramite"] as? String)
        #expect(try TramiteNumber(tramite).text == tramite)
        #expect(result["estado"] as? String == "Ingresada")
        #expect((result["mensaje"] as? String)?.contains("UPC Chile 1 se comunicará con usted") == true)
        // The position came from the emulated GPS through /static/ubicacion.js.
        #expect(result["latitud"] as? String == "-2.189400" && result["longitud"] as? String == "-79.886200")
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")

        // The request is stored as the page said, at the UPC of the GPS position.
        let check = try WebClient(port: server.httpPort)
        let status = try check.get("/api/v1/enrolamientos/estado?tramite=\(tramite)&documento=0926687856")
        #expect(try status.string("upc.codigo") == place.upc)

        let screenshots = try #require(result["screenshots"] as? [String])
        #expect(screenshots.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["registro-formulario.png", "registro-errores.png", "registro.png", "estado.png"])
        try Self.checkScreenshots(screenshots, keep: ["registro.png"])
    }

    /// Issue 15, bug 3, in a real browser (`Tests/Browser/escalada.py`): with no central configured (the default),
    /// an alert nobody takes reaches level 3 and the console says that nothing was sent — not the red "Escalada a
    /// la central" it showed before.
    @Test func anAlertThatReachesLevelThreeWithoutACentralSaysSoOnTheConsole() throws {
        let chromium = try Self.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "operadora", upc: Applicant.quitoUPC)
        let place = Applicant()
        let (device, secret) = try provision(db, line: place.phone, lat: place.latitude, lon: place.longitude)
        let server = try Server(database: db, extra: ["--set", "console.sla_s=1"])
        defer { server.stop() }
        let browser = try LineProcess("python3", [
            Boton.root + "/Tests/Browser/escalada.py", "--chromium", chromium,
            "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path, "--usuario", "operadora",
            "--password-stdin",
        ])
        try browser.send(officerPassword)
        guard let ready = browser.readLine(), ready.contains("\"listo\": true") else {
            let (status, stderr) = browser.finish()
            Issue.record("the console did not come up (status \(status)):\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
            return
        }
        let sent = try Boton.run(["alert", "send", "--device", device, "--secret", secret,
                                  "--port", String(server.udpPort), "--lat", place.latitude, "--lon", place.longitude])
        let incident = try #require(sent.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }
            .flatMap { Int($0.dropFirst("incidente=".count)) }, "\(sent.stdout)")
        try browser.send("{\"incidente\": \(incident)}")
        let last = browser.readLine()
        let (status, stderr) = browser.finish()
        try #require(status == 0, "the browser run failed:\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data((last ?? "").utf8)) as? [String: Any])
        let said = "Nivel 3: sin central configurada (no se envió)"
        #expect(result["central"] as? String == "sin_central")
        #expect(result["marca"] as? String == said)
        #expect((result["clase"] as? String)?.contains("central-sin_central") == true)
        #expect(result["alarma"] as? String == "Alerta \(incident) sin tomar: \(said)", "\(result["alarma"] ?? "")")
        #expect(result["escalamiento"] as? String == said)
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")
    }

    /// The UPC console in a real browser (`Tests/Browser/consola.py`): an operator of the alert's UPC signs in
    /// through the form, opens /consola and waits until the page says it is live (the feed's `sincronizado`). Only
    /// then, told so on the script's stdout, the test sends an alert with `boton alert send` and names its incident
    /// on the script's stdin. Without a reload the alert must appear with the alarm banner; the operator opens it
    /// (dossier and map), takes it, closes it as atendida, and the list shows it closed. Console errors
    /// and CSP violations fail the test. With `BOTON_SCREENSHOTS=1` the final page is copied to
    /// `Tests/Fixtures/screenshots/consola.png`.
    @Test func anOperatorSeesAnAlertArriveLiveTakesItAndClosesIt() throws {
        let chromium = try Self.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "operadora", upc: Applicant.quitoUPC)
        let place = Applicant()
        let (device, secret) = try provision(db, line: place.phone, lat: place.latitude, lon: place.longitude)
        let server = try Server(database: db)
        defer { server.stop() }
        // Two online requests awaiting verification: one of this UPC, one of Guayaquil's (not for this console).
        let citizen = try WebClient(port: server.httpPort)
        var own = Applicant()
        own.cedula = "1711111110"
        own.phone = "099 555 1234"
        var other = Applicant()
        other.cedula = "0912345675"
        other.phone = "099 555 6789"
        (other.latitude, other.longitude) = (Applicant.guayaquil.latitude, Applicant.guayaquil.longitude)
        let ownTramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", own.json).string("tramite"))
        let otherTramite = try #require(try citizen.postJSON("/api/v1/enrolamientos", other.json).string("tramite"))
        // A supervised site of this UPC silent for an hour, and one of Guayaquil's (not for this console), as the
        // supervision pass leaves them in the store.
        let store = try TestDatabases.database(db).openStore()
        let now = Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
        let seen = now.adding(seconds: -3_600)
        for (account, name, upc) in [("7C7C", "Farmacia del Parque", Applicant.quitoUPC),
                                     ("8D8D", "Banco del Puerto", Applicant.guayaquil.upc)] {
            let silentAt = seen.adding(seconds: 120)
            try store.inTransaction { () throws(StoreError) in
                try store.recordSightings([SenderSighting(
                    kind: .sitio, sender: account, label: name, upcCode: upc, intervalSeconds: 60, at: seen,
                    silentAt: silentAt, latitude: -0.2202, longitude: -78.5123, starts: true)])
                _ = try store.markSilent(kind: .sitio, sender: account, since: silentAt, now: now)
            }
        }

        let browser = try LineProcess("python3", [
            Boton.root + "/Tests/Browser/consola.py", "--chromium", chromium,
            "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path, "--usuario", "operadora",
            "--password-stdin",
        ])
        try browser.send(officerPassword)
        // The console is live: only now does the alert leave the phone.
        guard let ready = browser.readLine(), ready.contains("\"listo\": true") else {
            let (status, stderr) = browser.finish()
            Issue.record("the console did not come up (status \(status)):\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
            return
        }
        let sent = try Boton.run(["alert", "send", "--device", device, "--secret", secret,
                                  "--port", String(server.udpPort), "--lat", place.latitude, "--lon", place.longitude])
        #expect(sent.stdout.hasPrefix("aceptada ") && sent.stdout.contains("upc=\(Applicant.quitoUPC)"), "\(sent.stdout)")
        let incident = try #require(sent.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }
            .flatMap { Int($0.dropFirst("incidente=".count)) })
        try browser.send("{\"incidente\": \(incident)}")
        let last = browser.readLine()
        let (status, stderr) = browser.finish()
        try #require(status == 0, "the browser run failed:\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data((last ?? "").utf8)) as? [String: Any])

        #expect((result["alarma"] as? String)?.hasPrefix("¡NUEVA ALERTA! \(incident) · ") == true, "\(result["alarma"] ?? "")")
        #expect((result["detalle"] as? String)?.hasPrefix("Alerta \(incident) · ") == true)
        #expect(result["tomada"] as? String == "Alerta \(incident) · Tomada")
        #expect(result["estado_final"] as? String == "Alerta \(incident) · Cerrada")
        #expect(result["titulo_final"] as? String == "Alerta \(incident) · Cerrada (Atendida)")
        #expect(result["mensaje"] as? String == "Alerta \(incident) cerrada: atendida.")
        // The map (item 10): the alert's subcircuito and its position; the line offered as a call (not silent).
        let map = try #require(result["mapa"] as? [String: Any])
        #expect(map["subcircuito"] as? Int == 1 && map["posiciones"] as? Int == 1, "\(map)")
        #expect(map["llamar"] as? String == "tel:" + (try PhoneLine(place.phone).e164), "\(map)")
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")
        // The second tab lists this UPC's request awaiting verification (not Guayaquil's) and opens its page.
        let requests = try #require(result["solicitudes"] as? [[String]])
        #expect(requests.map { $0.first ?? "" } == [ownTramite], "\(requests)")
        #expect(requests.first?.dropFirst().first == "Ingresada" && requests.first?.dropFirst(2).first == "En línea",
                "\(requests)")
        #expect(!requests.joined().joined().contains(otherTramite))
        #expect(result["alertas_ocultas"] as? Bool == true)
        #expect(result["solicitud_abierta"] as? String == "Solicitud \(ownTramite)")
        // The "Sin señal" list showed this UPC's silent site (not Guayaquil's), with its last position.
        let silent = try #require(result["sin_senal"] as? [[String]])
        #expect(silent.map { $0.first ?? "" } == ["Farmacia del Parque"], "\(silent)")
        #expect(silent.first?.dropFirst().first == "Sitio (panel de alarma)", "\(silent)")
        #expect(silent.first?.last == "-0.22020, -78.51230", "\(silent)")
        #expect(result["sin_senal_titulo"] as? String == "Sin señal")

        // Each read of the dossier is audited, so the page reads it when it opens and after each of the operator's
        // actions, not again for the feed's event of that same action: 3 reads (a 4th only if `notificada` reached
        // the page after it had opened the alert).
        let reads = Int(try sqlite(db, "SELECT count(*) FROM audit_log WHERE action = 'ver_alerta' AND subject = 'alerta:\(incident)'")) ?? -1
        #expect((3...4).contains(reads), "ver_alerta entries: \(reads)")

        // The server agrees: closed as atendida, by this operator.
        let check = try WebClient(port: server.httpPort)
        let csrf = try #require(try check.postJSON("/api/v1/sesiones", ["usuario": "operadora",
                                                                       "contrasena": officerPassword]).string("csrf"))
        #expect(!csrf.isEmpty)
        let dossier = try check.get("/api/v1/consola/alertas/\(incident)")
        #expect(try dossier.string("alerta.estado") == "cerrada")
        #expect(try dossier.string("alerta.resultado") == "atendida")
        #expect(try dossier.string("alerta.tomada_por")?.hasPrefix("operador:") == true)

        let screenshots = try #require(result["screenshots"] as? [String])
        #expect(screenshots.map { URL(fileURLWithPath: $0).lastPathComponent } == ["consola-alarma.png", "consola.png"])
        try Self.checkScreenshots(screenshots, keep: ["consola.png"])
    }

    /// Issue 15, items 10, 11, 12 and 13 in a real browser (`Tests/Browser/mapa.py`): a silent alert with a live
    /// track on the console map. At a 1366×768 desk the operator's alarm-sound choice survives a reload; an ordinary
    /// alert and then a silent one arrive (sent with `boton alert send`, the second `--silenciosa`): the newer is
    /// listed first, marked silent, and its dossier shows the banner, no call to the line, a `geo:` link, the
    /// battery, and the map with its subcircuito, neighbours and UPC, "Tomar alerta" in view without scrolling.
    /// Positions sent with `boton alert position` appear on the map as a track with accuracy circles without a
    /// reload; each position's answer tells the phone the alert's state, and after the operator dispatches a unit a
    /// keep-alive (`boton alert heartbeat`) is told `despachada` with the unit. On a 390×844 phone the selected
    /// alert's header stays in view while its dossier scrolls. Console errors and CSP violations fail the test.
    @Test func aSilentAlertWithALiveTrackOnTheConsoleMap() throws {
        let chromium = try Self.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "operadora", upc: Applicant.quitoUPC)
        let place = Applicant()
        let (other, otherSecret) = try provision(db, line: "099 888 1122", lat: place.latitude, lon: place.longitude)
        let (device, secret) = try provision(db, line: place.phone, lat: place.latitude, lon: place.longitude)
        let line = try PhoneLine(place.phone).e164
        let server = try Server(database: db)
        defer { server.stop() }
        let unit = "Patrullero 12"
        let browser = try LineProcess("python3", [
            Boton.root + "/Tests/Browser/mapa.py", "--chromium", chromium,
            "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path, "--usuario", "operadora",
            "--linea", line, "--unidad", unit, "--password-stdin",
        ])
        try browser.send(officerPassword)
        func fail(_ what: String) {
            let (status, stderr) = browser.finish()
            Issue.record("\(what) (status \(status)):\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
        }
        func json(_ line: String?) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data((line ?? "").utf8)) as? [String: Any], "\(line ?? "-")")
        }
        func incident(_ result: Boton.Result) throws -> Int {
            try #require(result.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }
                .flatMap { Int($0.dropFirst("incidente=".count)) }, "\(result.stdout)")
        }
        guard let ready = browser.readLine(), ready.contains("\"listo\": true") else { return fail("the console did not come up") }
        let sound = try #require(try json(ready)["sonido"] as? [String: Any])
        #expect(sound["antes"] as? String == "Activar sonido de alarma")
        #expect(sound["activo"] as? String == "1" && sound["guardado"] as? String == "1", "\(sound)")
        #expect((sound["despues"] as? String)?.hasPrefix("Sonido de alarma activado") == true, "\(sound)")

        let port = String(server.udpPort)
        let normal = try incident(try Boton.run(["alert", "send", "--device", other, "--secret", otherSecret,
                                                 "--port", port, "--lat", place.latitude, "--lon", place.longitude]))
        let sent = try Boton.run(["alert", "send", "--silenciosa", "--device", device, "--secret", secret, "--port", port,
                                  "--lat", "-0.2202", "--lon", "-78.5123", "--accuracy", "15", "--battery", "64"])
        let silent = try incident(sent)
        #expect(sent.stdout.hasPrefix("aceptada ") && !sent.stdout.contains("estado_alerta="), "\(sent.stdout)")
        try browser.send("{\"normal\": \(normal), \"silenciosa\": \(silent)}")
        guard let openedLine = browser.readLine() else { return fail("the silent alert did not open") }
        let opened = try #require(try json(openedLine)["abierta"] as? [String: Any])
        // Newest first within its urgency (both open, untaken, not escalated).
        #expect((opened["orden"] as? [Int])?.prefix(2) == [silent, normal], "\(opened["orden"] ?? "")")
        #expect((opened["marcas"] as? [String])?.contains("SILENCIOSA · NO LLAMAR") == true, "\(opened["marcas"] ?? "")")
        #expect((opened["alarma"] as? String)?.hasPrefix("¡ALERTA SILENCIOSA! No llame a la línea · \(silent)") == true,
                "\(opened["alarma"] ?? "")")
        #expect(opened["banner"] as? String == "ALERTA SILENCIOSA — no llame a la línea")
        #expect(opened["llamar"] as? Bool == false)
        #expect(opened["tel_linea"] as? Int == 0, "\(opened["tel"] ?? "")")
        #expect(opened["geo"] as? String == "geo:-0.220200,-78.512300?q=-0.220200,-78.512300")
        let data = (opened["datos"] as? [[String]]) ?? []
        #expect(data.contains(["Batería del teléfono", "64 %"]), "\(data)")
        #expect(data.contains { $0.first == "Línea" && $0.last?.contains("no llamar") == true }, "\(data)")
        let map = try #require(opened["mapa"] as? [String: Any])
        #expect(map["territorio"] as? String == "listo" && map["posiciones"] as? Int == 1, "\(map)")
        #expect(map["subcircuito"] as? Int == 1 && (map["vecinos"] as? Int ?? 0) > 0 && map["upc"] as? Int == 1, "\(map)")
        #expect(map["ultima_visible"] as? Bool == true && (map["contorno_ancho"] as? Int ?? 0) > 100, "\(map)")
        // The registered address (the line's, provisioned without an enrollment).
        #expect(map["domicilio"] as? Int == 1, "\(map)")
        // No base tiles configured: the territory layer alone, nothing fetched from elsewhere.
        #expect(map["teselas"] as? Int == 0, "\(map)")
        let take = try #require(opened["tomar"] as? [String: Any])
        let (top, bottom, height) = (take["top"] as? Double ?? -1, take["bottom"] as? Double ?? 1e9, take["alto"] as? Double ?? 0)
        #expect(take["scroll"] as? Double == 0 && top >= 0 && bottom <= height && height == 768,
                "'Tomar alerta' not visible without scrolling at 1366×768: \(take)")

        // Three more positions, each answered with the alert's state (the console has shown it: notificada).
        let track = [("-0.2195", "-78.5118", "30"), ("-0.2188", "-78.5110", "20"), ("-0.2180", "-78.5101", "12")]
        for (i, p) in track.enumerated() {
            let moved = try Boton.run(["alert", "position", "--device", device, "--secret", secret, "--port", port,
                                       "--lat", p.0, "--lon", p.1, "--accuracy", p.2, "--battery", String(63 - i)])
            #expect(moved.stdout.hasPrefix("aceptada ") && moved.stdout.contains("incidente=\(silent) ")
                    && moved.stdout.contains("estado_alerta=notificada"), "\(moved.stdout)")
            #expect(moved.stderr.contains("La UPC ya tiene su alerta en pantalla."), "\(moved.stderr)")
        }
        try browser.send("{\"posiciones\": \(track.count + 1)}")
        guard let trackLine = browser.readLine() else { return fail("the track did not appear") }
        let drawn = try json(trackLine)
        let onMap = try #require(drawn["recorrido"] as? [String: Any])
        #expect(onMap["marcas"] as? Int == 4 && onMap["ultima"] as? Int == 1 && onMap["recorrido"] as? Int == 1
                && onMap["precision"] as? Int == 4, "\(onMap)")
        // Redrawn in place: the newest position inside the map, the subcircuito drawn whole at a readable size.
        #expect(onMap["ultima_visible"] as? Bool == true && (onMap["contorno_ancho"] as? Int ?? 0) > 100, "\(onMap)")
        #expect(drawn["leyenda"] as? String == "4 posiciones recibidas · ● posiciones con su precisión · ■ domicilio · ▲ UPC")
        #expect(drawn["despachada"] as? String == "Alerta \(silent) · Despachada")

        // The phone is told that a unit is on its way, and which.
        let beat = try Boton.run(["alert", "heartbeat", "--device", device, "--secret", secret, "--port", port])
        #expect(beat.stdout.contains("incidente=\(silent) ") && beat.stdout.contains("estado_alerta=despachada unidad=\"\(unit)\""),
                "\(beat.stdout)")
        #expect(beat.stderr.contains("Una unidad va en camino: \(unit)."), "\(beat.stderr)")
        try browser.send("{}")
        let last = browser.readLine()
        let (status, stderr) = browser.finish()
        try #require(status == 0, "the browser run failed:\n\(stderr)\nchromium log:\n\(Self.chromiumLog(dir))")
        let result = try json(last)
        let phone = try #require(result["telefono"] as? [String: Any])
        for key in ["al_abrir", "desplazado"] {
            let box = try #require(phone[key] as? [String: Any], "\(phone)")
            let (top, bottom, height) = (box["top"] as? Double ?? -1, box["bottom"] as? Double ?? 1e9, box["alto"] as? Double ?? 0)
            #expect(top >= 0 && bottom <= height && height == 844, "the header left the phone's screen (\(key)): \(box)")
        }
        #expect(((phone["desplazado"] as? [String: Any])?["scroll"] as? Double ?? 0) > 0, "\(phone)")
        #expect(phone["banner"] as? String == "ALERTA SILENCIOSA — no llame a la línea")
        #expect(phone["ancho_pagina"] as? Int == 390, "\(phone)")
        #expect((result["problemas"] as? [String]) == [], "console errors or CSP violations: \(result["problemas"] ?? "")")

        // The store agrees: the alert is silent, with the last battery level, and every position kept its own.
        #expect(try sqlite(db, "SELECT is_silent FROM incident WHERE id = \(silent)") == "1")
        #expect(try sqlite(db, "SELECT battery_percent FROM incident WHERE id = \(silent)") == "61")
        #expect(try sqliteColumn(db, "SELECT battery_percent FROM incident_position WHERE incident_id = \(silent) ORDER BY id")
                == ["64", "63", "62", "61"])
        #expect(try sqlite(db, "SELECT is_silent FROM incident WHERE id = \(normal)") == "0")
        let screenshots = try #require(result["screenshots"] as? [String])
        #expect(screenshots.map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["consola-mapa.png", "consola.png", "consola-telefono.png"])
        try Self.checkScreenshots(screenshots, keep: ["consola-mapa.png", "consola-telefono.png"])
    }

    static func chromiumLog(_ dir: TemporaryDirectory) -> String {
        (try? String(contentsOfFile: dir.file("chromium.log"), encoding: .utf8)).map { String($0.suffix(4000)) } ?? "-"
    }

    /// Runs a Python 3 script to completion (both pipes drained).
    static func python(_ script: String, _ arguments: [String]) throws -> Boton.Result {
        try Boton.runProcess("python3", [script] + arguments)
    }
}

/// A child process spoken to line by line: lines to its stdin, lines from its stdout; its stderr is collected in
/// the background so that a full pipe never blocks it. Every wait has a deadline: a script that hangs is stopped
/// and its test fails with what it wrote, instead of hanging the suite.
final class LineProcess {
    /// How long ``readLine(within:)`` waits for the next line: generous (a browser script loads several pages, each
    /// step with its own 20 s limit), only a guard.
    static let lineDeadline: Duration = .seconds(180)

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Collector()
    private var pending: [UInt8] = []
    /// What the test did to a child that did not answer in time, added to its stderr.
    private var notes = ""

    /// Reads one pipe to its end on a background thread; `text` waits for that end.
    private final class Collector: @unchecked Sendable {
        let pipe = Pipe()
        private let done = DispatchGroup()
        private var data = Data()  // written once by the reader, read only after `done`

        func start() {
            done.enter()
            DispatchQueue.global().async { [self] in
                data = pipe.fileHandleForReading.readDataToEndOfFile()
                done.leave()
            }
        }

        var text: String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Runs `program` (looked up on PATH) with `arguments`.
    init(_ program: String, _ arguments: [String]) throws {
        signal(SIGPIPE, SIG_IGN)  // a child that died must fail the test, not kill it
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors.pipe
        try process.run()
        errors.start()
    }

    /// Writes `line` and a newline to the child's stdin.
    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line of the child's stdout (without its newline), or nil once the child closed it. A child that
    /// writes no line within `limit` is told to stop (SIGTERM; the browser scripts then close Chromium) and nil is
    /// returned: ``finish()`` then reports its status and stderr.
    func readLine(within limit: Duration = LineProcess.lineDeadline) -> String? {
        let deadline = ContinuousClock.now + limit
        let reader = PipeReader(fileDescriptor: output.fileHandleForReading.fileDescriptor)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let chunk: [UInt8]?
            do {
                chunk = try reader.read(before: deadline)
            } catch {
                notes += "\n[test] no line on stdout within \(limit) (\(error)): SIGTERM\n"
                if process.isRunning { process.terminate() }
                return nil
            }
            guard let chunk else {
                defer { pending = [] }
                return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
            }
            pending += chunk
        }
    }

    /// Closes the child's stdin, reads its stdout to the end, waits for it; returns its status and its stderr. A
    /// child still running `limit` after its stdin closed is stopped (SIGTERM, then SIGKILL after as long again).
    func finish(within limit: Duration = .seconds(60)) -> (status: Int32, stderr: String) {
        try? input.fileHandleForWriting.close()
        let reader = PipeReader(fileDescriptor: output.fileHandleForReading.fileDescriptor)
        for signal in [SIGTERM, SIGKILL] {
            let deadline = ContinuousClock.now + limit
            do {
                while try reader.read(before: deadline) != nil {}
                break
            } catch {
                notes += "\n[test] still running \(limit) after its input closed (\(error)): signal \(signal)\n"
                if process.isRunning { kill(process.processIdentifier, signal) }
            }
        }
        process.waitUntilExit()
        return (process.terminationStatus, errors.text + notes)
    }

    /// A test that ends early: the child is told to stop (SIGTERM; the browser scripts then close Chromium).
    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
