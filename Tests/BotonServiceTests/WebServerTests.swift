import BotonHTTP
import BotonNet
import BotonTestSupport
import Foundation
import Synchronization
import Testing
@testable import BotonWebKit
@testable import BotonRuntime

/// The web server over real loopback sockets: keep-alive, pipelining, deadlines, errors, TLS, event streams.
@Suite("Web server")
struct WebServerTests {
    final class Fixture {
        let server: WebServer
        let directory: String
        let clientTLS: TLSContext
        final class Sinks: Sendable { let list = Mutex<[EventSink]>([]) }
        let streams = Sinks()

        init(headerTimeoutMs: Int = 10_000) throws {
            directory = NSTemporaryDirectory() + "boton-web-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try SelfSignedCertificate.write(certificatePath: directory + "/c.pem", keyPath: directory + "/k.pem",
                                            host: "test")
            let tls = try TLSContext(certificatePath: directory + "/c.pem", keyPath: directory + "/k.pem")
            clientTLS = try TLSContext(clientVerifying: directory + "/c.pem")
            var router = Router()
            router.use(.requestID())
            router.use(.securityHeaders())
            router.get("/eco/:texto") { _, parameters in .text(parameters["texto"] ?? "") }
            router.post("/suma") { request, _ in
                let numbers = String(decoding: request.body, as: UTF8.self).split(separator: "+").compactMap { Int($0) }
                return .text(String(numbers.reduce(0, +)))
            }
            router.get("/cliente") { request, _ in .text("\(request.clientAddress) \(request.isSecure)") }
            // Answered on the connection thread (it says which thread it ran on).
            router.get("/rapido/:texto", nonBlocking: true) { _, parameters in
                .text("\(parameters["texto"] ?? "") \(currentThreadName())")
            }
            router.get("/hilo") { _, _ in .text(currentThreadName()) }
            router.get("/lento") { _, _ in
                Thread.sleep(forTimeInterval: 0.05)  // a slow handler, to prove order does not depend on speed
                return .text("lento")
            }
            let streams = self.streams
            let eventStreams: [String: EventStreamRoute] = [
                "/eventos": { request in
                    guard request.query("clave") == "ok" else { throw HTTPError(.unauthorized, "sin sesión") }
                    let from = ServerSentEvents.lastEventID(of: request) ?? 0
                    return EventStreamStart(attach: { sink in
                        // Listed before anything is sent: a client that has read the replay finds its sink listed.
                        streams.list.withLock { $0.append(sink) }
                        for id in (from + 1) ... (from + 2) {
                            sink.send(ServerSentEvent(id: id, event: "prueba", data: "evento \(id)"))
                        }
                    })
                },
            ]
            server = try WebServer(
                settings: WebSettings(port: 0, tls: (0, tls), headerTimeoutMs: headerTimeoutMs, workers: 2,
                                      connectionThreads: 2, heartbeatMs: 200),
                router: router, eventStreams: eventStreams, logger: Logger(level: .error))
            server.start()
        }

