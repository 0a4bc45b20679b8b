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
    static func chromium() -> String? {
        if let path = ProcessInfo.processInfo.environment["BOTON_CHROMIUM"], !path.isEmpty { return path }
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    @Test func aCitizenRegistersFromAPhoneBrowserAndFindsTheRequest() throws {
        let chromium = try #require(Self.chromium(), """
            Chromium is not installed, so the browser test cannot run. Install it with \
            'apt-get install -y chromium' (Scripts/test does), or set BOTON_CHROMIUM to a Chrome/Chromium binary.
            """)
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
        for path in screenshots {
            let bytes = try #require(FileManager.default.contents(atPath: path), "no screenshot at \(path)")
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is not a PNG")
        }
        if ProcessInfo.processInfo.environment["BOTON_SCREENSHOTS"] == "1" {
            let folder = Boton.root + "/Tests/Fixtures/screenshots"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let target = folder + "/registro.png"
            try? FileManager.default.removeItem(atPath: target)
            let success = try #require(screenshots.first { $0.hasSuffix("/registro.png") })
            try FileManager.default.copyItem(atPath: success, toPath: target)
        }
    }

    /// Issue 15, bug 3, in a real browser (`Tests/Browser/escalada.py`): with no central configured (the default),
    /// an alert nobody takes reaches level 3 and the console says that nothing was sent — not the red "Escalada a
    /// la central" it showed before.
    @Test func anAlertThatReachesLevelThreeWithoutACentralSaysSoOnTheConsole() throws {
        let chromium = try #require(Self.chromium(), """
            Chromium is not installed, so the browser test cannot run. Install it with \
            'apt-get install -y chromium' (Scripts/test does), or set BOTON_CHROMIUM to a Chrome/Chromium binary.
            """)
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
    /// (dossier and sketch image), takes it, closes it as atendida, and the list shows it closed. Console errors
    /// and CSP violations fail the test. With `BOTON_SCREENSHOTS=1` the final page is copied to
    /// `Tests/Fixtures/screenshots/consola.png`.
    @Test func anOperatorSeesAnAlertArriveLiveTakesItAndClosesIt() throws {
        let chromium = try #require(Self.chromium(), """
            Chromium is not installed, so the browser test cannot run. Install it with \
            'apt-get install -y chromium' (Scripts/test does), or set BOTON_CHROMIUM to a Chrome/Chromium binary.
            """)
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
        let sketch = try #require(result["croquis"] as? [String: Any])
        #expect((sketch["src"] as? String)?.hasPrefix("/consola/alertas/\(incident)/croquis.svg") == true)
        #expect(sketch["ancho"] as? Int == 480 && sketch["alto"] as? Int == 360)
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
        for path in screenshots {
            let bytes = try #require(FileManager.default.contents(atPath: path), "no screenshot at \(path)")
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is not a PNG")
        }
        if ProcessInfo.processInfo.environment["BOTON_SCREENSHOTS"] == "1" {
            let folder = Boton.root + "/Tests/Fixtures/screenshots"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let target = folder + "/consola.png"
            try? FileManager.default.removeItem(atPath: target)
            let closed = try #require(screenshots.first { $0.hasSuffix("/consola.png") })
            try FileManager.default.copyItem(atPath: closed, toPath: target)
        }
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
