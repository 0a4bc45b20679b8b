import BotonCore
import BotonStore
import Foundation

/// The `data` of a console event (`event: alerta`): what happened and the alert as it is now. No personal data:
/// the console asks for the citizen's data (`GET /api/v1/consola/alertas/:id`), and that read is audited.
struct ConsoleEventJSON: Encodable {
    struct Alert: Encodable {
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
        let recibidaEn: String
        let recibidaMs: Int64
        let tomadaEn: String?
        let tomadaPor: String?
        let despachadaEn: String?
        let unidad: String?
        let cerradaEn: String?
        /// Whether the operator's own UPC answers for it (false: seen through escalation or as supervisor).
        var propia: Bool?

        enum CodingKeys: String, CodingKey {
            case id, estado, resultado, prueba, upc, subcircuito, ubicacion, unidad, propia
            case upcNombre = "upc_nombre", lineaSuspendida = "linea_suspendida", canceladaEn = "cancelada_en"
            case nivelEscalada = "nivel_escalada", recibidaEn = "recibida_en", recibidaMs = "recibida_ms"
            case tomadaEn = "tomada_en", tomadaPor = "tomada_por", despachadaEn = "despachada_en"
            case cerradaEn = "cerrada_en"
        }

        init(_ r: IncidentRecord, upcName: String?) {
            id = r.id
            estado = r.state
            resultado = r.outcome
            prueba = r.isTest
            upc = r.upcCode
            upcNombre = upcName
            subcircuito = r.subcircuitCode
            ubicacion = r.locationSource
            lineaSuspendida = r.lineSuspended
            canceladaEn = r.cancelledAt.map(APITime.text)
            nivelEscalada = r.escalationLevel
            recibidaEn = APITime.text(r.openedAt)
            recibidaMs = r.openedAt.millisecondsSince1970
            tomadaEn = r.takenAt.map(APITime.text)
            tomadaPor = r.takenBy
            despachadaEn = r.dispatchedAt.map(APITime.text)
            unidad = r.unit
            cerradaEn = r.closedAt.map(APITime.text)
        }
    }

    struct Event: Encodable {
        let id: Int64
        /// `nueva`, `transicion`, `cierre`, `escalada`, `nota`, `posicion`, `cancelacion`.
        let tipo: String
        let de: String?
        let a: String?
        let actor: String
        let en: String
        let detalle: String?
        let nota: String?

        init(_ e: IncidentEventRecord) {
            id = e.id
            if e.kind == "transicion" {
                tipo = e.fromState == nil ? "nueva" : (e.toState == IncidentState.cerrada.rawValue ? "cierre" : "transicion")
            } else {
                tipo = e.kind
            }
            de = e.fromState
            a = e.toState
            actor = e.actor
            en = APITime.text(e.at)
            detalle = e.detail
            nota = e.note
        }
    }

    let evento: Event
    var alerta: Alert
}