        var port: Int { server.address.port }
        var securePort: Int { server.secureAddress!.port }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func keepAliveAndSecurityHeaders() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.port)
        let first = try client.request("GET", "/eco/hola%20mundo")
        #expect(first.status == 200)
        #expect(first.text == "hola mundo")
        #expect(first.header("X-Content-Type-Options") == "nosniff")
        #expect(first.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(first.header("X-Request-Id")?.count == 16)
        let second = try client.request("POST", "/suma", body: Array("2+3+4".utf8))
        #expect(second.text == "9")
        #expect(try client.request("GET", "/nada").status == 404)
        #expect(try client.request("DELETE", "/suma").status == 405)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.port)
        try client.send("GET /lento HTTP/1.1\r\nHost: a\r\n\r\nGET /eco/b HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "POST /suma HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n1+2\r\n0\r\n\r\n")
        #expect(try client.response().text == "lento")
        #expect(try client.response().text == "b")
        #expect(try client.response().text == "3")
    }

    @Test func nonBlockingRoutesRunOnTheConnectionThreadAndOthersOnThePool() throws {
        let fixture = try Fixture()
        for port in [fixture.port, fixture.securePort] {
            let client = try HTTPTestClient(port: port, tls: port == fixture.port ? nil : fixture.clientTLS)
            let inline = try client.request("GET", "/rapido/x")
            #expect(inline.text.hasPrefix("x boton-stream"))
            #expect(inline.header("X-Request-Id")?.count == 16, "middleware run inline too")
            #expect(inline.header("Date") != nil)
            let pooled = try client.request("GET", "/hilo").text
            #expect(!pooled.hasPrefix("boton-stream") && !pooled.isEmpty, "a worker pool thread: \(pooled)")
        }
    }

    @Test func pipelinedRequestsKeepTheirOrderAcrossInlineAndPooledRoutes() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.port)
        // A slow pooled request, then inline ones that must wait for it, a pooled one, a 404 (inline) and a pooled
        // one last.
        try client.send("GET /lento HTTP/1.1\r\nHost: a\r\n\r\nGET /rapido/1 HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "GET /eco/2 HTTP/1.1\r\nHost: a\r\n\r\nGET /rapido/3 HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "GET /nada HTTP/1.1\r\nHost: a\r\n\r\nGET /rapido/5 HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "GET /lento HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                        + "GET /rapido/never HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.response().text == "lento")
        #expect(try client.response().text.hasPrefix("1 "))
        #expect(try client.response().text == "2")
        #expect(try client.response().text.hasPrefix("3 "))
        #expect(try client.response().status == 404)
        #expect(try client.response().text.hasPrefix("5 "))
        let last = try client.response()
        #expect(last.text == "lento")
        #expect(last.header("Connection") == "close")
        // Nothing after the request that asked to close.
        #expect(client.closedByPeer())
    }

    @Test func anInlineAnswerThatClosesStopsThePipeline() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.port)
        try client.send("GET /rapido/a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                        + "GET /rapido/b HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = try client.response()
        #expect(first.text.hasPrefix("a "))
        #expect(first.header("Connection") == "close")
        #expect(client.closedByPeer())
    }

    @Test func connectionsAreSpreadOverTheConnectionThreads() throws {
        let fixture = try Fixture()
        var names: Set<String> = []
        var clients: [HTTPTestClient] = []
        for index in 0 ..< 4 {
            let client = try HTTPTestClient(port: fixture.port)
            names.insert(String(try client.request("GET", "/rapido/\(index)").text.split(separator: " ")[1]))
            clients.append(client)
        }
        #expect(names == ["boton-stream-0", "boton-stream-1"])
    }

    @Test func aParseErrorIsAnsweredAfterEarlierRequestsThenTheConnectionCloses() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.port)
        try client.send("GET /eco/a HTTP/1.1\r\nHost: a\r\n\r\nPOST /suma HTTP/1.1\r\nHost: a\r\n"
                        + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(try client.response().text == "a")
        #expect(try client.response().status == 400)
        #expect(client.closedByPeer())
    }

    @Test func aRequestThatNeverFinishesGets408() throws {
        let fixture = try Fixture(headerTimeoutMs: 300)
        let slow = try HTTPTestClient(port: fixture.port)
        try slow.send("GET /eco/a HTTP/1.1\r\nHost: a\r\n")  // no blank line: the header never ends
        let other = try HTTPTestClient(port: fixture.port)
        #expect(try other.request("GET", "/eco/ok").text == "ok")
        #expect(try slow.response().status == 408)
        #expect(slow.closedByPeer())
    }

    @Test func httpsCarriesTheSameRoutesAndTellsHandlersItIsSecure() throws {
        let fixture = try Fixture()
        let client = try HTTPTestClient(port: fixture.securePort, tls: fixture.clientTLS)
        #expect(try client.request("GET", "/cliente").text == "127.0.0.1 true")
        let plain = try HTTPTestClient(port: fixture.port)
        #expect(try plain.request("GET", "/cliente").text == "127.0.0.1 false")
    }

    @Test func eventStreamsReplayFromLastEventIDSendHeartbeatsAndRefuseWithoutAuthorization() throws {
        let fixture = try Fixture()
        let refused = try HTTPTestClient(port: fixture.port)
        #expect(try refused.request("GET", "/eventos").status == 401)

        let client = try HTTPTestClient(port: fixture.port)
        try client.send("GET /eventos?clave=ok HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 41\r\n\r\n")
        let opened = try client.read(until: "evento 43\n\n")
        #expect(opened.hasPrefix("HTTP/1.1 200"))
        #expect(opened.contains("Content-Type: text/event-stream"))
        // The stream's head went through the router's middleware like any other answer.
        #expect(opened.contains("X-Request-Id: "))
        #expect(opened.contains("X-Content-Type-Options: nosniff"))
        #expect(opened.contains("id: 42\nevent: prueba\ndata: evento 42\n\n"))
        #expect(try client.read(until: ": latido\n").contains(": latido"))
        let sink = try #require(fixture.streams.list.withLock { $0.first })
        sink.send(ServerSentEvent(id: 44, data: "en vivo"))
        #expect(try client.read(until: "en vivo\n\n").contains("id: 44\ndata: en vivo"))
        #expect(fixture.server.metrics.openStreams == 1)
        sink.close()
        #expect(client.closedByPeer())

        // A console that goes away is noticed without waiting for a heartbeat to fail.
        let leaving = try HTTPTestClient(port: fixture.port)
        try leaving.send("GET /eventos?clave=ok HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = try leaving.read(until: "evento 2\n\n")
        let before = fixture.streams.list.withLock { $0.count }
        let gone = try #require(fixture.streams.list.withLock { $0.last })
        #expect(before == 2 && gone.isOpen)
        leaving.connection.shutdownSending()
        #expect(leaving.closedByPeer())
        #expect(!gone.isOpen)
    }
}

/// The name the system knows the current thread by (`boton-stream-0`; the pool's Foundation threads keep the
/// process's name).
func currentThreadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return name.trimmingCharacters(in: .whitespacesAndNewlines)
}
