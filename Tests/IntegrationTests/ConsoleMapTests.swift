import BotonCrypto
import BotonNet
import BotonTestSupport
import BotonWire
import Foundation
import Testing

/// Issue 15, items 10–12 over HTTP against `boton serve`: Leaflet served from Debian's `libjs-leaflet` (nothing
/// from a CDN), the console page's Content-Security-Policy (images from the configured tile host only), the map's
/// territory endpoint, a service without Leaflet (warned at start-up, a console that still works with the sketch),
/// and the HTTPS intake's silent alerts and alert state.
@Suite struct ConsoleMapTests {
    static let leafletDirectory = "/usr/share/javascript/leaflet"

    func signedIn(_ server: Server, _ user: String) throws -> WebClient {
        let client = try WebClient(port: server.httpPort)
        _ = try client.postJSON("/api/v1/sesiones", ["usuario": user, "contrasena": officerPassword])
        return client
    }

    @Test func leafletIsServedAndTheConsoleAllowsImagesFromTheConfiguredTileHostOnly() throws {
        let leaflet = try #require(FileManager.default.contents(atPath: Self.leafletDirectory + "/leaflet.js"), """
            Debian's libjs-leaflet is not installed (Scripts/test installs it: apt-get install -y libjs-leaflet).
            """)
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "quito", upc: Applicant.quitoUPC)
        try addOfficer(db, "guayas", upc: Applicant.guayaquil.upc)
        let place = Applicant()
        let (device, secret) = try provision(db, line: place.phone, lat: place.latitude, lon: place.longitude)
        let server = try Server(database: db, extra: [
            "--set", "console.map_tiles_url=https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png"])
        defer { server.stop() }

        let anyone = try HTTPTestClient(port: server.httpPort)
        let script = try anyone.request("GET", "/static/leaflet/leaflet.js")
        #expect(script.status == 200 && script.body == Array(leaflet))
        #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
        let css = try anyone.request("GET", "/static/leaflet/leaflet.css")
        #expect(css.status == 200 && css.header("Content-Type") == "text/css; charset=utf-8" && css.text.contains(".leaflet-pane"))
        let icon = try anyone.request("GET", "/static/leaflet/images/layers.png")
        #expect(icon.status == 200 && icon.header("Content-Type") == "image/png" && icon.body.starts(with: [0x89, 0x50]))
        #expect(try anyone.request("GET", "/static/leaflet/leaflet.esm.js").status == 404)

        let quito = try signedIn(server, "quito")
        let page = try quito.get("/consola")
        #expect(page.status == 200)
        let csp = try #require(page.header("Content-Security-Policy"))
        #expect(csp.contains("img-src 'self' data: https://*.tiles.example.org;"), "\(csp)")
        #expect(csp.contains("script-src 'self';") && csp.contains("default-src 'self';"), "\(csp)")
        #expect(page.text.contains("data-mapa=\"leaflet\""))
        #expect(page.text.contains("data-teselas=\"https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png\""))
        #expect(page.text.contains("<script src=\"/static/leaflet/leaflet.js?v="))
        #expect(page.text.contains("<link rel=\"stylesheet\" href=\"/static/leaflet/leaflet.css\">"))
        // Every other page keeps the site's own policy: no tile host.
        let form = try anyone.request("GET", "/transparencia")
        #expect(form.header("Content-Security-Policy")?.contains("tiles.example.org") == false)

        // The territory of an alert's map: its subcircuito first, then the ones around it, and its UPC.
        let sent = try Boton.run(["alert", "send", "--device", device, "--secret", secret,
                                  "--port", String(server.udpPort), "--lat", place.latitude, "--lon", place.longitude])
        let id = try #require(sent.stdout.split(separator: " ").first { $0.hasPrefix("incidente=") }
            .flatMap { Int($0.dropFirst("incidente=".count)) }, "\(sent.stdout)")
        let map = try quito.get("/api/v1/consola/alertas/\(id)/mapa")
        #expect(map.status == 200)
        let body = try map.json()
        let code = try #require(body["subcircuito"] as? String)
        #expect(Applicant.quitoUPC == "UPC-" + code)
        let features = try #require((body["territorio"] as? [String: Any])?["features"] as? [[String: Any]])
        let roles = features.compactMap { ($0["properties"] as? [String: Any])?["papel"] as? String }
        #expect(roles.first == "subcircuito" && roles.dropFirst().allSatisfy { $0 == "vecino" } && roles.count > 1, "\(roles)")
        #expect((features.first?["properties"] as? [String: Any])?["codigo"] as? String == code)
        let geometry = try #require(features.first?["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "MultiPolygon" && (geometry["coordinates"] as? [Any])?.isEmpty == false)
        let upc = try #require(body["upc"] as? [String: Any])
        #expect(upc["codigo"] as? String == Applicant.quitoUPC && (upc["telefono"] as? String)?.hasPrefix("+593") == true)
        #expect(upc["latitud"] is Double && upc["longitud"] is Double)
        // Another UPC's operator: the same 404 as for an alert that does not exist.
        #expect(try signedIn(server, "guayas").get("/api/v1/consola/alertas/\(id)/mapa").status == 404)
        #expect(try anyone.request("GET", "/api/v1/consola/alertas/\(id)/mapa").status == 401)
    }

    @Test func withoutBaseTilesThePolicyIsTheSitesOwn() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "quito", upc: Applicant.quitoUPC)
        let server = try Server(database: db)
        defer { server.stop() }
        let page = try signedIn(server, "quito").get("/consola")
        #expect(page.header("Content-Security-Policy")?.contains("img-src 'self' data:;") == true,
                "\(page.header("Content-Security-Policy") ?? "-")")
        #expect(page.text.contains("data-teselas=\"\""))
    }

    @Test func withoutLeafletTheServiceSaysSoAndTheConsoleShowsTheSketch() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "quito", upc: Applicant.quitoUPC)
        let missing = dir.file("sin-leaflet")
        let server = try Server(database: db, extra: ["--set", "console.leaflet_dir=\(missing)"])
        defer { server.stop() }
        try server.waitFor("event=leaflet_missing")
        try server.waitFor("effect=console_without_map")
        #expect(try HTTPTestClient(port: server.httpPort).request("GET", "/static/leaflet/leaflet.js").status == 404)
        let page = try signedIn(server, "quito").get("/consola")
        #expect(page.status == 200)
        #expect(!page.text.contains("data-mapa") && !page.text.contains("leaflet"))
        #expect(page.text.contains("<script src=\"/static/consola.js?v="))
    }

    @Test func theHTTPSIntakeTakesASilentAlertAndTellsThePhoneItsState() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secretHex) = try provision(db, line: "0991112222", lat: "-2.1894", lon: "-79.8862")
        let secret = Hex.decode(secretHex)!
        let server = try Server(database: db)
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.httpsPort, tls: try TLSContext(clientVerifying: server.certificate))
        let headers = ["Content-Type": "application/octet-stream", "X-Boton-Dispositivo": device]
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        func frame(_ kind: FrameKind, _ sequence: UInt64, silent: Bool = false, asks: Bool = false) throws -> [UInt8] {
            try DeviceFrame(kind: kind, deviceID: DeviceID(hex: device)!, sequence: sequence, clientTimestampMs: now,
                            batteryPercent: 33, position: kind == .posicion
                                ? try FramePosition(latitude: -2.1894, longitude: -79.8862, accuracyMeters: 9, fixAgeSeconds: 0)
                                : nil, isSilent: silent, wantsAlertStatus: asks).encode(secret: secret)
        }
        let alert = try client.request("POST", "/api/v1/alertas", headers: headers, body: try frame(.alerta, 1, silent: true))
        #expect(alert.status == 201)
        let incident = try #require(try alert.json()["incidente"] as? Int)
        #expect(try alert.json()["estado_alerta"] == nil)
        #expect(try sqlite(db, "SELECT is_silent FROM incident WHERE id = \(incident)") == "1")

        let asked = try client.request("POST", "/api/v1/alertas", headers: headers, body: try frame(.posicion, 2, asks: true))
        #expect(asked.status == 201)
        let answer = try asked.json()
        #expect(answer["estado_alerta"] as? String == "recibida" && answer["incidente"] as? Int == incident, "\(answer)")
        #expect(answer["mensaje"] as? String == "Su alerta fue recibida. Estamos avisando a la UPC.")
        let ack = try Acknowledgement.decode(Array(Data(base64Encoded: answer["acuse"] as! String)!), key: secret)
        #expect(ack.alertStatus?.stage == .recibida)

        // An older app: the same answer as ever, no new member.
        let old = try client.request("POST", "/api/v1/alertas", headers: headers, body: try frame(.posicion, 3))
        let oldAnswer = try old.json()
        #expect(old.status == 201 && oldAnswer["estado_alerta"] == nil && oldAnswer["unidad"] == nil)
        #expect((oldAnswer["upc"] as? String)?.hasPrefix("UPC-09D") == true)
    }
}
