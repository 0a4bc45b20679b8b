import BotonCore
import BotonGeo
import BotonRepository
import BotonWire
import Synchronization
import BotonRuntime

/// What a frame is answered.
enum Answer: Sendable {
    /// Authenticated with the sender's key.
    case acknowledgement(Acknowledgement, key: [UInt8])
    /// Unauthenticated: the sender is unknown or the frame unreadable.
    case rejection(ShortRejection)
    /// A site's event (DC-09): the outcome goes to its own reply; `metricKey` (`code|class`) counts a stored one.
    case site(SiteOutcome, metricKey: String?)

    func bytes() -> ReplyBytes {
        switch self {
        case .site:
            return ReplyBytes { _ in 0 }
        case .acknowledgement(let ack, let key):
            return ReplyBytes { out in key.withUnsafeBytes { ack.encode(key: $0, into: out) } }
        case .rejection(let r):
            return ReplyBytes { r.encode(into: $0) }
        }
    }
}

/// Builds the authenticated answers to one frame: its sequence, the server time, the sender's key.
struct Acknowledger {
    let key: [UInt8]
    let sequence: UInt64
    let now: Timestamp

    func callAsFunction(_ status: AckStatus, _ reason: RejectReason = .ninguna, incident: Int64? = nil,
                        upc: String? = nil) -> Answer {
        Answer.acknowledgement(
            Acknowledgement(status: status, reason: reason, sequence: sequence, incidentID: UInt64(incident ?? 0),
                            serverTimeMs: now.millisecondsSince1970, upcCode: upc.flatMap { UPCCode($0) }),
            key: key)
    }
}

extension Acknowledger {
    /// A stored frame that asked for its alert's state, answered with it: `alert` is the line's newest alert (nil:
    /// none in the last 24 hours).
    func withStatus(_ status: AckStatus, alert: OpenIncident?) -> Answer {
        let stage: AlertStatus.Stage
        switch alert?.state {
        case nil: stage = .ninguna
        case .recibida?: stage = .recibida
        case .notificada?: stage = .notificada
        case .tomada?: stage = .tomada
        case .despachada?: stage = .despachada
        case .cerrada?: stage = .cerrada
        }
        return Answer.acknowledgement(
            Acknowledgement(status: status, sequence: sequence, incidentID: UInt64(alert?.id ?? 0),
                            serverTimeMs: now.millisecondsSince1970,
                            alertStatus: AlertStatus(stage: stage, unit: stage == .despachada ? alert?.unit : nil)),
            key: key)
    }
}

extension Acknowledgement {
    static func busy(sequence: UInt64, serverTimeMs: Int64) -> Acknowledgement {
        Acknowledgement(status: .ocupadoReintente, sequence: sequence, serverTimeMs: serverTimeMs)
    }
}

/// The writer's state and per-frame logic. Only the writer thread touches it (the store connection, the
/// credential cache), so it needs no lock; it is `@unchecked Sendable` only to be handed to that thread.
final class Writer: @unchecked Sendable {
    /// The writer's connection; replaced after a storage fault when the pipeline can reconnect (a PostgreSQL
    /// failover leaves the old one dead, or on a standby).
    private(set) var store: any IngestionStore
    let routing: RoutingTable
    let replayWindow: ReplayWindow
    let mergeWindowMs: Int64
    let maxFixAccuracy: Int
    let siteDuplicateWindowMs: Int64
    /// Device credentials with when they were read. Other connections revoke devices (a citizen's baja, a line
    /// registered again), so a cached credential is trusted for ``credentialCacheMilliseconds`` and then read
    /// again: a revocation takes effect within that time, for one indexed read per active device per period.
    private var devices: [DeviceID: (credential: DeviceCredential, readAt: Timestamp)] = [:]
    static let credentialCacheMilliseconds: Int64 = 10_000
    private var gateways: [GatewayID: GatewayCredential] = [:]
    /// The signs of life of supervised senders in the batch being processed, one per sender (the latest), written
    /// by ``flushSightings()`` inside the batch's transaction: one row per sender per batch, never a write of its own.
    private var sightings: [SightingKey: SenderSighting] = [:]
    let phoneIntervalSeconds: Int
    let graceSeconds: Int

