import BotonCore
import BotonCrypto
import BotonStoreFixtures
import BotonTestSupport
import Foundation
import Testing

/// Issue 15, items 18 and 20: the complaint goes where its form says and can be looked up by its number; every
/// page a person reaches speaks Spanish, errors name what they are about.
@Suite struct CitizenWordsTests {
    @Test func aComplaintGoesWhereTheFormSaysAndIsLookedUpByItsNumber() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let (device, secret) = try provision(db, line: "0991110003", lat: "-0.2202", lon: "-78.5123")
        let server = try Server(database: db)
        defer { server.stop() }
        let citizen = try WebClient(port: server.httpPort)
        let form = try citizen.get("/quejas")
        #expect(form.text.contains("su queja llega a la UPC que la atendió y a los supervisores de su distrito; si no "
                                   + "indica ninguno, llega a la Dirección Nacional de Policía Comunitaria"))
        // The hint names the alert number as the service shows it ("Alerta 12"), and that form is accepted.
        #expect(form.text.contains("el número de alerta que le mostró la aplicación o que le dio la UPC, por ejemplo 1234"))
        #expect(!form.text.contains("INC-"))
        let alert = try Boton.run(["alert", "send", "--device", device, "--secret", secret, "--port", String(server.udpPort)])
        let sent = try #require(alert.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }?
            .dropFirst("incidente=".count), "\(alert.stdout)\(alert.stderr)")
        let token = try #require(WebClient.csrf(in: form.text))
        let filed = try citizen.postForm("/quejas", [("csrf", token), ("descripcion", "Nadie me llamó después de la alerta."),
                                                     ("tramite", ""), ("incidente", "Alerta \(sent)"), ("contacto", "")])
        #expect(filed.status == 200)
        let number = try #require(EnrollmentPagesTests.element("numero-queja", in: filed.text))
        #expect(filed.text.contains("La recibe la UPC Monjas Collacoto 1 y los supervisores de su distrito."))
        #expect(!filed.text.contains("UPC-17D04C01S01"))
        // And that is where it is: on the list of that UPC's officer.
        let officer = try WebClient(port: server.httpPort)
        try signIn(officer, "andrade")
        #expect(try officer.get("/oficial/quejas").text.contains(">\(number)</a>"))

        // Looked up by its number: the state and dates, nothing else.
        let lookupToken = try citizen.csrfToken(from: "/quejas/consulta")
        let found = try citizen.postForm("/quejas/consulta", [("csrf", lookupToken), ("numero", number.lowercased())])
        #expect(found.status == 200)
        #expect(EnrollmentPagesTests.element("estado", in: found.text) == "Recibida")
        #expect(!found.text.contains("Nadie me llamó"))
        let missing = try citizen.postForm("/quejas/consulta", [("csrf", lookupToken), ("numero", "Q-999999")])
        #expect(missing.status == 404 && missing.text.contains("No encontramos una queja con el número «Q-999999»"))
        #expect(try citizen.postForm("/quejas/consulta", [("numero", number)]).status == 403)
    }

    @Test func unknownPagesAndMethodsAnswerInSpanishAndErrorsNameTheirContact() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let server = try Server(database: db)
        defer { server.stop() }
        let browser = try WebClient(port: server.httpPort)
        let missing = try browser.get("/no-existe")
        #expect(missing.status == 404)
        #expect(missing.text.contains("<html lang=\"es-EC\">") && missing.text.contains("<h1>Página no encontrada</h1>"))
        let method = try browser.request("DELETE", "/transparencia")
        #expect(method.status == 405 && method.header("Allow") != nil)
        #expect(method.text.contains("<h1>Acción no permitida</h1>") && method.text.contains("(DELETE)"))
        let api = try browser.get("/api/v1/nada")
        #expect(try api.status == 404 && api.string("error") == "no_encontrado")
        #expect(try api.string("mensaje")?.hasPrefix("No existe esta dirección") == true)

        // Each contact's error names the contact; a passport without its country asks for the country.
        let token = try browser.csrfToken(from: "/registro")
        var fields = [("csrf", token)] + Applicant().fields
        fields = fields.map { $0.0 == "contacto_2_telefono" ? ($0.0, "12") : $0 }
        fields = fields.map { $0.0 == "tipo_documento" ? ($0.0, "pasaporte") : $0 }
        fields = fields.map { $0.0 == "numero_documento" ? ($0.0, "C0123456") : $0 }
        let refused = try browser.postForm("/registro", fields)
        #expect(refused.status == 422)
        #expect(refused.text.contains("<li><a href=\"#contacto_2_telefono\">Contacto 2: "))
        #expect(refused.text.contains("<li><a href=\"#nacionalidad\">Elija el país que emitió el pasaporte.</a></li>"))
    }
}
