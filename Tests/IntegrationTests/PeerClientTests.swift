import Foundation
import Testing

/// Independent clients against `boton serve`: curl over HTTP and HTTPS (verifying our certificate), and Python's
/// h11 driving one keep-alive connection with pipelined requests.
@Suite struct PeerClientTests {
    /// Runs a peer program; its status and both outputs together.
    static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        let result = try Boton.runProcess(program, arguments)
        return (result.status, result.stdout + result.stderr)
    }

    @Test func curlOverHTTPAndHTTPS() throws {
        let dir = TemporaryDirectory()
        let server = try Server(database: try preparedDatabase(in: dir))
        defer { server.stop() }
        let (plainStatus, plain) = try Self.run("curl", ["-sS", "-i", "http://127.0.0.1:\(server.httpPort)/salud"])
        #expect(plainStatus == 0, "curl failed (is curl installed? Scripts/test installs it): \(plain)")
        #expect(plain.hasPrefix("HTTP/1.1 200 OK"))
        #expect(plain.contains("\"estado\":\"ok\""))
        // HTTPS with the server's certificate as the only trusted one: the handshake and the name both verify.
        let (secureStatus, secure) = try Self.run("curl", ["-sS", "-i", "--cacert", server.certificate,
                                                           "https://127.0.0.1:\(server.httpsPort)/registro"])
        #expect(secureStatus == 0, "\(secure)")
        #expect(secure.hasPrefix("HTTP/1.1 200 OK"))
        #expect(secure.contains("Content-Security-Policy: default-src 'self'"))
        #expect(secure.contains("<html lang=\"es-EC\">"))
        // A JSON form with everything missing: 422 naming each field in Spanish.
        let (_, invalid) = try Self.run("curl", ["-sS", "-i", "-H", "Content-Type: application/json", "--data", "{}",
                                                 "http://127.0.0.1:\(server.httpPort)/api/v1/enrolamientos"])
        #expect(invalid.hasPrefix("HTTP/1.1 422"))
        #expect(invalid.contains("\"tipo_documento\""))
        #expect(invalid.contains("\"telefono\""))
        // Not JSON: 415, and curl's chunked upload is read like any body.
        let (_, chunked) = try Self.run("curl", ["-sS", "-i", "-H", "Transfer-Encoding: chunked", "-H",
                                                 "Content-Type: text/plain", "--data-binary", "hola",
                                                 "http://127.0.0.1:\(server.httpPort)/api/v1/enrolamientos"])
        #expect(chunked.hasPrefix("HTTP/1.1 415"))
    }

    @Test func h11ReusesOneKeepAliveConnectionForEveryRequest() throws {
        let dir = TemporaryDirectory()
        let server = try Server(database: try preparedDatabase(in: dir))
        defer { server.stop() }
        let script = """
            import socket, sys, h11
            sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            conn = h11.Connection(our_role=h11.CLIENT)
            targets = ["/salud", "/registro", "/static/estilo.css", "/no-existe"]
            data = b"".join(conn.send(h11.Request(method="GET", target=t, headers=[("Host", "test")])) +
                            conn.send(h11.EndOfMessage()) for t in targets[:1])
            sock.sendall(data)
            results = []
            for i, target in enumerate(targets):
                status, body = None, b""
                while True:
                    event = conn.next_event()
                    if event is h11.NEED_DATA:
                        conn.receive_data(sock.recv(65536))
                        continue
                    if isinstance(event, h11.Response):
                        status = event.status_code
                    elif isinstance(event, h11.Data):
                        body += event.data
                    elif isinstance(event, h11.EndOfMessage):
                        break
                results.append(f"{target} {status} {len(body)}")
                conn.start_next_cycle()
                if i + 1 < len(targets):
                    sock.sendall(conn.send(h11.Request(method="GET", target=targets[i + 1],
                                                       headers=[("Host", "test")])) + conn.send(h11.EndOfMessage()))
            print("\\n".join(results))
            """
        let (status, output) = try Self.run("python3", ["-c", script, String(server.httpPort)])
        #expect(status == 0, "python3 with h11 failed (Scripts/test installs h11): \(output)")
        let lines = output.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.map { String($0[0]) } == ["/salud", "/registro", "/static/estilo.css", "/no-existe"])
        #expect(lines.map { String($0[1]) } == ["200", "200", "200", "404"])
        #expect(lines.prefix(3).allSatisfy { Int($0[2])! > 100 })
    }
}