    struct SightingKey: Hashable {
        let kind: SenderKind
        let sender: String
    }

    init(store: any IngestionStore, routing: RoutingTable, configuration: Configuration) {
        self.store = store
        self.routing = routing
        replayWindow = ReplayWindow(seconds: configuration.ingest.replayWindowSeconds)
        mergeWindowMs = Int64(configuration.ingest.mergeWindowSeconds) * 1000
        maxFixAccuracy = configuration.territory.maxFixAccuracyMeters
        siteDuplicateWindowMs = Int64(configuration.dc09.duplicateWindowSeconds) * 1000
        phoneIntervalSeconds = configuration.supervision.phoneIntervalSeconds
        graceSeconds = configuration.supervision.graceSeconds
    }

    // MARK: Supervision

    /// Notes a sign of life of a supervised sender (BotonCore's ``SenderSupervision``); `starts` for a sign that
    /// puts a sender under supervision (a phone's latido, a site or gateway with an interval).
    func sighted(_ kind: SenderKind, _ sender: String, label: String, upc: String, intervalSeconds: Int,
                 at: Timestamp, latitude: Double?, longitude: Double?, starts: Bool) {
        let rule = SenderSupervision(intervalSeconds: intervalSeconds, graceSeconds: graceSeconds)
        let key = SightingKey(kind: kind, sender: sender)
        let earlier = sightings[key]
        sightings[key] = SenderSighting(
            kind: kind, sender: sender, label: label, upcCode: upc, intervalSeconds: intervalSeconds, at: at,
            silentAt: rule.silentAt(lastSeen: at), latitude: latitude ?? earlier?.latitude,
            longitude: longitude ?? earlier?.longitude, starts: starts || earlier?.starts == true)
    }

    /// Writes the batch's signs of life (inside its transaction) and forgets them.
    func flushSightings() throws(StoreError) {
        guard !sightings.isEmpty else { return }
        let batch = Array(sightings.values)
        sightings.removeAll(keepingCapacity: true)
        try store.recordSightings(batch)
    }

    /// A batch that did not commit: its signs of life go with it.
    func discardSightings() { sightings.removeAll(keepingCapacity: true) }

    /// A new connection in place of one that failed; nothing read on the old one is trusted.
    func replace(store: any IngestionStore) {
        self.store = store
        forgetCachedCredentials()
    }

    /// After a failed commit, cached rows may describe writes that were rolled back.
    func forgetCachedCredentials() {
        devices.removeAll()
        gateways.removeAll()
    }

    /// `now` is the batch's time (receipts, replay window, answers); a new incident opens at the instant the
    /// listener received its frame (never after `now`), so `opened_at` does not include the time spent queued and
    /// in the group-commit window.
    func process(_ request: IngestRequest, now: Timestamp, notices: inout [IncidentNotice]) throws(StoreError)
        -> Answer
    {
        let received = min(request.receivedAt, now)
        if let site = request.site {
            return try processSite(site.event, received: received, now: now, notices: &notices)
        }
        return try request.withBytes { (bytes) throws(StoreError) -> Answer in
            // The listener already peeked; a failure here would be a bug, answered as malformed.
            guard let header = try? WireFrame.peek(bytes) else {
                return .rejection(ShortRejection(reason: .malformada))
            }
            switch header.sender {
            case .device(let id):
                return try processDevice(bytes, id: id, header: header, received: received, now: now,
                                         notices: &notices)
            case .gateway(let id):
                return try processGateway(bytes, id: id, header: header, received: received, now: now,
                                          notices: &notices)
            }
        }
    }

    // MARK: Devices

    private func device(_ id: DeviceID, now: Timestamp) throws(StoreError) -> DeviceCredential? {
        if let cached = devices[id], now.milliseconds(since: cached.readAt) < Self.credentialCacheMilliseconds,
           now >= cached.readAt {
            return cached.credential
        }
        guard let credential = try store.deviceCredential(id: id.description) else {
            devices[id] = nil
            return nil
        }
        devices[id] = (credential, now)
        return credential
    }

