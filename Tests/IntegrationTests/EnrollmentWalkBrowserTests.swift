import BotonCore
import BotonCrypto
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// A citizen's request walked to *activa* by an officer in a real browser (`Tests/Browser/recorrido.py`), against
/// the real `boton serve` (issue 15, "Done when"): the officer records a call that did not reach the citizen (the
/// page then does not offer "Marcar como verificada"), then one that did, marks the request verified, presses
/// "Registrar botón" and reads what the page shows; the test sends the test alert as the citizen's app would
/// (`boton alert test`) or as the carrier reports a fijo's call to 135 (`boton alert gateway`, bug 4); the page says
/// the test alert arrived, the officer presses "Confirmar prueba", and the request is *activa* with its test alert
/// closed as `prueba` (bug 1) on the page, on the console and in the database.
@Suite struct EnrollmentWalkBrowserTests {
    @Test func anOnlineRequestBecomesActivaThroughTheAppsTestAlert() throws {
        let chromium = try BrowserTests.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        var incident = ""
        let (tramite, registered, done) = try Self.walk(chromium, server, dir, phone: "099 123 4567", name: "app") {
            registered in
            #expect(registered["registro"] as? String == "Código de activación")
            #expect((registered["instrucciones"] as? String)?.hasPrefix("Instale la aplicación Botón de Seguridad en el "
                + "celular 099 123 4567 e ingrese el código de activación") == true, "\(registered)")
            #expect(registered["pendiente"] as? String == "La alerta de prueba todavía no llega. Pida al ciudadano que "
                + "la envíe desde la aplicación. Vuelva a cargar esta página para ver si llegó.")
            // The code the page shows is the credential: the app's test alert signed with it is accepted.
            let code = try ActivationCode(try #require(registered["codigo"] as? String))
            let alert = try Boton.run(["alert", "test", "--device", Hex.encode(code.deviceID), "--secret",
                                       Hex.encode(code.secret), "--port", String(server.udpPort)])
            try #require(alert.status == 0 && alert.stdout.hasPrefix("aceptada "), "\(alert.stdout)\(alert.stderr)")
            incident = try Self.incident(alert.stdout)
        }
        try Self.expectActiva(tramite, incident: incident, db: db, registered: registered, done: done)
    }

    @Test func aFijoLineBecomesActivaThroughItsCallTo135ReportedByTheGateway() throws {
        let chromium = try BrowserTests.requireChromium()
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let added = try Boton.run(["gateway", "add", "--name", "CNT Quito", "--database", db])
        try #require(added.status == 0, "\(added.stderr)")
        let printed = Dictionary(uniqueKeysWithValues: added.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        })
        let gateway = try #require(printed["gateway"]), secret = try #require(printed["clave"])
        let server = try Server(database: db)
        defer { server.stop() }
        var incident = ""
        let (tramite, registered, done) = try Self.walk(chromium, server, dir, phone: "02 245 6789", name: "fijo") {
            registered in
            #expect(registered["registro"] as? String == "Línea fija")
            #expect(registered["codigo"] as? String == "", "a fijo got an activation code: \(registered)")
            #expect((registered["instrucciones"] as? String)?.hasPrefix("Desde el teléfono fijo (02) 245-6789 marque 135 "
                + "e indique que es una llamada de prueba del botón de seguridad") == true, "\(registered)")
            #expect(registered["pendiente"] as? String == "La alerta de prueba todavía no llega. Pida al ciudadano que "
                + "marque 135 desde la línea fija e indique que es una prueba. Vuelva a cargar esta página para ver si llegó.")
            // The carrier reports the citizen's test call to 135 from that fijo.
            let call = try Boton.run(["alert", "gateway", "--gateway", gateway, "--secret", secret,
                                      "--line", "02 245 6789", "--test", "--port", String(server.udpPort)])
            try #require(call.status == 0 && call.stdout.hasPrefix("aceptada "), "\(call.stdout)\(call.stderr)")
            incident = try Self.incident(call.stdout)
        }
        try Self.expectActiva(tramite, incident: incident, db: db, registered: registered, done: done)
    }

    /// Files a citizen's online request for `phone`, then walks it in the browser: `send` gets what the page showed
    /// after "Registrar botón" and sends the test alert; the script then confirms it on the page.
    static func walk(_ chromium: String, _ server: Server, _ dir: TemporaryDirectory, phone: String, name: String,
                     send: ([String: Any]) throws -> Void) throws -> (String, [String: Any], [String: Any])
    {
        var applicant = Applicant()
        applicant.phone = phone
        let citizen = try WebClient(port: server.httpPort)
        let created = try citizen.postJSON("/api/v1/enrolamientos", applicant.json)
        try #require(created.status == 201, "\(created.text)")
        let tramite = try #require(try created.string("tramite"))
        let script = try Conversation(["python3", Boton.root + "/Tests/Browser/recorrido.py", "--chromium", chromium,
                                       "--base", "http://127.0.0.1:\(server.httpPort)", "--out", dir.path,
                                       "--usuario", "andrade", "--tramite", tramite, "--nombre", name,
                                       "--password-stdin"], errors: dir.file("recorrido-\(name).err"))
        defer { script.stop() }
        script.say(officerPassword)
        func failed() -> Comment {
            "the browser run failed:\n\(script.errors())\nchromium log:\n\(BrowserTests.chromiumLog(dir))"
        }
        let registered = try #require(try script.json(), failed())
        try #require(registered["fase"] as? String == "registrado", failed())
        try send(registered)
        script.say("enviada")
        let done = try #require(try script.json(), failed())
        try #require(script.finish() == 0 && done["fase"] as? String == "confirmado", failed())
        return (tramite, registered, done)
    }

    static func incident(_ answer: String) throws -> String {
        String(try #require(answer.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count), "\(answer)"))
    }

    /// What both walks must end in: the page's states along the way, the test alert seen arriving and closed, the
    /// request *activa*, on the page, on the console and in the database.
    static func expectActiva(_ tramite: String, incident: String, db: String, registered: [String: Any],
                             done: [String: Any]) throws
    {
        let unreached = try #require(registered["sin_alcanzar"] as? [String: Any])
        #expect(unreached["boton"] as? Bool == false, "'Marcar como verificada' offered after a call that did not reach")
        #expect((unreached["texto"] as? String)?.hasPrefix("Para marcarla como verificada, primero registre una llamada") == true)
        #expect(registered["aviso_contacto"] as? String == "Contacto registrado.")
        #expect(done["estados"] as? [String] == ["Ingresada", "En verificación", "En verificación", "Verificada",
                                                 "Prueba pendiente"])
        #expect(done["prueba_recibida"] as? String
            == "La alerta de prueba llegó (alerta \(incident)). Confírmela para activar el botón.")
        #expect(done["estado_final"] as? String == "Activa")
        #expect(done["aviso"] as? String == "Alerta de prueba confirmada: el botón está activo.")
        #expect(done["acciones"] as? [String] == [], "actions still offered on an activa request: \(done["acciones"] ?? "")")
        let history = try #require(done["historial"] as? [String])
        #expect(history.last?.contains("| Activa |") == true && history.last?.contains("Alerta de prueba \(incident)") == true,
                "\(history)")
        // Bug 1: the console lists the test alert closed as a prueba, not waiting as "Recibida · PRUEBA".
        let console = try #require(done["consola"] as? [String])
        #expect(console.filter { $0.hasPrefix("Alerta \(incident) ·") } == ["Alerta \(incident) · Cerrada (Prueba) · PRUEBA"],
                "the console lists \(console)")
        #expect((done["problemas"] as? [String]) == [], "console errors or CSP violations: \(done["problemas"] ?? "")")
        #expect(try sqlite(db, "SELECT state FROM enrollment WHERE tramite = '\(tramite)'") == "activa")
        #expect(try sqlite(db, "SELECT state || ' ' || outcome || ' ' || is_test FROM incident WHERE id = \(incident)")
            == "cerrada prueba 1")
        #expect(try sqlite(db, "SELECT count(*) FROM incident WHERE state <> 'cerrada'") == "0")
    }
}

/// A Python script the test talks to while it runs: lines on its stdin, JSON objects on lines of its stdout, its
/// stderr in a file. Each read waits for a whole line; the script bounds its own waits, and ``stop()`` ends it.
final class Conversation {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private let errorPath: String
    private var buffer = Data()

    init(_ arguments: [String], errors: String) throws {
        errorPath = errors
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
    }

    func say(_ line: String) {
        guard process.isRunning else { return }
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// The next line of stdout, or nil at its end.
    func line() -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<end], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...end)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// The next JSON object the script prints, or nil when it ended without one.
    func json() throws -> [String: Any]? {
        while let line = self.line() {
            if line.hasPrefix("{"), let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                return object
            }
        }
        return nil
    }

    func errors() -> String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Closes its stdin and waits for it to end; its exit status.
    func finish() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
