/// The reference of an alert as a citizen or officer types it: the incident number the service answered with
/// (`incidente=1234`; the console and the app show it as "Alerta 1234"), written `1234`, `#1234`, `Alerta 1234`,
/// `alerta n.º 1234`, `INC-1234` or `incidente 1234` (any case, spaces ignored).
public struct IncidentReference: Sendable, Hashable, CustomStringConvertible {
    public let id: Int64

    public init?(id: Int64) {
        guard id > 0 else { return nil }
        self.id = id
    }

    /// Nil unless `text` is one of the accepted forms with a number from 1 to 999,999,999,999.
    public init?(_ text: String) {
        var t = Substring(text.lowercased().filter { !$0.isWhitespace })
        for prefix in ["incidente", "inc", "alerta"] where t.hasPrefix(prefix) {
            t = t.dropFirst(prefix.count)
            if t.hasPrefix("-") || t.hasPrefix(":") { t = t.dropFirst() }
            for mark in ["n.º", "n.°", "nº", "no."] where t.hasPrefix(mark) { t = t.dropFirst(mark.count); break }
            break
        }
        if t.hasPrefix("#") { t = t.dropFirst() }
        guard (1...12).contains(t.count), t.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int64(t),
              n > 0 else { return nil }
        id = n
    }

    /// `INC-1234`.
    public var description: String { "INC-\(id)" }
}
