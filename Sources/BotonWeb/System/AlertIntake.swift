import BotonCrypto
public import BotonHTTP
import BotonWire
import Foundation
import BotonRuntime
public import BotonIngestion

/// `POST /api/v1/alertas`: the HTTPS way into the same pipeline as UDP and TCP, for networks that block them.
///
/// The body is one wire frame exactly as it would go over UDP (`Content-Type: application/octet-stream`; it
/// carries its own HMAC), and `X-Boton-Dispositivo` names the device (32 hex digits), which must be the frame's.
/// The answer has the same meaning as the acknowledgement frame, as JSON, with the authenticated 64-byte
/// acknowledgement itself in `acuse` (base64) so the app can verify it with its key:
///
/// | status | estado | when |
/// |---|---|---|
/// | 201 | aceptada | stored (a new alert, or joined to the open one) |
/// | 200 | duplicada | a retransmission: the first answer again |
/// | 503 + Retry-After | ocupado_reintente | the queue is full or the store cannot commit: retry |
/// | 401 | rechazada (clave, desconocido) | wrong key, or unknown device |
/// | 410 | rechazada (dada_de_baja) | the device was switched off (its credential revoked) |
/// | 409 | rechazada (ventana) | clock outside ±300 s, or a sequence reused for another frame |
/// | 400 | rechazada (malformada) | not a frame, or the header does not match it |
/// | 415 | | another Content-Type |
public enum AlertIntake {
    public static let deviceHeader = "X-Boton-Dispositivo"

    struct Answer: Encodable {
        let estado: String
        let motivo: String?
        let secuencia: UInt64?
        let incidente: UInt64?
        let upc: String?
        let horaServidor: Int64?
        let acuse: String?
        let mensaje: String
        /// Only to a frame that asked for its alert's state: `ninguna`, `recibida`, `notificada`, `tomada`,
        /// `despachada` or `cerrada`, with the unit once despachada. Absent otherwise (old clients see nothing new).
        var estadoAlerta: String?
        var unidad: String?

        enum CodingKeys: String, CodingKey {
            case estado, motivo, secuencia, incidente, upc, acuse, mensaje, unidad
            case horaServidor = "hora_servidor", estadoAlerta = "estado_alerta"
        }
    }

    public static func route(pipeline: IngestionPipeline) -> RouteHandler {
        { request, _ in
            guard request.header("Content-Type")?.lowercased().hasPrefix("application/octet-stream") == true else {
                return try json(Answer(estado: "rechazada", motivo: "malformada", secuencia: nil, incidente: nil,
                                       upc: nil, horaServidor: nil, acuse: nil,
                                       mensaje: "El cuerpo debe ser una trama (application/octet-stream)."),
                                status: .unsupportedMediaType)
            }
            let header = request.body.withUnsafeBytes { try? WireFrame.peek($0) }
            if let header, let claimed = request.header(deviceHeader),
               claimed.lowercased() != senderHex(header.sender)
            {
                return try json(Answer(estado: "rechazada", motivo: "malformada", secuencia: header.sequence,
                                       incidente: nil, upc: nil, horaServidor: nil, acuse: nil,
                                       mensaje: "La cabecera \(deviceHeader) no corresponde a la trama."),
                                status: .badRequest)
            }
            if header != nil && request.header(deviceHeader) == nil {
                return try json(Answer(estado: "rechazada", motivo: "malformada", secuencia: header?.sequence,
                                       incidente: nil, upc: nil, horaServidor: nil, acuse: nil,
                                       mensaje: "Falta la cabecera \(deviceHeader)."), status: .badRequest)
            }
            let reply = submit(request.body, to: pipeline, from: request.clientAddress)
            return try answer(reply, isBaja: header?.kind == .baja)
        }
    }

    private static func senderHex(_ sender: FrameSender) -> String {
        switch sender {
        case .device(let id): return id.description
        case .gateway(let id): return id.description
        }
    }

    /// Submits and waits for the commit (a few milliseconds; 10 s at most, then "retry").
    private static func submit(_ body: [UInt8], to pipeline: IngestionPipeline, from address: String) -> ReplyBytes? {
        let box = ReplyBox()
        let submission = body.withUnsafeBytes {
            pipeline.submit($0, receivedAt: SystemClock.now(), route: .callback { reply in box.set(reply) },
                            source: SourceKey(host: address))
        }
        switch submission {
        case .queued:
            return box.wait(timeout: .seconds(10))
        case .answered(let reply): return reply
        case .silent: return nil
        case .malformed(let reply):
            return reply ?? ReplyBytes { ShortRejection(reason: .malformada).encode(into: $0) }
        }
    }

