public import BotonIngestion

/// One mapped event code: what it does and what the console says.
public struct DC09Code: Sendable, Equatable {
    public let eventClass: SiteEventClass
    /// Spanish (Ecuador), for the console.
    public let meaning: String
    /// Where the code and its meaning come from.
    public let source: String
}

/// The event codes the service acts on, in one place. Every code not listed here is acknowledged, counted in
/// `/metrics` by code, and not shown (class ``SiteEventClass/otro``).
///
/// Sources: SIA DC-03 (SIA-DCS event codes; names as tabulated by the `siadc09` package, `dc03.EVENT`) and SIA DC-05
/// (Ademco Contact ID; `siadc09`'s `dc05.EVENT`). The BotonDC09 DocC page lists the table.
public enum DC09Codes {
    static let dc03 = "SIA DC-03"
    static let dc05 = "SIA DC-05 (Contact ID)"

    /// SIA-DCS two-letter codes.
    public static let sia: [String: DC09Code] = [
        // Alerts: panic, hold-up (DC-03 describes HA as "silent alarm, user under duress").
        "PA": DC09Code(eventClass: .alerta, meaning: "Alarma de pánico", source: dc03),
        "HA": DC09Code(eventClass: .alerta, meaning: "Alarma de asalto (silenciosa, bajo coacción)", source: dc03),
        // Tests.
        "RP": DC09Code(eventClass: .prueba, meaning: "Prueba automática de comunicación", source: dc03),
        "RX": DC09Code(eventClass: .prueba, meaning: "Prueba manual de comunicación", source: dc03),
        "TX": DC09Code(eventClass: .prueba, meaning: "Reporte de prueba", source: dc03),
        // Cancels and openings after an alarm.
        "OC": DC09Code(eventClass: .cancelacion, meaning: "Cancelación", source: dc03),
        "OR": DC09Code(eventClass: .cancelacion, meaning: "Desarmado después de una alarma", source: dc03),
        "BC": DC09Code(eventClass: .cancelacion, meaning: "Alarma cancelada por un usuario autorizado", source: dc03),
        "OP": DC09Code(eventClass: .cancelacion, meaning: "Apertura (sistema desarmado)", source: dc03),
        // Counted only; named so the metrics and logs read well.
        "HU": DC09Code(eventClass: .otro, meaning: "Asalto: zona rehabilitada (no es una alarma)", source: dc03),
        "PH": DC09Code(eventClass: .otro, meaning: "Pánico restablecido", source: dc03),
        "PR": DC09Code(eventClass: .otro, meaning: "Pánico restaurado", source: dc03),
        "HH": DC09Code(eventClass: .otro, meaning: "Asalto restablecido", source: dc03),
        "HR": DC09Code(eventClass: .otro, meaning: "Asalto restaurado", source: dc03),
        "BA": DC09Code(eventClass: .otro, meaning: "Alarma de robo", source: dc03),
        "BR": DC09Code(eventClass: .otro, meaning: "Robo restaurado", source: dc03),
        "FA": DC09Code(eventClass: .otro, meaning: "Alarma de incendio", source: dc03),
        "CL": DC09Code(eventClass: .otro, meaning: "Cierre (sistema armado)", source: dc03),
        "YS": DC09Code(eventClass: .otro, meaning: "Falla de comunicación", source: dc03),
        "YK": DC09Code(eventClass: .otro, meaning: "Comunicación restablecida", source: dc03),
        "RR": DC09Code(eventClass: .otro, meaning: "Encendido del panel", source: dc03),
    ]

    /// Contact ID three-digit codes, for qualifier 1 (new event or opening). Qualifier 3 (restore or closing) and 6
    /// (status) never open or cancel anything.
    public static let contactID: [String: DC09Code] = [
        "120": DC09Code(eventClass: .alerta, meaning: "Pánico", source: dc05),
        "121": DC09Code(eventClass: .alerta, meaning: "Coacción", source: dc05),
        "122": DC09Code(eventClass: .alerta, meaning: "Asalto silencioso", source: dc05),
        "123": DC09Code(eventClass: .alerta, meaning: "Asalto audible", source: dc05),
        "124": DC09Code(eventClass: .alerta, meaning: "Coacción: acceso concedido", source: dc05),
        "125": DC09Code(eventClass: .alerta, meaning: "Coacción: salida concedida", source: dc05),
        "601": DC09Code(eventClass: .prueba, meaning: "Prueba manual", source: dc05),
        "602": DC09Code(eventClass: .prueba, meaning: "Prueba periódica", source: dc05),
        "406": DC09Code(eventClass: .cancelacion, meaning: "Cancelación por el usuario", source: dc05),
        "400": DC09Code(eventClass: .cancelacion, meaning: "Apertura (sistema desarmado)", source: dc05),
        "401": DC09Code(eventClass: .cancelacion, meaning: "Apertura por usuario", source: dc05),
        "407": DC09Code(eventClass: .cancelacion, meaning: "Apertura remota", source: dc05),
        "409": DC09Code(eventClass: .cancelacion, meaning: "Apertura con llave", source: dc05),
        "100": DC09Code(eventClass: .otro, meaning: "Emergencia médica", source: dc05),
        "101": DC09Code(eventClass: .otro, meaning: "Emergencia personal", source: dc05),
        "110": DC09Code(eventClass: .otro, meaning: "Incendio", source: dc05),
        "130": DC09Code(eventClass: .otro, meaning: "Robo", source: dc05),
        "301": DC09Code(eventClass: .otro, meaning: "Falla de energía eléctrica", source: dc05),
        "302": DC09Code(eventClass: .otro, meaning: "Batería baja", source: dc05),
        "350": DC09Code(eventClass: .otro, meaning: "Falla de comunicación", source: dc05),
    ]