    private func processDevice(_ bytes: UnsafeRawBufferPointer, id: DeviceID, header: FrameHeader,
                               received: Timestamp, now: Timestamp, notices: inout [IncidentNotice])
        throws(StoreError) -> Answer
    {
        guard let credential = try device(id, now: now) else {
            return .rejection(ShortRejection(reason: .desconocido))
        }
        let key = credential.secret
        let ack = Acknowledger(key: key, sequence: header.sequence, now: now)
        let frame: DeviceFrame
        do { frame = try DeviceFrame.decode(bytes) } catch {
            return .rejection(ShortRejection(reason: .malformada))
        }
        let authentic = key.withUnsafeBytes { DeviceFrame.verify(bytes, secret: $0) }
        guard authentic else { return ack(.rechazada, .clave) }
        let sender = id.bytes
        let fingerprint = header.fingerprint.bytes
        if credential.revoked {
            // Switched off: said with the device's key, so the phone can tell its owner. A retransmission of a
            // frame answered before (the baja itself) still gets its first answer.
            if let previous = try store.receipt(sender: sender, sequence: header.sequence),
               previous.fingerprint == fingerprint, previous.status == "aceptada" {
                return ack(.duplicada, incident: previous.incidentID, upc: previous.upcCode)
            }
            return ack(.rechazada, .dadaDeBaja)
        }
        let line = credential.line
        if let answered = try answerSeen(sender: sender, fingerprint: fingerprint, clientTimestampMs:
                                             frame.clientTimestampMs, ack: ack) {
            // A retransmission that asks for the alert's state gets the state as it is now.
            if frame.wantsAlertStatus, case .acknowledgement(let first, _) = answered, first.status == .duplicada {
                return ack.withStatus(.duplicada, alert: try store.latestIncident(
                    line: line.e164, since: now.adding(seconds: -86_400)))
            }
            return answered
        }
        let author = "dispositivo:\(id)"
        // A new authenticated frame is a sign of life; a latido puts the phone under supervision (never a load
        // test's simulated phone: it would be listed "Sin señal" once the test ends).
        let home = locate(line: line, position: nil)
        sighted(.telefono, id.description, label: line.e164, upc: home.upc, intervalSeconds: phoneIntervalSeconds,
                at: now, latitude: frame.position?.latitude ?? line.homeLatitude,
                longitude: frame.position?.longitude ?? line.homeLongitude,
                starts: frame.kind == .latido && !line.simulated)
        let battery = frame.batteryPercent.map { Int($0) }
        var incident: Int64?
        var upc: String?
        /// What a frame that asks for its alert's state is told: the open alert read for the frame, else the
        /// newest of the line (read only for such a frame).
        var statusOf: OpenIncident?
        switch frame.kind {
        case .alerta, .prueba:
            let isTest = frame.kind == .prueba
            let position = frame.position.map {
                IncidentPosition(latitude: $0.latitude, longitude: $0.longitude,
                                 accuracyMeters: Int($0.accuracyMeters), fixAgeSeconds: Int($0.fixAgeSeconds),
                                 batteryPercent: battery)
            }
            (incident, upc) = try openOrJoin(line: line, isTest: isTest, position: position, deviceID: id.description,
                                             author: author, received: received, now: now, notices: &notices,
                                             silent: frame.isSilent, battery: battery)
        case .cancelacion:
            if let open = try store.openIncident(line: line.e164, isTest: false, since: now.adding(seconds: -86_400)) {
                try store.recordCancellation(incident: open.id, at: now, author: author)
                (incident, upc) = (open.id, open.upcCode)
                notices.append(IncidentNotice(incidentID: open.id, upcCode: open.upcCode, lineE164: line.e164,
                                              isTest: false, lineSuspended: line.suspended, change: .cancelacion,
                                              at: now))
            }
        case .posicion:
            if let p = frame.position,
               let open = try store.openIncident(line: line.e164, isTest: false, since: now.adding(seconds: -86_400)) {
                try store.addPosition(incident: open.id, IncidentPosition(
                    latitude: p.latitude, longitude: p.longitude, accuracyMeters: Int(p.accuracyMeters),
                    fixAgeSeconds: Int(p.fixAgeSeconds), batteryPercent: battery), at: now, author: author)
                if let battery, battery != open.batteryPercent {
                    try store.updateOpenIncident(open.id, silent: false, batteryPercent: battery)
                }
                (incident, upc) = (open.id, open.upcCode)
                statusOf = open
                notices.append(IncidentNotice(incidentID: open.id, upcCode: open.upcCode, lineE164: line.e164,
                                              isTest: false, lineSuspended: line.suspended, change: .posicion, at: now))
            }
        case .baja:
            return try confirmBaja(deviceID: id, sender: sender, fingerprint: fingerprint, sequence: header.sequence,
                                   now: now, ack: ack)
        case .latido, .gateway:
            break
        }
        try store.insertReceipt(sender: sender, sequence: header.sequence, kind: frame.kind.rawValue,
                                receipt: FrameReceipt(fingerprint: fingerprint, status: "aceptada",
                                                      incidentID: incident, upcCode: upc), at: now)
        if frame.wantsAlertStatus {
            // Idle phones never ask; a phone with an alert open asks with its positions (the open alert was read
            // for them already) and keep-alives (one indexed read by line).
            if statusOf == nil {
                statusOf = try store.latestIncident(line: line.e164, since: now.adding(seconds: -86_400))
            }
            return ack.withStatus(.aceptada, alert: statusOf)
        }
        return ack(.aceptada, incident: incident, upc: upc)
    }

