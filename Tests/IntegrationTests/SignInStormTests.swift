import Foundation
import Synchronization
import Testing

/// A storm of sign-ins (each a half-second password hash) cannot take every web worker: past
/// `http.login_concurrency` at once they are answered 503 with `Retry-After`, and alerts and `/salud` go on.
@Suite struct SignInStormTests {
    @Test func signInsBeyondTheirSlotsAreToldToRetryAndAlertsGoOn() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        try addOfficer(db, "andrade", upc: Applicant.quitoUPC)
        let phone = try IngestionFaultTests.Phone(db, line: "0991110003")
        // One address here: its rate limit is raised so that the slots, not the limiter, answer.
        let server = try Server(database: db, extra: ["--set", "http.login_rate_burst=1000",
                                                      "--set", "http.login_concurrency=1", "--set", "http.workers=4"])
        defer { server.stop() }

        let answers = Mutex<[(status: Int, retryAfter: String?)]>([])
        let attempts = 12
        let port = server.httpPort
        DispatchQueue.concurrentPerform(iterations: attempts) { _ in
            let client = try? WebClient(port: port)
            let answer = try? client?.postJSON("/api/v1/sesiones", ["usuario": "andrade", "contrasena": "no-es-la-clave"])
            answers.withLock { $0.append((answer?.status ?? 0, answer?.header("Retry-After"))) }
        }
        let all = answers.withLock { $0 }
        #expect(all.count == attempts)
        #expect(all.allSatisfy { $0.status == 401 || $0.status == 503 }, "\(all.map(\.status))")
        let busy = all.filter { $0.status == 503 }
        #expect(!busy.isEmpty, "twelve at once over one slot: some are told to retry")
        #expect(busy.allSatisfy { $0.retryAfter == "1" })

        // The service stays available.
        let udp = try IngestionFaultTests.UDPPhone(port: server.udpPort)
        udp.send(try phone.alert(1))
        #expect(try #require(udp.receive().flatMap(phone.decode)).status == .aceptada)
        #expect(try WebClient(port: server.httpPort).get("/salud").status == 200)
        #expect(server.stop() == 0)
        #expect(server.log.contains("event=sign_in_busy"))
    }
}
