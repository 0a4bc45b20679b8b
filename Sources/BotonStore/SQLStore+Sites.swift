public import BotonRepository
public import BotonCore

/// DC-09 sites (migration 11).
extension SQLStore {
    public func addSite(_ site: SiteRecord, subcircuit: String?) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO phone_line (e164, kind, citizen_id, home_subcircuit, home_latitude, home_longitude, created_at)
            VALUES (?1, 'fijo', NULL, ?2, ?3, ?4, ?5)
            """).run([.text(site.lineE164), subcircuit.map { .text($0) } ?? .null, .real(site.latitude),
                      .real(site.longitude), .integer(site.createdAt.millisecondsSince1970)])
        try sql.prepared("""
            INSERT INTO dc09_site (account, aes_key, name, address, latitude, longitude, contact_e164, line_e164,
                created_at, supervision_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """).run([.text(site.account), site.key.map { .blob($0) } ?? .null, .text(site.name),
                      .text(site.address), .real(site.latitude), .real(site.longitude),
                      .text(site.contactE164), .text(site.lineE164), .integer(site.createdAt.millisecondsSince1970),
                      site.supervisionSeconds.map { .integer(Int64($0)) } ?? .null])
    }

    static var siteColumns: String { """
        account, aes_key, name, address, latitude, longitude, contact_e164, created_at, disabled_at, supervision_s
        """ }

    static func siteRecord(_ s: any SQLRow) -> SiteRecord {
        SiteRecord(account: s.text(0), key: s.isNull(1) ? nil : s.blob(1), name: s.text(2), address: s.text(3),
                   latitude: s.double(4), longitude: s.double(5), contactE164: s.text(6),
                   createdAt: Timestamp(millisecondsSince1970: s.int64(7)),
                   disabledAt: s.optionalInt64(8).map { Timestamp(millisecondsSince1970: $0) },
                   supervisionSeconds: s.optionalInt64(9).map { Int($0) })
    }

    public func site(account: String) throws(StoreError) -> SiteRecord? {
        try sql.prepared("SELECT \(Self.siteColumns) FROM dc09_site WHERE account = ?1")
            .first([.text(account)]) { s in Self.siteRecord(s) }
    }

    public func sites() throws(StoreError) -> [SiteRecord] {
        try sql.prepared("SELECT \(Self.siteColumns) FROM dc09_site ORDER BY account").rows { s in
            Self.siteRecord(s)
        }
    }

    public func disableSite(account: String, at: Timestamp) throws(StoreError) -> Bool {
        try sql.prepared("UPDATE dc09_site SET disabled_at = ?2 WHERE account = ?1 AND disabled_at IS NULL")
            .run([.text(account), .integer(at.millisecondsSince1970)])
        let disabled = sql.changes > 0
        // A disabled site is not listed "Sin señal" any more.
        try stopSupervising(kind: .sitio, sender: account)
        return disabled
    }

    public func tagSiteIncident(_ id: Int64, account: String, eventCode: String, eventMeaning: String)
        throws(StoreError)
    {
        try sql.prepared("""
            UPDATE incident SET site_account = ?2, site_event_code = ?3, site_event_meaning = ?4 WHERE id = ?1
            """).send([.integer(id), .text(account), .text(eventCode), .text(eventMeaning)])
    }

    public func receiptWithTime(sender: [UInt8], sequence: UInt64) throws(StoreError) -> (FrameReceipt, Timestamp)? {
        try sql.prepared("""
            SELECT fingerprint, status, incident_id, upc_code, received_at FROM frame_receipt
            WHERE sender_id = ?1 AND sequence = ?2
            """).first([.blob(sender), .integer(Int64(bitPattern: sequence))]) { s in
            (FrameReceipt(fingerprint: s.blob(0), status: s.text(1), incidentID: s.optionalInt64(2),
                          upcCode: s.optionalText(3)), Timestamp(millisecondsSince1970: s.int64(4)))
        }
    }

    public func replaceReceipt(sender: [UInt8], sequence: UInt64, kind: String, receipt: FrameReceipt,
                               at: Timestamp) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO frame_receipt (sender_id, sequence, fingerprint, kind, status, incident_id, upc_code,
                received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (sender_id, sequence) DO UPDATE SET fingerprint = excluded.fingerprint, kind = excluded.kind,
                status = excluded.status, incident_id = excluded.incident_id, upc_code = excluded.upc_code,
                received_at = excluded.received_at
            """).send([.blob(sender), .integer(Int64(bitPattern: sequence)), .blob(receipt.fingerprint), .text(kind),
                      .text(receipt.status), receipt.incidentID.map { .integer($0) } ?? .null,
                      receipt.upcCode.map { .text($0) } ?? .null, .integer(at.millisecondsSince1970)])
    }
}