    // MARK: Baja

    /// A `baja` frame: the enrolled device confirms the baja asked for online. Its request, if `baja_solicitada`,
    /// becomes `dada_de_baja` by the domain's rules (replayed from its history), every credential of the line is
    /// revoked and the step audited (`confirmar_baja`), all in this batch's transaction; the device is dropped
    /// from the cache, so its next frame is `rechazada`/`dada_de_baja`. Without a pending request nothing changes and the
    /// answer is `rechazada`/`sin_solicitud` — stored like any answer, so a retransmission of the frame can never
    /// confirm a request made after it.
    private func confirmBaja(deviceID id: DeviceID, sender: [UInt8], fingerprint: [UInt8], sequence: UInt64,
                             now: Timestamp, ack: Acknowledger) throws(StoreError) -> Answer
    {
        guard let record = try store.enrollment(deviceID: id.description), record.state == .bajaSolicitada,
              let enrollmentID = record.id else {
            try store.insertReceipt(sender: sender, sequence: sequence, kind: FrameKind.baja.rawValue,
                                    receipt: FrameReceipt(fingerprint: fingerprint, status: "rechazada",
                                                          incidentID: nil, upcCode: nil), at: now)
            return ack(.rechazada, .sinSolicitud)
        }
        let author = Author.dispositivo(id.description)
        var enrollment: Enrollment
        do {
            enrollment = try Enrollment(replaying: try store.transitions(enrollmentID: enrollmentID),
                                        usagePolicyExplained: record.usagePolicyExplained)
            try enrollment.transition(to: .dadaDeBaja, by: author, at: max(now, record.updatedAt),
                                      note: "Baja confirmada desde el botón del ciudadano")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(kind: .invalidData, message: "baja of \(record.tramite): \(error)")
        }
        try store.appendTransition(enrollmentID: enrollmentID, enrollment.history[enrollment.history.count - 1])
        let revoked = try store.revokeDevices(line: record.lineE164, at: now)
        try store.appendAudit(AuditEntry(at: now, actor: author.storageForm, action: "confirmar_baja",
                                         subject: "solicitud:\(record.tramite)",
                                         detail: "canal=dispositivo dispositivos_revocados=\(revoked)"))
        devices[id] = nil
        try store.insertReceipt(sender: sender, sequence: sequence, kind: FrameKind.baja.rawValue,
                                receipt: FrameReceipt(fingerprint: fingerprint, status: "aceptada", incidentID: nil,
                                                      upcCode: record.upcCode), at: now)
        return ack(.aceptada, upc: record.upcCode)
    }

