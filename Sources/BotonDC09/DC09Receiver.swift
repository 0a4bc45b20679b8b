public import BotonIngestion
import BotonNet
public import BotonRuntime
public import BotonCore
import BotonCrypto

/// Decides the answer to each DC-09 message, on the listener threads, and hands events to the ingestion writer.
///
/// 1. CRC or length wrong, or no DC-09 header: NAK (with our time).
/// 2. The account is looked up (``IngestionPipeline/site(account:source:)``: cached, within the read budgets);
///    unknown or disabled: DUH, counted and logged; not readable now: no answer (the panel sends again).
/// 3. The data is decrypted and read; a wrong key or bad padding: DUH. Encrypted with a site that has no key, or in
///    clear from a site that has one: DUH.
/// 4. The timestamp, when present, must be within the window (`dc09.window_s` behind, half of it ahead): otherwise
///    NAK with our time, so the panel corrects its clock and sends again.
/// 5. `NULL` (a link test): a sign of life for the site's supervision, through the writer's group commit like an
///    event, then ACK (no answer if it could not be queued: the panel polls again). An id token we do not handle:
///    DUH. Events go to the writer and are acknowledged only after their commit; a retransmission is acknowledged
///    again without a second incident.
public final class DC09Receiver: Sendable {
    /// The answer to one message.
    public enum Handling: Sendable {
        /// These bytes now.
        case answer([UInt8])
        /// Nothing (garbage, or an answer that would cost more than its address may have).
        case silent
        /// After the commit, through the closure given to ``handle(_:source:peer:later:)``.
        case pending
    }

    let pipeline: IngestionPipeline
    let windowSeconds: Int64
    let logger: Logger
    let clock: @Sendable () -> Timestamp

    public init(pipeline: IngestionPipeline, windowSeconds: Int, logger: Logger,
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() }) {
        self.pipeline = pipeline
        self.windowSeconds = Int64(windowSeconds)
        self.logger = logger
        self.clock = clock
    }

    private func refuse(_ answer: String, _ reason: String) { pipeline.countDC09Answer(answer, reason: reason) }

    /// One whole message (LF … CR). `later` receives the answer after the commit when the result is ``Handling/pending``
    /// (nil: no answer).
    public func handle(_ message: [UInt8], source: SourceKey, peer: String,
                       later: @escaping @Sendable ([UInt8]?) -> Void) -> Handling {
        let now = clock()
        let nowSeconds = now.millisecondsSince1970 / 1000
        let header: DC09Header
        switch DC09Header.parse(message) {
        case .success(let h): header = h
        case .failure(let error):
            let reason = error == .crc ? "crc" : error == .length ? "longitud" : "formato"
            refuse("NAK", reason)
            return .answer(DC09Answer.nak(now: nowSeconds))
        }
        let account = header.canonicalAccount
        let key: [UInt8]?
        switch pipeline.site(account: account, source: source) {
        case .known(let k): key = k
        case .unknown:
            refuse("DUH", "cuenta_desconocida")
            logger.warning("dc09_unknown_account", ["account": account, "peer": peer, "token": header.token])
            return .answer(DC09Answer.duh(to: header))
        case .unverified:
            refuse("none", "sin_lectura")
            return .silent
        }
        if key != nil && !header.encrypted {
            // A site with a key must encrypt: a message in clear could come from anyone.
            refuse("DUH", "sin_cifrar")
            logger.warning("dc09_unencrypted", ["account": account, "peer": peer])
            return .answer(DC09Answer.duh(to: header))
        }
        let content: DC09Content
        switch DC09Content.decode(header, key: key) {
        case .success(let c): content = c
        case .failure(.timestamp):
            refuse("NAK", "hora")
            return .answer(DC09Answer.nak(now: nowSeconds))
        case .failure(let error):
            let reason: String
            switch error {
            case .noKey: reason = "sin_clave"
            case .cipherText, .padding: reason = "clave"
            default: reason = "formato"
            }
            refuse("DUH", reason)
            logger.info("dc09_unreadable", ["account": account, "peer": peer, "reason": reason])
            return .answer(DC09Answer.duh(to: header))
        }
        if let time = content.timestamp {
            let behind = nowSeconds - time
            if behind > windowSeconds || -behind > windowSeconds / 2 {
                refuse("NAK", "ventana")
                logger.info("dc09_outside_window", ["account": account, "peer": peer,
                                                    "offset_s": String(time - nowSeconds)])
                return .answer(DC09Answer.nak(now: nowSeconds))
            }
        }
        let ack = DC09Answer.ack(to: header, key: key, now: nowSeconds)
        switch header.token {
        case "NULL":
            let poll = SiteEvent(account: account, sequence: header.sequenceNumber, fingerprint: [],
                                 eventClass: .sondeo, code: "NULL", meaning: "Sondeo", position: content.position)
            let queued = pipeline.submitSite(poll, receivedAt: now, source: source) { outcome in
                switch outcome {
                case .polled, .stored, .duplicate: later(ack)
                case .unknownSite: later(DC09Answer.duh(to: header))
                case .busy: later(nil)
                }
            }
            if !queued {
                refuse("none", "ocupado")
                return .silent
            }
            refuse("ACK", "sondeo")
            return .pending
        case "SIA-DCS", "ADM-CID":
            break
        default:
            refuse("DUH", "token")
            return .answer(DC09Answer.duh(to: header))
        }
        let events = DC09Codes.events(token: header.token, data: content.data)
        guard let decisive = DC09Codes.decisive(events) else {
            refuse("DUH", "datos")
            logger.info("dc09_unreadable", ["account": account, "peer": peer, "reason": "datos"])
            return .answer(DC09Answer.duh(to: header))
        }
        // What identifies a retransmission: the token, the account and what the message says (not the pad, not the
        // timestamp, which change when a panel sends again).
        var identity = Array(header.token.utf8) + [0] + Array(account.utf8) + [0] + content.data
        for field in content.extended where field.first != UInt8(ascii: "H") { identity += [0] + field }
        let event = SiteEvent(account: account, sequence: header.sequenceNumber,
                              fingerprint: Array(Digest.sha256(identity).prefix(16)),
                              eventClass: decisive.eventClass, code: decisive.code, meaning: decisive.meaning,
                              position: content.position)
        let logger = self.logger
        let sequence = header.sequence
        let queued = pipeline.submitSite(event, receivedAt: now, source: source) { outcome in
            switch outcome {
            case .stored(let incident, _):
                if decisive.eventClass != .otro {
                    logger.info("dc09_event", ["account": account, "seq": sequence, "code": decisive.code,
                                               "class": decisive.eventClass.rawValue,
                                               "incident": incident.map(String.init) ?? "-"])
                }
                later(ack)
            case .duplicate(let incident):
                logger.info("dc09_duplicate", ["account": account, "seq": sequence,
                                               "incident": incident.map(String.init) ?? "-"])
                later(ack)
            case .unknownSite:
                later(DC09Answer.duh(to: header))
            case .polled:
                later(ack)  // not for events; answered as an event would be
            case .busy:
                // Not stored: no answer, so the panel sends again (an ACK would lose the event).
                later(nil)
            }
        }
        if !queued {
            refuse("none", "ocupado")
            return .silent
        }
        return .pending
    }
}
