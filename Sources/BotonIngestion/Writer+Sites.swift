import BotonCore
import BotonGeo
import BotonRepository

extension Writer {
    /// The receipts' sender id of a DC-09 account: `dc09:` and the account, so it never meets a device's or a
    /// gateway's id (16 bytes of their own).
    static func siteSender(_ account: String) -> [UInt8] { Array("dc09:\(account)".utf8) }

    /// A site's event, inside the batch's transaction: the writer reads the site again (the listener's cache may be
    /// ten seconds old), recognises a retransmission by its receipt (same sequence and fingerprint within
    /// `dc09.duplicate_window_s`), then opens or joins the site's alert, records a cancellation on it, or only
    /// counts the event; the receipt is stored in the same transaction.
    func processSite(_ event: SiteEvent, received: Timestamp, now: Timestamp, notices: inout [IncidentNotice])
        throws(StoreError) -> Answer
    {
        guard let site = try store.site(account: event.account), site.disabledAt == nil else {
            return .site(.unknownSite, metricKey: nil)
        }
        if let interval = site.supervisionSeconds {
            // Every message of a supervised site (a NULL poll, any event, a retransmission) is a sign of life.
            let latitude = event.position?.latitude ?? site.latitude
            let longitude = event.position?.longitude ?? site.longitude
            let home = routing.route(GeoPoint(latitude: site.latitude, longitude: site.longitude))
            sighted(.sitio, site.account, label: site.name, upc: home.upcCode, intervalSeconds: interval, at: now,
                    latitude: latitude, longitude: longitude, starts: true)
        }
        if event.eventClass == .sondeo { return .site(.polled, metricKey: nil) }
        let sender = Self.siteSender(event.account)
        let sequence = UInt64(event.sequence)
        if let (previous, at) = try store.receiptWithTime(sender: sender, sequence: sequence),
           previous.fingerprint == event.fingerprint, now.milliseconds(since: at) <= siteDuplicateWindowMs {
            return .site(.duplicate(incident: previous.incidentID), metricKey: nil)
        }
        let line = site.lineE164
        let author = "sitio:\(site.account)"
        var incident: Int64?
        var upc: String?
        switch event.eventClass {
        case .alerta, .prueba:
            (incident, upc) = try openOrJoinSite(site, event: event, author: author, received: received, now: now,
                                                 notices: &notices)
        case .cancelacion:
            if let open = try store.openIncident(line: line, isTest: false, since: now.adding(seconds: -86_400)) {
                try store.recordCancellation(incident: open.id, at: now, author: author)
                (incident, upc) = (open.id, open.upcCode)
                let suspended = try store.lineIsSuspended(e164: line) ?? false
                notices.append(IncidentNotice(incidentID: open.id, upcCode: open.upcCode, lineE164: line,
                                              isTest: false, lineSuspended: suspended, change: .cancelacion, at: now))
            }
        case .otro, .sondeo:
            break
        }
        try store.replaceReceipt(sender: sender, sequence: sequence, kind: "dc09",
                                 receipt: FrameReceipt(fingerprint: event.fingerprint, status: "aceptada",
                                                       incidentID: incident, upcCode: upc), at: now)
        return .site(.stored(incident: incident, upc: upc), metricKey: "\(event.code)|\(event.eventClass.rawValue)")
    }

    /// Joins the site's open alert of the same test-ness within the merge window, or opens one: routed by the
    /// position in the message's extended data when there is one, by the site's registered position otherwise.
    private func openOrJoinSite(_ site: SiteRecord, event: SiteEvent, author: String, received: Timestamp,
                                now: Timestamp, notices: inout [IncidentNotice]) throws(StoreError) -> (Int64, String)
    {
        let isTest = event.eventClass == .prueba
        let line = site.lineE164
        let position = event.position.map {
            IncidentPosition(latitude: $0.latitude, longitude: $0.longitude, accuracyMeters: nil, fixAgeSeconds: nil)
        }
        if let open = try store.openIncident(line: line, isTest: isTest, since: now.adding(milliseconds: -mergeWindowMs)) {
            if let position { try store.addPosition(incident: open.id, position, at: now, author: author) }
            let suspended = try store.lineIsSuspended(e164: line) ?? false
            notices.append(IncidentNotice(incidentID: open.id, upcCode: open.upcCode, lineE164: line, isTest: isTest,
                                          lineSuspended: suspended, change: .posicion, at: now))
            return (open.id, open.upcCode)
        }
        let point = event.position.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
            ?? GeoPoint(latitude: site.latitude, longitude: site.longitude)
        let route = routing.route(point)
        let source: String
        switch route.source {
        case .subcircuito: source = event.position == nil ? "domicilio" : "gps"
        case .upcCercana: source = "upc_cercana"
        case .central: source = "central"
        }
        // Whether the line is suspended is read in the alert's own INSERT (one round trip less on PostgreSQL).
        let (id, suspended) = try store.createIncidentReadingSuspension(NewIncident(
            lineE164: line, deviceID: nil, isTest: isTest, upcCode: route.upcCode,
            subcircuitCode: route.subcircuit?.code.rawValue, locationSource: source, lineSuspended: false,
            openedAt: received, author: author))
        try store.tagSiteIncident(id, account: site.account, eventCode: event.code, eventMeaning: event.meaning)
        if let position { try store.addPosition(incident: id, position, at: now, author: author) }
        notices.append(IncidentNotice(incidentID: id, upcCode: route.upcCode, lineE164: line, isTest: isTest,
                                      lineSuspended: suspended, change: .nueva, at: now))
        return (id, route.upcCode)
    }
}
