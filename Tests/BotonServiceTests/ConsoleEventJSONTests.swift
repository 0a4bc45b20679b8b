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
            unit: full ? awkward : nil, central: full ? .fallando : nil, isSilent: full, batteryPercent: full ? 37 : nil)
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