    private static func answer(_ reply: ReplyBytes?, isBaja: Bool) throws -> HTTPResponse {
        guard let reply else {
            var response = try json(Answer(estado: "ocupado_reintente", motivo: nil, secuencia: nil, incidente: nil,
                                           upc: nil, horaServidor: nil, acuse: nil,
                                           mensaje: "El servicio está ocupado. Reintente."),
                                    status: .serviceUnavailable)
            response.headers.replace(name: "Retry-After", value: "1")
            return response
        }
        if reply.count == ShortRejection.length {
            let rejection = try reply.withBytes { try ShortRejection.decode($0) }
            let reason = rejection.reason
            return try json(Answer(estado: "rechazada", motivo: reason.rawValue, secuencia: nil, incidente: nil,
                                   upc: nil, horaServidor: nil, acuse: nil, mensaje: message(reason)),
                            status: status(for: reason))
        }
        let ack = try reply.withBytes { try Acknowledgement.decodeOwnAnswer($0) }
        var base = Answer(estado: ack.status.rawValue, motivo: ack.status == .rechazada ? ack.reason.rawValue : nil,
                          secuencia: ack.sequence, incidente: ack.incidentID == 0 ? nil : ack.incidentID,
                          upc: ack.upcCode?.text, horaServidor: ack.serverTimeMs,
                          acuse: reply.withBytes { Data($0).base64EncodedString() },
                          mensaje: ack.status == .rechazada ? message(ack.reason)
                            : isBaja ? "Baja confirmada: su botón de seguridad fue dado de baja."
                            : ack.alertStatus?.mensaje ?? message(ack.status))
        base.estadoAlerta = ack.alertStatus?.stage.rawValue
        base.unidad = ack.alertStatus?.unit
        switch ack.status {
        case .aceptada: return try json(base, status: .created)
        case .duplicada: return try json(base, status: .ok)
        case .ocupadoReintente:
            var response = try json(base, status: .serviceUnavailable)
            response.headers.replace(name: "Retry-After", value: "1")
            return response
        case .rechazada: return try json(base, status: status(for: ack.reason))
        }
    }

    private static func status(for reason: RejectReason) -> HTTPStatus {
        switch reason {
        case .clave, .desconocido: return .unauthorized
        case .ventana, .sinSolicitud: return .conflict
        case .dadaDeBaja: return .gone
        default: return .badRequest
        }
    }

    private static func message(_ status: AckStatus) -> String {
        switch status {
        case .aceptada: return "Alerta recibida. La UPC ha sido notificada."
        case .duplicada: return "Esta alerta ya fue recibida."
        case .ocupadoReintente: return "El servicio está ocupado. Reintente."
        case .rechazada: return "Alerta rechazada."
        }
    }

    private static func message(_ reason: RejectReason) -> String {
        switch reason {
        case .clave: return "La firma no corresponde a la clave del dispositivo."
        case .desconocido: return "Dispositivo desconocido: esta línea no tiene un botón de seguridad registrado."
        case .dadaDeBaja: return "Este botón de seguridad fue dado de baja: ya no envía alertas a la UPC. En una "
            + "emergencia llame al 911. Para volver a tenerlo, registre la línea otra vez en /registro."
        case .ventana: return "La hora del teléfono difiere de la del servidor, o la secuencia ya fue usada."
        case .sinSolicitud: return "No hay un pedido de baja pendiente para este botón: no se cambió nada y el botón "
            + "sigue activo."
        default: return "La trama no es válida."
        }
    }

    private static func json(_ answer: Answer, status: HTTPStatus) throws -> HTTPResponse {
        try .json(answer, status: status)
    }
}

/// The writer's answer to one HTTPS alert, handed from the writer thread to the waiting handler.
private final class ReplyBox: @unchecked Sendable {
    private let condition = ThreadCondition()
    private var reply: ReplyBytes?  // guarded by `condition`

    func set(_ value: ReplyBytes) {
        condition.lock()
        reply = value
        condition.signal()
        condition.unlock()
    }

    /// The answer, or nil when none came within `timeout`.
    func wait(timeout: Duration) -> ReplyBytes? {
        let deadline = ContinuousClock.now + timeout
        condition.lock()
        defer { condition.unlock() }
        while reply == nil {
            let left = deadline - ContinuousClock.now
            if left <= .zero || !condition.wait(timeout: left) { break }
        }
        return reply
    }
}
