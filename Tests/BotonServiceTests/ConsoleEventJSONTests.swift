import BotonCore
import Foundation
import Testing
@testable import BotonStore
@testable import BotonConsole
import BotonRepository

/// The console feed writes its events with a hand-written JSON writer (``ConsoleEventJSON/json``); what a browser
/// parses must be what `JSONEncoder` writes for the same value: the same members (nil ones left out) and values,
/// whatever the text holds.
@Suite struct ConsoleEventJSONTests {
    static let awkward = "Comillas \" y barra \\ / salto\nretorno\r tab\t nulo\u{0} campana\u{7} ñandú 🚓 \u{2028}"

    static func incident(full: Bool) -> IncidentRecord {
        IncidentRecord(
            id: 7, lineE164: "+593991234567", deviceID: full ? "ab12" : nil, isTest: full, state: .despachada,
            outcome: full ? .atendida : nil, upcCode: "UPC-17D04C01S01", subcircuitCode: full ? "17D04C01S01" : nil,
            locationSource: "gps", lineSuspended: full, openedAt: Timestamp(millisecondsSince1970: 1_795_290_857_483),
            takenAt: full ? Timestamp(millisecondsSince1970: 1_795_290_860_000) : nil,
            closedAt: full ? Timestamp(millisecondsSince1970: 1_795_290_870_000) : nil,
            cancelledAt: full ? Timestamp(millisecondsSince1970: 1_795_290_865_000) : nil,
            escalationLevel: full ? 2 : 0, takenBy: full ? "operador:1" : nil,
            dispatchedAt: full ? Timestamp(millisecondsSince1970: 1_795_290_861_000) : nil,
            unit: full ? awkward : nil,
            site: full ? IncidentSite(account: "1A2B", name: "Banco \"Centro\"", address: awkward,
                                      contactE164: "+593987654321", eventCode: "SIA PA",
                                      eventMeaning: "Alarma de pánico") : nil,
            central: full ? .fallando : nil, isSilent: full, batteryPercent: full ? 37 : nil)
    }

    /// Issue 16, item 5 of the task: the live feed carries the site of a DC-09 alert as the snapshot does.
    @Test func anAlertFromASiteCarriesItsSiteOnTheLiveFeed() throws {
        let event = IncidentEventRecord(id: 1, incidentID: 7, kind: "transicion", fromState: nil, toState: .recibida,
                                        actor: "sitio:1A2B", at: Timestamp(millisecondsSince1970: 1_795_290_857_483),
                                        detail: nil, note: nil)
        let value = ConsoleEventJSON(evento: .init(event), alerta: .init(Self.incident(full: true), upcName: nil))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(value.json)) as? [String: Any])
        let site = try #require((document["alerta"] as? [String: Any])?["sitio"] as? [String: Any])
        #expect(site["cuenta"] as? String == "1A2B" && site["nombre"] as? String == "Banco \"Centro\"")
        #expect(site["codigo"] as? String == "SIA PA" && site["significado"] as? String == "Alarma de pánico")
        #expect(site["direccion"] as? String == Self.awkward && site["contacto"] as? String == "+593987654321")
    }

    @Test(arguments: [true, false], [true, false, nil] as [Bool?])
    func theHandWrittenDocumentIsWhatJSONEncoderWrites(full: Bool, propia: Bool?) throws {
        let event = IncidentEventRecord(id: 42, incidentID: 7, kind: "transicion", fromState: full ? .tomada : nil,
                                        toState: full ? .despachada : nil, actor: "operador:1",
                                        at: Timestamp(millisecondsSince1970: 1_795_290_861_000),
                                        detail: full ? Self.awkward : nil, note: full ? "Nota: \u{1F}fin" : nil)
        var alert = ConsoleEventJSON.Alert(Self.incident(full: full), upcName: full ? "UPC \"La Y\"" : nil)
        alert.propia = propia
        let value = ConsoleEventJSON(evento: .init(event), alerta: alert)
        let ours = try JSONSerialization.jsonObject(with: Data(value.json)) as? NSDictionary
        let foundation = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? NSDictionary
        #expect(ours != nil && ours == foundation, "\(String(decoding: value.json, as: UTF8.self))")
        // One line: the SSE frame carries it as a single data line.
        #expect(!value.json.contains(0x0A) && !value.json.contains(0x0D))
    }
}
