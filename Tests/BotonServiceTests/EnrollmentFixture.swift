import Foundation
import Testing
@testable import BotonApp
import BotonConsole
import BotonCore
import BotonCrypto
import BotonGeo
import BotonStore
import BotonStoreFixtures
import BotonWire
@testable import BotonEnrollment
@testable import BotonIngestion
import BotonRepository
@testable import BotonRuntime

/// A fresh store (migrated, national territory imported) in a temporary directory, with the enrollment
/// service, operator accounts, and places in the territory chosen for scope tests.
final class EnrollmentFixture {
    static let territoryFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/territorio-ec.geojson").path
    static let pointsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/points-ec.csv").path

    static let territory: Territory = {
        do { return try TerritoryReader.read(path: territoryFile) } catch { fatalError("\(error)") }
    }()
    static let routing = RoutingTable(territory: territory, configuration: Configuration.Territory())

    /// A migrated database with the territory, built once and copied for each test: a SQLite file, or under
    /// PostgreSQL (`BOTON_TEST_BACKEND`) a database that each test's database is created from.
    static let templateDirectory = NSTemporaryDirectory() + "boton-enrollment-template-" + UUID().uuidString

    static let template: String = {
        let dir = templateDirectory
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Removed when the test process ends (it was left behind, a megabyte a run).
        atexit { try? FileManager.default.removeItem(atPath: EnrollmentFixture.templateDirectory) }
        let path = dir + "/template.sqlite"
        do {
            let database = try TestDatabase(path: path)
            let store = try database.openStore()
            try store.migrate()
            try store.replaceTerritory(TerritorySnapshot(territory: territory))
            if let sqlite = store as? SQLiteStore {
                try sqlite.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return path
            }
            return try database.keep()
        } catch { fatalError("\(error)") }
    }()

    /// A point inside a subcircuito, with its UPC and distrito.
    struct Place {
        let latitude: Double
        let longitude: Double
        let upc: String
        let upcName: String
        let district: String
        let subcircuit: String
        var lat: String { String(latitude) }
        var lon: String { String(longitude) }
    }