    // MARK: Gateways

    private func processGateway(_ bytes: UnsafeRawBufferPointer, id: GatewayID, header: FrameHeader,
                                received: Timestamp, now: Timestamp, notices: inout [IncidentNotice])
        throws(StoreError) -> Answer
    {
        let credential: GatewayCredential
        if let cached = gateways[id] {
            credential = cached
        } else if let loaded = try store.gatewayCredential(id: id.description) {
            gateways[id] = loaded
            credential = loaded
        } else {
            return .rejection(ShortRejection(reason: .desconocido))
        }
        guard !credential.revoked else { return .rejection(ShortRejection(reason: .desconocido)) }
        let key = credential.secret
        let ack = Acknowledger(key: key, sequence: header.sequence, now: now)
        let frame: GatewayFrame
        do { frame = try GatewayFrame.decode(bytes) } catch {
            return .rejection(ShortRejection(reason: .malformada))
        }
        guard key.withUnsafeBytes({ GatewayFrame.verify(bytes, secret: $0) }) else { return ack(.rechazada, .clave) }
        let sender = id.bytes
        let fingerprint = header.fingerprint.bytes
        if let answered = try answerSeen(sender: sender, fingerprint: fingerprint, clientTimestampMs:
                                             frame.clientTimestampMs, ack: ack) {
            return answered
        }
        if let interval = credential.supervisionSeconds {
            // Any new frame the gateway signs proves its link, whatever it then asks (a call, a test call, a line
            // we do not know); a copy of an old one does not. Its "Sin señal" goes to the central's console.
            sighted(.gateway, id.description, label: credential.name, upc: routing.centralCode,
                    intervalSeconds: interval, at: now, latitude: nil, longitude: nil, starts: true)
        }
        // The line must be registered and linked for gateway activations.
        guard let line = try store.registeredLine(e164: frame.line.e164), line.gatewayLinked else {
            return ack(.rechazada, .desconocido)
        }
        let (incident, upc) = try openOrJoin(line: line, isTest: frame.isTest, position: nil, deviceID: nil,
                                             author: "gateway:\(id)", received: received, now: now,
                                             notices: &notices)
        try store.insertReceipt(sender: sender, sequence: header.sequence, kind: frame.alertKind.rawValue,
                                receipt: FrameReceipt(fingerprint: fingerprint, status: "aceptada",
                                                      incidentID: incident, upcCode: upc), at: now)
        return ack(.aceptada, incident: incident, upc: upc)
    }

    /// The answer for a frame already seen or out of its window, or nil for a new frame in its window.
    /// A retransmission gets the first answer again (*duplicada*); the same sequence on another frame is a reuse
    /// (*ventana*). The receipt is checked first, so a retransmission answered before a restart still gets its
    /// answer even when its clock has left the window.
    private func answerSeen(sender: [UInt8], fingerprint: [UInt8], clientTimestampMs: Int64, ack: Acknowledger)
        throws(StoreError) -> Answer?
    {
        if let previous = try store.receipt(sender: sender, sequence: ack.sequence) {
            guard previous.fingerprint == fingerprint else { return ack(.rechazada, .ventana) }
            // The only frames stored as refused are bajas without a pending request: the same refusal again.
            if previous.status == "rechazada" { return ack(.rechazada, .sinSolicitud) }
            return ack(.duplicada, incident: previous.incidentID, upc: previous.upcCode)
        }
        guard replayWindow.contains(clientTimestampMs: clientTimestampMs,
                                    serverTimeMs: ack.now.millisecondsSince1970) else {
            return ack(.rechazada, .ventana)
        }
        return nil
    }

    // MARK: Alerts shown

