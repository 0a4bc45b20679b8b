import BotonCore
import Foundation
import BotonEnrollment

/// Any JSON value, as the API reads request bodies: numbers keep the text they were written with where they can.
enum JSONValue: Decodable, Sendable {
    case string(String)
    case number(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .number(String(i)); return }
        if let d = try? c.decode(Double.self) { self = .number(String(d)); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    /// A scalar as the text a form field would carry: booleans `si` or empty, null empty.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "si" : ""
        case .null: return ""
        case .array, .object: return nil
        }
    }
}

/// The API's answers, with Spanish keys in snake case. Instants are ISO 8601 UTC (``APITime``).
enum APIJSON {
    struct Failure: Encodable {
        let error: String
        let mensaje: String
        let errores: [String: String]?
    }

    struct UPC: Encodable {
        let codigo: String
        let nombre: String?
    }

    struct Submitted: Encodable {
        let tramite: String
        let estado: String
        let estadoNombre: String
        let upc: UPC
        let subcircuito: String
        let mensaje: String
        enum CodingKeys: String, CodingKey {
            case tramite, estado, upc, subcircuito, mensaje
            case estadoNombre = "estado_nombre"
        }
        init(_ s: BotonEnrollment.Submitted) {
            tramite = s.tramite
            estado = s.state.rawValue
            estadoNombre = s.state.nombre
            upc = UPC(codigo: s.upcCode, nombre: s.upcName)
            subcircuito = s.subcircuitCode
            mensaje = s.mensaje
        }
    }

    struct Status: Encodable {
        let tramite: String
        let estado: String
        let estadoNombre: String
        let upc: UPC
        let creada: String
        let actualizada: String
        let motivo: String?
        let mensaje: String
        enum CodingKeys: String, CodingKey {
            case tramite, estado, upc, creada, actualizada, motivo, mensaje
            case estadoNombre = "estado_nombre"
        }
        init(_ v: EnrollmentStatusView) {
            tramite = v.tramite
            estado = v.state.rawValue
            estadoNombre = v.estado
            upc = UPC(codigo: v.upcCode, nombre: v.upcName)
            creada = APITime.text(v.createdAt)
            actualizada = APITime.text(v.updatedAt)
            motivo = v.motivo
            mensaje = v.mensaje
        }
    }

    struct Summary: Encodable {
        let tramite: String
        let estado: String
        let estadoNombre: String
        let canal: String
        let upc: String
        let upcAtencion: String?
        let subcircuito: String
        let tipoLinea: String
        let vinculadaA: String?
        let creada: String
        let actualizada: String
        let registrada: String?
        enum CodingKeys: String, CodingKey {
            case tramite, estado, canal, upc, subcircuito, creada, actualizada, registrada
            case estadoNombre = "estado_nombre"
            case upcAtencion = "upc_atencion"
            case tipoLinea = "tipo_linea"
            case vinculadaA = "vinculada_a"
        }
        init(_ s: EnrollmentSummary) {
            tramite = s.tramite
            estado = s.state.rawValue
            estadoNombre = s.estado
            canal = s.channel.rawValue
            upc = s.upcCode
            upcAtencion = s.intakeUPCCode
            subcircuito = s.subcircuitCode
            tipoLinea = s.lineKind.rawValue
            vinculadaA = s.linkedTo
            creada = APITime.text(s.createdAt)
            actualizada = APITime.text(s.updatedAt)
            registrada = s.registeredAt.map(APITime.text)
        }
    }

    struct List: Encodable {
        let solicitudes: [Summary]
    }

    struct Line: Encodable {
        let e164: String
        let nacional: String
        let tipo: String
        init(_ l: PhoneLine) {
            e164 = l.e164
            nacional = l.nationalFormat
            tipo = l.kind.rawValue
        }
    }

    struct Place: Encodable {
        let direccion: String
        let latitud: Double?
        let longitud: Double?
    }

