import BotonHTTP
import Testing

@Suite struct ServerSentEventsTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func fullEvent() {
        let event = ServerSentEvent(id: 42, event: "alerta", data: "{\"a\":1}\nsegunda\r\ntercera\rcuarta",
                                    retryMilliseconds: 3000)
        #expect(text(ServerSentEvents.encode(event))
                    == "id: 42\nevent: alerta\nretry: 3000\ndata: {\"a\":1}\ndata: segunda\ndata: tercera\ndata: cuarta\n\n")
    }

    @Test func minimalAndEdgeEvents() {
        #expect(text(ServerSentEvents.encode(ServerSentEvent(data: "x"))) == "data: x\n\n")
        #expect(text(ServerSentEvents.encode(ServerSentEvent(data: ""))) == "data: \n\n")
        #expect(text(ServerSentEvents.encode(ServerSentEvent(data: "a\n"))) == "data: a\ndata: \n\n")
        #expect(text(ServerSentEvents.encode(ServerSentEvent(event: "bad\nname", data: "x")))
                    == "event: badname\ndata: x\n\n")
        #expect(text(ServerSentEvents.encode(ServerSentEvent(event: "\r\n", data: "x"))) == "data: x\n\n")
    }

    @Test func heartbeatAndComments() {
        #expect(text(ServerSentEvents.heartbeat) == ": ping\n\n")
        #expect(text(ServerSentEvents.comment("uno\ndos")) == ": uno\n: dos\n\n")
    }

    @Test func responseHead() {
        #expect(text(ServerSentEvents.responseHead())
                    == "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                    + "Connection: close\r\n\r\n")
        let head = ServerSentEvents.responseHead(headers: ["X-Request-Id": "abc", "Content-Length": "5",
                                                            "Content-Type": "text/html"])
        #expect(text(head) == "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                    + "X-Request-Id: abc\r\nConnection: close\r\n\r\n")
    }

    @Test func lastEventID() throws {
        #expect(ServerSentEvents.parseLastEventID("17") == 17)
        #expect(ServerSentEvents.parseLastEventID(" 18446744073709551615 ") == UInt64.max)
        for bad in ["", "-1", "+1", "1e3", "0x10", "18446744073709551616", "abc", "1 2"] {
            #expect(ServerSentEvents.parseLastEventID(bad) == nil, "\(bad)")
        }
        let request = try HTTPRequest(method: .get, target: "/eventos", headers: ["Host": "a", "last-event-id": "99"])
        #expect(ServerSentEvents.lastEventID(of: request) == 99)
        #expect(try ServerSentEvents.lastEventID(of: HTTPRequest(method: .get, target: "/")) == nil)
    }
}
