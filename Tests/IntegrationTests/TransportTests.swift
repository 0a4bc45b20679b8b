import BotonCrypto
import BotonNet
import BotonTestSupport
import BotonWire
import Foundation
import Testing

/// Finding 11 against the real binary, with the production transport (`http.redirect_to_https = true`): officers,
/// consoles and citizens' forms move from plain HTTP to HTTPS, the phones' alert intake does not; HTTPS answers carry
/// HSTS and Secure cookies; `/metrics` is served on its own listener, and on the main ports only with the token.
@Suite(.serialized) struct TransportTests {
    @Test func plainHTTPOfficerRoutesRedirectToHTTPSAndAlertsStayOnBoth() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let (device, secretHex) = try provision(db, line: "0991112222", lat: "-2.1894", lon: "-79.8862")
        let server = try Server(database: db, redirectToHTTPS: true)
        defer { server.stop() }
        let plain = try HTTPTestClient(port: server.httpPort)

        // The sign-in page, the console, the sign-in API, the citizen's form: 308 to the same target on HTTPS, on
        // the host the client asked for with the HTTPS port.
        let page = try plain.request("GET", "/oficial/ingreso?sesion=vencida", headers: ["Host": "127.0.0.1:\(server.httpPort)"])
        #expect(page.status == 308)
        #expect(page.header("Location") == "https://127.0.0.1:\(server.httpsPort)/oficial/ingreso?sesion=vencida")
        #expect(try plain.request("GET", "/consola", headers: ["Host": "Boton.Policia.Example"]).header("Location")
            == "https://boton.policia.example:\(server.httpsPort)/consola")
        let api = try plain.request("POST", "/api/v1/sesiones", headers: ["Host": "127.0.0.1", "Content-Type": "application/json"],
                                    body: Array(#"{"usuario":"andrade","contrasena":"x"}"#.utf8))
        #expect(api.status == 308 && api.header("Location") == "https://127.0.0.1:\(server.httpsPort)/api/v1/sesiones")
        #expect(try plain.request("GET", "/registro").status == 308)
        // A Host that is not a host name is never put into a Location.
        for host in ["evil.example/x", "evil.example:80@other", "-bad-.example", "[zz]"] {
            let refused = try HTTPTestClient(port: server.httpPort).request("GET", "/oficial", headers: ["Host": host])
            #expect(refused.status == 400 && refused.header("Location") == nil, "Host: \(host)")
        }

        // What stays on plain HTTP: health, static files, public statistics, and the phones' alerts.
        #expect(try plain.request("GET", "/salud").status == 200)
        #expect(try plain.request("GET", "/static/estilo.css").status == 200)
        #expect(try plain.request("GET", "/transparencia").status == 200)
        let secret = Hex.decode(secretHex)!
        func frame(_ sequence: UInt64) throws -> [UInt8] {
            try DeviceFrame(kind: .alerta, deviceID: DeviceID(hex: device)!, sequence: sequence,
                            clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000), batteryPercent: 90,
                            position: nil).encode(secret: secret)
        }
        let alertHeaders = ["Content-Type": "application/octet-stream", "X-Boton-Dispositivo": device]
        let overHTTP = try plain.request("POST", "/api/v1/alertas", headers: alertHeaders, body: try frame(1))
        let accepted = try overHTTP.json()
        #expect(overHTTP.status == 201 && accepted["estado"] as? String == "aceptada")
        #expect(overHTTP.header("Strict-Transport-Security") == nil)

        // Over HTTPS: the pages answer, with HSTS; the session and CSRF cookies are Secure.
        let tls = try TLSContext(clientVerifying: server.certificate)
        let secure = try WebClient(port: server.httpsPort, tls: tls)
        let signInPage = try secure.get("/oficial/ingreso")
        #expect(signInPage.status == 200)
        #expect(signInPage.header("Strict-Transport-Security") == "max-age=31536000")
        let login = try secure.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": officerPassword])
        #expect(login.status == 201)
        #expect(login.header("Strict-Transport-Security") == "max-age=31536000")
        #expect(!secure.lastSetCookies.isEmpty && secure.lastSetCookies.allSatisfy { $0.hasSuffix("; Secure") })
        #expect(secure.lastSetCookies.contains { $0.hasPrefix("boton_sesion=") })
        #expect(try secure.get("/api/v1/oficial/enrolamientos").status == 200)
        let overHTTPS = try HTTPTestClient(port: server.httpsPort, tls: tls)
            .request("POST", "/api/v1/alertas", headers: alertHeaders, body: try frame(2))
        #expect(overHTTPS.status == 201)

        // /metrics: 404 on the main ports without a token, served on the metrics listener.
        #expect(try secure.get("/metrics").status == 404)
        #expect(try metricsText(server).contains("boton_frames_accepted_total 2"))
    }

    @Test func aConfiguredOriginAndTheMetricsToken() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let token = "token-de-metricas-0123456789"
        let server = try Server(database: db, redirectToHTTPS: true,
                                extra: ["--set", "http.public_https_origin=https://boton.policia.example",
                                        "--set", "http.metrics_token=\(token)", "--set", "http.hsts_max_age_s=600"])
        defer { server.stop() }
        // The configured origin wins over whatever Host says.
        let plain = try HTTPTestClient(port: server.httpPort)
        let moved = try plain.request("GET", "/oficial/solicitudes", headers: ["Host": "otro.example"])
        #expect(moved.status == 308 && moved.header("Location") == "https://boton.policia.example/oficial/solicitudes")
        // /metrics on plain HTTP moves to HTTPS too (a token must not travel in clear).
        #expect(try plain.request("GET", "/metrics").status == 308)

        let https = try HTTPTestClient(port: server.httpsPort, tls: try TLSContext(clientVerifying: server.certificate))
        let none = try https.request("GET", "/metrics")
        #expect(none.status == 401 && none.header("WWW-Authenticate") == "Bearer realm=\"metrics\"")
        #expect(none.header("Strict-Transport-Security") == "max-age=600")
        #expect(try https.request("GET", "/metrics", headers: ["Authorization": "Bearer \(token)x"]).status == 401)
        let open = try https.request("GET", "/metrics", headers: ["Authorization": "Bearer \(token)"])
        #expect(open.status == 200 && open.text.contains("# TYPE boton_frames_received_total counter"))
        // The metrics listener needs no token: only who reaches its (loopback) address.
        #expect(try metricsText(server).contains("boton_sign_in_password_checks_total 0"))
        #expect(server.log.contains("transport=metrics address=127.0.0.1:"))
    }
}