    struct Detail: Encodable {
        struct Citizen: Encodable {
            let tipoDocumento: String
            let numeroDocumento: String
            let nacionalidad: String
            let nombres: String
            let apellidos: String
            let fechaNacimiento: String
            let correo: String?
            enum CodingKeys: String, CodingKey {
                case nacionalidad, nombres, apellidos, correo
                case tipoDocumento = "tipo_documento"
                case numeroDocumento = "numero_documento"
                case fechaNacimiento = "fecha_nacimiento"
            }
        }
        struct Contact: Encodable {
            let nombre: String
            let telefono: String
        }
        struct Step: Encodable {
            let desde: String?
            let hacia: String
            let autor: String
            let fecha: String
            let nota: String?
        }
        struct Attempt: Encodable {
            let autor: String
            let fecha: String
            let resultado: String
            let nota: String?
        }
        struct Device: Encodable {
            let id: String
            let tipo: String
            let creado: String
            let revocado: String?
        }
        let solicitud: Summary
        let ciudadano: Citizen
        let linea: Line
        let upcNombre: String
        let subcircuitoNombre: String
        let domicilio: Place
        let trabajo: Place?
        let contactos: [Contact]
        let consentimientoDatos: String?
        let politicaUsoAceptada: String?
        let politicaExplicada: Bool
        let historial: [Step]
        let intentosContacto: [Attempt]
        let dispositivo: Device?
        let solicitudesVinculadas: [String]
        enum CodingKeys: String, CodingKey {
            case solicitud, ciudadano, linea, domicilio, trabajo, contactos, historial, dispositivo
            case upcNombre = "upc_nombre"
            case subcircuitoNombre = "subcircuito_nombre"
            case consentimientoDatos = "consentimiento_datos"
            case politicaUsoAceptada = "politica_uso_aceptada"
            case politicaExplicada = "politica_explicada"
            case intentosContacto = "intentos_contacto"
            case solicitudesVinculadas = "solicitudes_vinculadas"
        }
        init(_ d: EnrollmentDetail) {
            solicitud = Summary(d.summary)
            let c = d.citizen
            ciudadano = Citizen(tipoDocumento: c.documentKind.rawValue, numeroDocumento: c.documentNumber,
                                nacionalidad: c.nationality, nombres: c.nombres, apellidos: c.apellidos,
                                fechaNacimiento: c.birthDate, correo: c.email)
            linea = Line(d.line)
            upcNombre = d.upcName
            subcircuitoNombre = d.subcircuitName
            domicilio = Place(direccion: d.homeAddress, latitud: d.homeLatitude, longitud: d.homeLongitude)
            trabajo = d.workAddress.map { Place(direccion: $0, latitud: d.workLatitude, longitud: d.workLongitude) }
            contactos = d.contacts.map { Contact(nombre: $0.name, telefono: $0.phone.e164) }
            consentimientoDatos = d.consentAt.map(APITime.text)
            politicaUsoAceptada = d.usagePolicyAcceptedAt.map(APITime.text)
            politicaExplicada = d.usagePolicyExplained
            historial = d.history.map {
                Step(desde: $0.from?.rawValue, hacia: $0.to.rawValue, autor: $0.actor.storageForm,
                     fecha: APITime.text($0.at), nota: $0.note)
            }
            intentosContacto = d.contactAttempts.map {
                Attempt(autor: $0.actor.storageForm, fecha: APITime.text($0.at), resultado: $0.result.rawValue,
                        nota: $0.note)
            }
            dispositivo = d.device.map {
                Device(id: $0.id, tipo: $0.kind, creado: APITime.text($0.createdAt),
                       revocado: $0.revokedAt.map(APITime.text))
            }
            solicitudesVinculadas = d.linkedRequests
        }
    }

    struct Registered: Encodable {
        struct Credential: Encodable {
            let tipo: String
            let dispositivo: String
            let codigoActivacion: String?
            enum CodingKeys: String, CodingKey {
                case tipo, dispositivo
                case codigoActivacion = "codigo_activacion"
            }
        }
        let solicitud: Summary
        let linea: Line
        let credencial: Credential
        let instrucciones: String
        init(_ r: Registration) {
            solicitud = Summary(r.summary)
            linea = Line(r.line)
            switch r.credential {
            case .app(let id, _, let code):
                credencial = Credential(tipo: "app", dispositivo: id, codigoActivacion: code)
            case .lineaFija(let id):
                credencial = Credential(tipo: "linea_fija", dispositivo: id, codigoActivacion: nil)
            }
            instrucciones = r.instrucciones
        }
    }

    struct Session: Encodable {
        struct Officer: Encodable {
            let id: Int64
            let usuario: String
            let nombre: String
            let rol: String
            let upc: String?
            let distrito: String?
        }
        let operador: Officer
        let csrf: String
        let expira: String
        init(_ s: OfficerSession, csrf: String) {
            let i = s.identity
            operador = Officer(id: i.id, usuario: i.username, nombre: i.displayName, rol: i.role.rawValue,
                               upc: i.upcCode, distrito: i.districtCode)
            self.csrf = csrf
            expira = APITime.text(s.expiresAt)
        }
    }
}