    /// What one event in a message is.
    public struct Event: Sendable, Equatable {
        /// `SIA PA`, `CID 120`, `CID 120/3` (a restore), `SIA texto`.
        public let code: String
        public let eventClass: SiteEventClass
        public let meaning: String
    }

    /// The events of a message's data field, by its id token: SIA-DCS blocks (`#acct|Nri1/PA501/…`) or a
    /// Contact ID event (`#acct|1120 01 015`). Empty when the data says nothing we can read.
    public static func events(token: String, data: [UInt8]) -> [Event] {
        var d = data[...]
        // An account block `#acct|` may lead the data.
        if d.first == UInt8(ascii: "#"), let bar = d.firstIndex(of: UInt8(ascii: "|")) { d = d[(bar + 1)...] }
        switch token {
        case "SIA-DCS": return siaEvents(d)
        case "ADM-CID": return contactIDEvent(d).map { [$0] } ?? []
        default: return []
        }
    }

    static func siaEvents(_ d: ArraySlice<UInt8>) -> [Event] {
        guard let kind = d.first else { return [] }
        if kind == UInt8(ascii: "A") {
            return [Event(code: "SIA texto", eventClass: .otro, meaning: "Mensaje de texto del panel")]
        }
        guard kind == UInt8(ascii: "N") || kind == UInt8(ascii: "O") else { return [] }
        var events: [Event] = []
        var i = d.index(after: d.startIndex)
        func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
        func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
        while i < d.endIndex && events.count < 16 {
            let b = d[i]
            if b == UInt8(ascii: "^") {
                // A name between carets.
                i = d[(i + 1)...].firstIndex(of: UInt8(ascii: "^")).map { $0 + 1 } ?? d.endIndex
            } else if i + 1 < d.endIndex, isLower(b), isLower(d[i + 1]) {
                // A modifier (ri, id, ti, pi…) and its value.
                i += 2
                while i < d.endIndex, !isUpper(d[i]), !isLower(d[i]), d[i] != UInt8(ascii: "/"),
                      d[i] != UInt8(ascii: "^") { i += 1 }
            } else if i + 1 < d.endIndex, isUpper(b), isUpper(d[i + 1]) {
                let code = String(decoding: d[i...(i + 1)], as: UTF8.self)
                events.append(sia(code))
                i += 2
                while i < d.endIndex, d[i] != UInt8(ascii: "/") { i += 1 }
            } else {
                i += 1
            }
        }
        return events
    }

    static func sia(_ code: String) -> Event {
        if let known = sia[code] { return Event(code: "SIA \(code)", eventClass: known.eventClass, meaning: known.meaning) }
        return Event(code: "SIA \(code)", eventClass: .otro, meaning: "Evento SIA \(code) sin traducción")
    }

    /// `Q EEE GG ZZZ` (spaces optional): qualifier, event, group (partition), zone or user.
    static func contactIDEvent(_ d: ArraySlice<UInt8>) -> Event? {
        let digits = d.filter { $0 != UInt8(ascii: " ") }
        guard digits.count >= 4, digits.prefix(4).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let qualifier = digits[digits.startIndex]
        let code = String(decoding: digits[(digits.startIndex + 1)..<(digits.startIndex + 4)], as: UTF8.self)
        let known = contactID[code]
        let name = known?.meaning ?? "Evento Contact ID \(code) sin traducción"
        switch qualifier {
        case UInt8(ascii: "1"):
            return Event(code: "CID \(code)", eventClass: known?.eventClass ?? .otro, meaning: name)
        case UInt8(ascii: "3"):
            return Event(code: "CID \(code)/3", eventClass: .otro, meaning: "Restauración o cierre: \(name)")
        default:
            return Event(code: "CID \(code)/\(Character(Unicode.Scalar(qualifier)))", eventClass: .otro,
                         meaning: "Estado: \(name)")
        }
    }

    /// The event that decides what a message does: an alert over a cancellation over a test over anything else.
    public static func decisive(_ events: [Event]) -> Event? {
        func rank(_ c: SiteEventClass) -> Int {
            switch c {
            case .alerta: return 3
            case .cancelacion: return 2
            case .prueba: return 1
            case .otro, .sondeo: return 0
            }
        }
        return events.max { rank($0.eventClass) < rank($1.eventClass) }
    }
}
