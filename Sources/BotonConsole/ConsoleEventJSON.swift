import BotonCore
package import BotonRepository
import Foundation

/// The `data` of a console event (`event: alerta`): what happened and the alert as it is now. No personal data:
/// the console asks for the citizen's data (`GET /api/v1/consola/alertas/:id`), and that read is audited.
package struct ConsoleEventJSON: Encodable {
    package struct Alert: Encodable {
        let id: Int64
        let estado: String
        let resultado: String?
        let prueba: Bool
        let upc: String
        let upcNombre: String?
        let subcircuito: String?
        let ubicacion: String
        let lineaSuspendida: Bool
        let canceladaEn: String?
        let nivelEscalada: Int
        /// At level 3, what became of the notice to the central: `sin_central` (none configured: nothing was
        /// sent), `pendiente`, `entregada` or `fallando`; absent below level 3.
        let central: String?
        let recibidaEn: String
        let recibidaMs: Int64
        let tomadaEn: String?
        let tomadaPor: String?
        let despachadaEn: String?
        let unidad: String?
        let cerradaEn: String?
        /// Whether the operator's own UPC answers for it (false: seen through escalation or as supervisor).
        package var propia: Bool?
        /// An alert from an alarm panel or panic button (SIA DC-09): the site and the event that opened it.
        let sitio: Site?
        /// A silent alert: the citizen cannot talk; the console offers no call to the line.
        let silenciosa: Bool
        /// The last battery level (percent) the phone's frames carried; absent when none did.
        let bateria: Int?
        /// A load generator's alert (`boton alert load`), present (true) only then: consoles show these only when
        /// asked (`?simulacion=1`).
        let simulacro: Bool?

        package struct Site: Encodable {
            let cuenta: String
            let nombre: String
            let direccion: String
            let contacto: String
            let codigo: String
            let significado: String
        }

        package enum CodingKeys: String, CodingKey {
            case id, estado, resultado, prueba, upc, subcircuito, ubicacion, unidad, propia, sitio, central, simulacro
            case silenciosa, bateria
            case upcNombre = "upc_nombre", lineaSuspendida = "linea_suspendida", canceladaEn = "cancelada_en"
            case nivelEscalada = "nivel_escalada", recibidaEn = "recibida_en", recibidaMs = "recibida_ms"
            case tomadaEn = "tomada_en", tomadaPor = "tomada_por", despachadaEn = "despachada_en"
            case cerradaEn = "cerrada_en"
        }

        package init(_ r: IncidentRecord, upcName: String?) {
            id = r.id
            estado = r.state.rawValue
            resultado = r.outcome?.rawValue
            prueba = r.isTest
            simulacro = r.simulated ? true : nil
            upc = r.upcCode
            upcNombre = upcName
            subcircuito = r.subcircuitCode
            ubicacion = r.locationSource
            lineaSuspendida = r.lineSuspended
            canceladaEn = r.cancelledAt.map(APITime.text)
            nivelEscalada = r.escalationLevel
            central = r.central?.rawValue
            recibidaEn = APITime.text(r.openedAt)
            recibidaMs = r.openedAt.millisecondsSince1970
            tomadaEn = r.takenAt.map(APITime.text)
            tomadaPor = r.takenBy
            despachadaEn = r.dispatchedAt.map(APITime.text)
            unidad = r.unit
            cerradaEn = r.closedAt.map(APITime.text)
            silenciosa = r.isSilent
            bateria = r.batteryPercent
            sitio = r.site.map {
                Site(cuenta: $0.account, nombre: $0.name, direccion: $0.address, contacto: $0.contactE164,
                     codigo: $0.eventCode, significado: $0.eventMeaning)
            }
        }
    }

    package struct Event: Encodable {
        let id: Int64
        /// `nueva`, `transicion`, `cierre`, `escalada`, `nota`, `posicion`, `cancelacion`.
        let tipo: String
        let de: String?
        let a: String?
        let actor: String
        let en: String
        let detalle: String?
        let nota: String?

        package init(_ e: IncidentEventRecord) {
            id = e.id
            if e.kind == "transicion" {
                tipo = e.fromState == nil ? "nueva" : (e.toState == .cerrada ? "cierre" : "transicion")
            } else {
                tipo = e.kind
            }
            de = e.fromState?.rawValue
            a = e.toState?.rawValue
            actor = e.actor
            en = APITime.text(e.at)
            detalle = e.detail
            nota = e.note
        }
    }

    package let evento: Event
    package var alerta: Alert
}

extension ConsoleEventJSON {
    /// The document as UTF-8 JSON, written by hand: the same members and values as `JSONEncoder` writes for it (a
    /// member whose value is nil left out), at a fraction of the cost. The feed writes one for every event and every
    /// value of `propia`, thousands a second at peak, and Foundation's encoder was a third of the feed thread's time.
    package var json: [UInt8] {
        var w = JSONBytes()
        w.open()
        w.key("evento")
        w.open()
        w.member("id", evento.id)
        w.member("tipo", evento.tipo)
        w.member("de", evento.de)
        w.member("a", evento.a)
        w.member("actor", evento.actor)
        w.member("en", evento.en)
        w.member("detalle", evento.detalle)
        w.member("nota", evento.nota)
        w.close()
        w.key("alerta")
        w.open()
        let a = alerta
        w.member("id", a.id)
        w.member("estado", a.estado)
        w.member("resultado", a.resultado)
        w.member("prueba", a.prueba)
        w.member("upc", a.upc)
        w.member("upc_nombre", a.upcNombre)
        w.member("subcircuito", a.subcircuito)
        w.member("ubicacion", a.ubicacion)
        w.member("linea_suspendida", a.lineaSuspendida)
        w.member("cancelada_en", a.canceladaEn)
        w.member("nivel_escalada", Int64(a.nivelEscalada))
        w.member("central", a.central)
        w.member("recibida_en", a.recibidaEn)
        w.member("recibida_ms", a.recibidaMs)
        w.member("tomada_en", a.tomadaEn)
        w.member("tomada_por", a.tomadaPor)
        w.member("despachada_en", a.despachadaEn)
        w.member("unidad", a.unidad)
        w.member("cerrada_en", a.cerradaEn)
        w.member("propia", a.propia)
        if let site = a.sitio {
            // An alert from a site (SIA DC-09) says so on the live feed as in the snapshot.
            w.key("sitio")
            w.open()
            w.member("cuenta", site.cuenta)
            w.member("nombre", site.nombre)
            w.member("direccion", site.direccion)
            w.member("contacto", site.contacto)
            w.member("codigo", site.codigo)
            w.member("significado", site.significado)
            w.close()
        }
        w.member("simulacro", a.simulacro)
        w.member("silenciosa", a.silenciosa)
        if let bateria = a.bateria { w.member("bateria", Int64(bateria)) }
        w.close()
        w.close()
        return w.bytes
    }
}

/// A minimal JSON writer for ``ConsoleEventJSON/json``: objects, string, integer and boolean members. Strings are
/// escaped as RFC 8259 requires (quote, backslash, control characters); everything else is copied as UTF-8.
package struct JSONBytes {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    package init() { bytes.reserveCapacity(512) }

    package mutating func open() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    package mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    package mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = true
    }

    package mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00 ..< 0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    package mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    package mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }
}