    /// Two places served by one UPC (`a`, `a2`), one by another UPC of the same distrito (`b`), one in another
    /// distrito (`c`).
    static let places: (a: Place, a2: Place, b: Place, c: Place) = {
        let text = try! String(contentsOfFile: pointsFile, encoding: .utf8)
        var byUPC: [String: [Place]] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            guard parts.count == 2, let lon = Double(parts[0]), let lat = Double(parts[1]) else { continue }
            let route = routing.route(GeoPoint(latitude: lat, longitude: lon))
            guard route.source == .subcircuito, let area = route.subcircuit else { continue }
            let place = Place(latitude: lat, longitude: lon, upc: route.upcCode, upcName: route.upcName,
                              district: area.district.rawValue, subcircuit: area.code.rawValue)
            if byUPC[route.upcCode] == nil { order.append(route.upcCode) }
            byUPC[route.upcCode, default: []].append(place)
        }
        for upcA in order where byUPC[upcA]!.count >= 2 {
            let a = byUPC[upcA]![0], a2 = byUPC[upcA]![1]
            guard let b = order.lazy.filter({ $0 != upcA }).compactMap({ byUPC[$0]!.first })
                .first(where: { $0.district == a.district }) else { continue }
            guard let c = order.lazy.compactMap({ byUPC[$0]!.first }).first(where: { $0.district != a.district })
            else { continue }
            return (a, a2, b, c)
        }
        fatalError("points-ec.csv has no suitable places")
    }()

    let directory: String
    /// The test's database: `directory/boton.sqlite`, or its own PostgreSQL database.
    let database: TestDatabase
    let store: any SQLStore
    let service: EnrollmentService
    let accounts: OperatorAccounts
    private var clock = Timestamp(millisecondsSince1970: 1_780_000_000_000)  // 2026-05-28

    init() throws {
        directory = NSTemporaryDirectory() + "boton-enrollment-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if TestBackend.isPostgreSQL {
            database = try TestDatabase(path: directory + "/boton.sqlite", postgresTemplate: Self.template)
        } else {
            try FileManager.default.copyItem(atPath: Self.template, toPath: directory + "/boton.sqlite")
            database = try TestDatabase(path: directory + "/boton.sqlite")
        }
        store = try database.openStore()
        service = EnrollmentService(store: store, routing: Self.routing)
        // Few rounds keep the tests fast; OperatorAccountsTests checks the production default.
        accounts = OperatorAccounts(store: store, passwordRounds: 1_000, throttle: SignInThrottle())
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A later instant each time: every step happens after the previous one.
    func now() -> Timestamp {
        clock = clock.adding(seconds: 60)
        return clock
    }

    func officer(_ username: String, _ role: OperatorRole = .operadorUPC, upc: String? = nil,
                 district: String? = nil) throws -> OperatorIdentity {
        try accounts.add(username: username, displayName: "Sbte. \(username)", role: role, upc: upc,
                         district: district, password: "contraseña-segura-1", at: now())
    }

    /// A complete, valid form for a place.
    static func form(cedula: String = "1710034065", phone: String = "099 123 4567", at place: Place,
                     names: String = "María José", surnames: String = "Pérez Andrade") -> EnrollmentForm {
        EnrollmentForm(
            documentKind: "cedula", documentNumber: cedula, givenNames: names, surnames: surnames,
            birthDate: "1985-04-23", phone: phone, email: "maria.perez@correo.ec",
            homeAddress: "Av. Amazonas N34-12 y Av. República, edificio azul", homeLatitude: place.lat,
            homeLongitude: place.lon,
            contacts: [.init(name: "Luis Pérez", phone: "098 765 4321"), .init(name: "Ana Andrade", phone: "02 234 5678"),
                       .init(name: "Jorge Ortiz", phone: "+593 98 111 2233")],
            consentsToDataProcessing: true, acceptsUsagePolicy: true)
    }

    // MARK: Rows

    func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue? {
        try store.sql.prepared(sql).first(values) { s -> SQLValue in
            s.isNull(0) ? .null : .text(s.text(0))
        }
    }

    func text(_ sql: String, _ values: [SQLValue] = []) throws -> String? {
        guard case .text(let t)? = try scalar(sql, values) else { return nil }
        return t
    }

    func audit(_ tramite: String) throws -> [String] {
        try store.auditEntries(subject: "solicitud:\(tramite)", limit: 100).reversed().map { "\($0.actor) \($0.action)" }
    }

    func history(_ tramite: String) throws -> [String] {
        try store.sql.prepared("""
            SELECT coalesce(t.from_state, '-') || '>' || t.to_state || ' ' || t.actor FROM enrollment_transition t
            JOIN enrollment e ON e.id = t.enrollment_id WHERE e.tramite = ?1 ORDER BY t.id
            """).rows([.text(tramite)]) { $0.text(0) }
    }

    // MARK: Alerts through the real ingestion writer

    /// The ingestion writer, on its own connection to the same file, kept across frames like the server's.
    lazy var writer: Writer = {
        let connection = try! database.openStore()
        return Writer(store: connection, routing: Self.routing, configuration: Configuration())
    }()

    /// Sends a frame from a device through the ingestion writer (one committed batch) and returns the answer.
    func ingest(_ bytes: [UInt8], at: Timestamp) throws -> Answer {
        let writer = self.writer
        let store = writer.store
        var notices: [IncidentNotice] = []
        let request = bytes.withUnsafeBytes { IngestRequest(frame: $0, receivedAt: at, route: .callback { _ in }) }
        writer.discardSightings()
        return try store.inTransaction { () throws(StoreError) -> Answer in
            let answer = try writer.process(request, now: at, notices: &notices)
            try writer.flushSightings()  // as the pipeline does, in the batch's transaction
            return answer
        }
    }

    // MARK: Devices and their frames

    /// A device credential as the phone holds it, and its line.
    struct Device {
        let id: String
        let secret: [UInt8]
        /// E.164.
        let line: String
    }

    /// Registers `phone` with its home at `place` and issues an `app` credential (as `boton device provision` does).
    func device(phone: String = "099 123 4567", at place: Place) throws -> Device {
        let issued = try Provisioning.provisionDevice(line: phone, latitude: place.latitude, longitude: place.longitude,
                                                      kind: "app", store: store, routing: Self.routing, at: now())
        return Device(id: issued.deviceID, secret: Hex.decode(issued.secretHex)!, line: issued.line.e164)
    }

    /// A frame as the phone builds it, sealed with the device's secret (or `secret`), its clock at `at`.
    static func frame(_ device: Device, _ kind: FrameKind = .alerta, sequence: UInt64, at: Timestamp,
                      secret: [UInt8]? = nil) throws -> [UInt8] {
        try DeviceFrame(kind: kind, deviceID: DeviceID(hex: device.id)!, sequence: sequence,
                        clientTimestampMs: at.millisecondsSince1970, batteryPercent: 80, position: nil)
            .encode(secret: secret ?? device.secret)
    }

    /// An alert (or a *prueba*) from `device` through the ingestion writer, received at `at`; returns its incident.
    @discardableResult
    func alert(from device: Device, _ kind: FrameKind = .alerta, sequence: UInt64, at: Timestamp) throws -> Int64 {
        let answer = try ingest(Self.frame(device, kind, sequence: sequence, at: at), at: at)
        guard let id = answer.incidentID else { throw FixtureError("frame not accepted: \(answer.summary)") }
        return id
    }

    /// A request taken through the whole procedure up to its credential (`prueba_pendiente`) by `officer`.
    func registered(cedula: String = "1710034065", phone: String = "099 123 4567", at place: Place,
                    by officer: OperatorIdentity) throws -> (tramite: String, device: Device) {
        let tramite = try service.submitOnline(Self.form(cedula: cedula, phone: phone, at: place), at: now()).tramite
        try service.recordContact(tramite, result: .contactado, note: nil, by: officer, at: now())
        try service.verify(tramite, by: officer, at: now())
        let registration = try service.register(tramite, by: officer, at: now())
        guard case .app(let id, let secretHex, _) = registration.credential else {
            throw FixtureError("a celular gets an app credential")
        }
        return (tramite, Device(id: id, secret: Hex.decode(secretHex)!, line: registration.line.e164))
    }

    /// A request taken through the whole procedure to `activa` (its *prueba* received and confirmed).
    func activated(cedula: String = "1710034065", phone: String = "099 123 4567", at place: Place,
                   by officer: OperatorIdentity) throws -> (tramite: String, device: Device) {
        let (tramite, device) = try registered(cedula: cedula, phone: phone, at: place, by: officer)
        try alert(from: device, .prueba, sequence: 1, at: now())
        _ = try confirmTest(tramite, by: officer, at: now())
        return (tramite, device)
    }

    /// *Confirmar prueba* as the request page and the API do it: the request becomes `activa` and its test alert
    /// is closed as `prueba`, in the enrollment service's one transaction.
    @discardableResult
    func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentSummary
    {
        let store = self.store
        return try service.confirmTest(tramite, by: officer, at: at) { id in
            try IncidentDesk.closeConfirmedTest(id, tramite: tramite, store: store, by: officer, at: at)
        }
    }

    /// A test alert (*prueba*) from the app credential issued for an enrollment.
    func sendAppTest(deviceID: String, secret: [UInt8], sequence: UInt64 = 1, at: Timestamp) throws -> Answer {
        let frame = try DeviceFrame(kind: .prueba, deviceID: DeviceID(hex: deviceID)!, sequence: sequence,
                                    clientTimestampMs: at.millisecondsSince1970, batteryPercent: 90, position: nil)
        return try ingest(frame.encode(secret: secret), at: at)
    }

    /// A call to 135 from a fijo marked as a test, reported by a carrier gateway.
    func sendGatewayTest(line e164: String, at: Timestamp) throws -> Answer {
        let (id, secretHex) = try Provisioning.addGateway(name: "CNT Quito", store: store, at: at)
        let frame = GatewayFrame(gatewayID: GatewayID(hex: id)!, sequence: 1, clientTimestampMs: at.millisecondsSince1970,
                                 isTest: true, line: try CallingLine(e164: e164))
        return try ingest(frame.encode(secret: Hex.decode(secretHex)!), at: at)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Answer {
    /// The incident an `aceptada` or `duplicada` answer names.
    var incidentID: Int64? {
        guard case .acknowledgement(let ack, _) = self, ack.incidentID != 0 else { return nil }
        return Int64(ack.incidentID)
    }

    /// `aceptada` with its incident, `rechazada dada_de_baja` (authenticated), `rechazo desconocido` (not), …
    var summary: String {
        switch self {
        case .acknowledgement(let ack, _) where ack.status == .rechazada:
            return "rechazada \(ack.reason.rawValue)"
        case .acknowledgement(let ack, _): return "\(ack.status) \(ack.incidentID)"
        case .rejection(let r): return "rechazo \(r.reason)"
        case .site(let outcome, _): return "sitio \(outcome)"
        }
    }
}
