import BotonCrypto
import BotonNet
import BotonStore
import BotonTestSupport
import BotonWire
import Foundation
import Testing

/// The web server of `boton serve`: health, metrics, and the HTTPS alert intake.
@Suite struct HTTPTests {
    @Test func healthAndMetricsDescribeTheRunningService() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let server = try Server(database: db)
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.httpPort)
        let health = try client.request("GET", "/salud")
        #expect(health.status == 200)
        let json = try health.json()
        #expect(json["estado"] as? String == "ok")
        #expect((json["almacen"] as? [String: Any])?["esquema"] as? Int == Schema.latestVersion)
        #expect((json["territorio"] as? [String: Any])?["subcircuitos"] as? Int == 1483)
        #expect((json["escuchas"] as? [String: Any])?["udp"] as? Int == server.udpPort)
        #expect((json["escuchas"] as? [String: Any])?["https"] as? Int == server.httpsPort)
        // Issue 15, bug 3: no central configured (the default) is said at start-up and in /salud, without turning
        // the service's health to error.
        let central = try #require(json["central"] as? [String: Any])
        #expect(central["estado"] as? String == "sin_central" && central["configurada"] as? Bool == false)
        #expect((central["mensaje"] as? String)?.contains("no se envían a ninguna central") == true)
        try server.waitFor("event=central_not_configured")
        // /metrics on its own (loopback) listener; on the main port it is 404 without a configured token.
        #expect(try client.request("GET", "/metrics").status == 404)
        let metrics = try HTTPTestClient(port: server.metricsPort).request("GET", "/metrics")
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.text.contains("# TYPE boton_frames_received_total counter\nboton_frames_received_total 0\n"))
        #expect(metrics.text.contains("boton_http_requests_total{route=\"/salud\",status=\"200\"} 1"))
        #expect(metrics.text.contains("boton_incidents_open 0"))
        // The package's own assets, nothing from elsewhere.
        let css = try client.request("GET", "/static/estilo.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        #expect(css.text.contains("--azul"))
        #expect(try client.request("GET", "/static/ubicacion.js").header("Content-Type")?.hasPrefix("text/javascript") == true)
        #expect(try client.request("GET", "/static/nada.css").status == 404)
    }

    @Test func anAlertOverHTTPSGetsTheSameAnswersAsOverUDP() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let (device, secretHex) = try provision(db, line: "0991112222", lat: "-2.1894", lon: "-79.8862")
        let secret = Hex.decode(secretHex)!
        let server = try Server(database: db)
        defer { server.stop() }
        let tls = try TLSContext(clientVerifying: server.certificate)
        let client = try HTTPTestClient(port: server.httpsPort, tls: tls)
        let frame = try DeviceFrame(kind: .alerta, deviceID: DeviceID(hex: device)!, sequence: 7,
                                    clientTimestampMs: Int64(Date().timeIntervalSince1970 * 1000),
                                    batteryPercent: 90, position: nil).encode(secret: secret)
        let headers = ["Content-Type": "application/octet-stream", "X-Boton-Dispositivo": device]

        let first = try client.request("POST", "/api/v1/alertas", headers: headers, body: frame)
        #expect(first.status == 201)
        let answer = try first.json()
        #expect(answer["estado"] as? String == "aceptada")
        #expect(answer["incidente"] as? Int == 1)
        #expect((answer["upc"] as? String)?.hasPrefix("UPC-09D") == true)
        // The acknowledgement inside verifies with the device's key, like the UDP answer.
        let ack = try Acknowledgement.decode(Array(Data(base64Encoded: answer["acuse"] as! String)!), key: secret)
        #expect(ack.status == .aceptada && ack.sequence == 7)

        let again = try client.request("POST", "/api/v1/alertas", headers: headers, body: frame)
        #expect(again.status == 200)
        #expect(try again.json()["estado"] as? String == "duplicada")

        var forged = frame
        forged[forged.count - 1] ^= 1
        let wrongKey = try client.request("POST", "/api/v1/alertas", headers: headers, body: forged)
        #expect(wrongKey.status == 401)
        #expect(try wrongKey.json()["motivo"] as? String == "clave")

        let otherDevice = try client.request("POST", "/api/v1/alertas",
                                             headers: ["Content-Type": "application/octet-stream",
                                                       "X-Boton-Dispositivo": String(repeating: "a", count: 32)],
                                             body: frame)
        #expect(otherDevice.status == 400)

        let notAFrame = try client.request("POST", "/api/v1/alertas", headers: headers, body: Array("hola".utf8))
        #expect(notAFrame.status == 400)
        #expect(try notAFrame.json()["motivo"] as? String == "malformada")

        let json = try client.request("POST", "/api/v1/alertas", headers: ["Content-Type": "application/json"],
                                      body: Array("{}".utf8))
        #expect(json.status == 415)
    }
}