    /// recibida → notificada for alerts that a console of their own UPC has shown (the feed hands them over: this
    /// connection is the one that writes under alert load, so the marks never wait for its lock or it for theirs).
    func markShown(_ ids: [Int64], now: Timestamp, notices: inout [IncidentNotice]) throws(StoreError) {
        for id in ids {
            guard var record = try store.incident(id: id) else { continue }
            let at = max(now, record.openedAt)
            // The domain's rule decides (only a recibida alert becomes notificada); the stored state is all it reads.
            guard let event = Incident.shownOnConsole(from: record.state, at: at,
                                                      note: "Mostrada en la consola de \(record.upcCode)")
            else { continue }
            record.state = .notificada
            try store.updateIncident(record)
            try store.appendIncidentEvent(IncidentEventRecord(event, incident: id))
            notices.append(IncidentNotice(incidentID: id, upcCode: record.upcCode, lineE164: record.lineE164,
                                          isTest: record.isTest, lineSuspended: record.lineSuspended,
                                          change: .notificada, at: at))
        }
    }

    // MARK: Incidents

    /// Joins the line's open incident within the merge window, or opens one routed by position or address, opened
    /// at `received`.
    private func openOrJoin(line: RegisteredLine, isTest: Bool, position: IncidentPosition?, deviceID: String?,
                            author: String, received: Timestamp, now: Timestamp, notices: inout [IncidentNotice],
                            silent: Bool = false, battery: Int? = nil)
        throws(StoreError) -> (Int64, String)
    {
        if let open = try store.openIncident(line: line.e164, isTest: isTest, since: now.adding(milliseconds: -mergeWindowMs)) {
            if let position { try store.addPosition(incident: open.id, position, at: now, author: author) }
            // A silent press makes the alert silent (never the other way); a new battery level is kept.
            if (silent && !open.isSilent) || (battery != nil && battery != open.batteryPercent) {
                try store.updateOpenIncident(open.id, silent: silent, batteryPercent: battery)
            }
            notices.append(IncidentNotice(incidentID: open.id, upcCode: open.upcCode, lineE164: line.e164,
                                          isTest: isTest, lineSuspended: line.suspended, change: .posicion, at: now))
            return (open.id, open.upcCode)
        }
        // The credential may come from the cache; whether the line is suspended is read with the insert (a false
        // alarm may have suspended it a moment ago), so a new alert is flagged correctly.
        var line = line
        let decision = locate(line: line, position: position)
        let id: Int64
        (id, line.suspended) = try store.createIncidentReadingSuspension(NewIncident(
            lineE164: line.e164, deviceID: deviceID, isTest: isTest, upcCode: decision.upc,
            subcircuitCode: decision.subcircuit, locationSource: decision.source, lineSuspended: line.suspended,
            openedAt: received, author: author, simulated: line.simulated, isSilent: silent, batteryPercent: battery))
        if let position { try store.addPosition(incident: id, position, at: now, author: author) }
        notices.append(IncidentNotice(incidentID: id, upcCode: decision.upc, lineE164: line.e164, isTest: isTest,
                                      lineSuspended: line.suspended, change: .nueva, at: now))
        return (id, decision.upc)
    }

    /// A GPS fix within the configured accuracy routes by polygon; otherwise the registered address does.
    private func locate(line: RegisteredLine, position: IncidentPosition?)
        -> (upc: String, subcircuit: String?, source: String)
    {
        if let p = position, let accuracy = p.accuracyMeters, accuracy <= maxFixAccuracy {
            let route = routing.route(GeoPoint(latitude: p.latitude, longitude: p.longitude))
            switch route.source {
            case .subcircuito: return (route.upcCode, route.subcircuit?.code.rawValue, "gps")
            case .upcCercana: return (route.upcCode, nil, "upc_cercana")
            case .central: return (route.upcCode, nil, "central")
            }
        }
        if let code = line.homeSubcircuit, let parsed = try? SubcircuitCode(code),
           let area = routing.territory.subcircuit(parsed) {
            return (area.upc.rawValue, code, "domicilio")
        }
        if let lat = line.homeLatitude, let lon = line.homeLongitude {
            let route = routing.route(GeoPoint(latitude: lat, longitude: lon))
            return (route.upcCode, route.subcircuit?.code.rawValue, route.source == .central ? "central" : "domicilio")
        }
        return (routing.centralCode, nil, "central")
    }
}

extension FrameFingerprint {
    /// The 16 MAC bytes, big-endian, as stored.
    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }
}
