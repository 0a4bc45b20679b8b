import BotonCore
import BotonGeo
import BotonRepository
import Foundation
import BotonConsole

/// The console API's answers (Spanish keys, snake case, instants in ISO 8601 UTC).
enum ConsoleJSON {
    struct Silent: Encodable {
        let sin_senal: [SilentSender]
    }

    /// A supervised sender silent past its interval plus grace.
    struct SilentSender: Encodable {
        let tipo: String
        let tipo_nombre: String
        let id: String
        let nombre: String
        let upc: String
        let upc_nombre: String?
        let sin_senal_desde: String
        let ultima_senal: String
        let intervalo_s: Int
        let latitud: Double?
        let longitud: Double?
    }

    struct List: Encodable {
        let alertas: [ConsoleEventJSON.Alert]
    }

    struct Position: Encodable {
        let latitud: Double
        let longitud: Double
        let precisionM: Int?
        let recibidaEn: String
        /// The battery level the frame carried with this position.
        let bateria: Int?
        enum CodingKeys: String, CodingKey {
            case latitud, longitud, bateria
            case precisionM = "precision_m", recibidaEn = "recibida_en"
        }
    }

    struct Address: Encodable {
        let direccion: String
        let latitud: Double
        let longitud: Double
    }

    struct Contact: Encodable {
        let nombre: String
        let telefono: String
        /// The number for a `tel:` link.
        let e164: String
    }

    struct Citizen: Encodable {
        let nombres: String
        let apellidos: String
        let tipoDocumento: String
        let documento: String
        /// `Cédula 1710034065`, `Pasaporte C0123456 (Venezuela)`.
        let documentoTexto: String
        enum CodingKeys: String, CodingKey {
            case nombres, apellidos, documento
            case tipoDocumento = "tipo_documento", documentoTexto = "documento_texto"
        }
    }

    struct Event: Encodable {
        let evento: ConsoleEventJSON.Event
        let actorNombre: String?
        enum CodingKeys: String, CodingKey {
            case evento
            case actorNombre = "actor_nombre"
        }
    }

    struct Dossier: Encodable {
        let alerta: ConsoleEventJSON.Alert
        let linea: String
        let lineaNacional: String
        let ciudadano: Citizen?
        let tramite: String?
        let estadoSolicitud: String?
        let domicilio: Address?
        let trabajo: Address?
        let contactos: [Contact]
        let posiciones: [Position]
        let historial: [ConsoleEventJSON.Event]
        /// Rank and name of each operator of `historial`, by its `actor` (`operador:42` → `Sbte. Andrade`).
        let actores: [String: String]
        /// Whether the line is suspended now: a supervisor may lift it from the dossier.
        let lineaSuspendidaAhora: Bool
        let croquis: String
        /// The territory for the map (`GET`, JSON: ``ConsoleMap``).
        let mapa: String
        enum CodingKeys: String, CodingKey {
            case alerta, linea, ciudadano, tramite, domicilio, trabajo, contactos, posiciones, historial, croquis, mapa, actores
            case lineaNacional = "linea_nacional", estadoSolicitud = "estado_solicitud"
            case lineaSuspendidaAhora = "linea_suspendida_ahora"
        }

        /// `lineHome`: the registered address's position of a line without an enrollment (shown on the map as the
        /// address when the dossier has none).
        init(_ d: IncidentDossier, upcName: String?, scope: ConsoleScope, lineHome: GeoPoint? = nil) {
            var alert = ConsoleEventJSON.Alert(d.incident, upcName: upcName)
            alert.propia = scope.propia(d.incident)
            alerta = alert
            linea = d.incident.lineE164
            lineaNacional = (try? PhoneLine(d.incident.lineE164))?.nationalFormat ?? d.incident.lineE164
            ciudadano = d.citizen.map {
                Citizen(nombres: $0.nombres, apellidos: $0.apellidos, tipoDocumento: $0.documentKind,
                        documento: $0.documentNumber,
                        documentoTexto: IdentityDocument.text(kind: $0.documentKind, number: $0.documentNumber,
                                                              nationality: $0.nationality))
            }
            tramite = d.enrollment?.tramite
            estadoSolicitud = d.enrollment?.state.rawValue
            domicilio = d.enrollment.map {
                Address(direccion: $0.homeAddress, latitud: $0.homeLatitude, longitud: $0.homeLongitude)
            } ?? lineHome.map {
                Address(direccion: "Posición registrada de la línea", latitud: $0.latitude, longitud: $0.longitude)
            }
            trabajo = d.enrollment.flatMap { e in
                e.workAddress.map { Address(direccion: $0, latitud: e.workLatitude ?? 0, longitud: e.workLongitude ?? 0) }
            }
            contactos = d.contacts.map {
                Contact(nombre: $0.name, telefono: (try? PhoneLine($0.phone))?.nationalFormat ?? $0.phone,
                        e164: (try? PhoneLine($0.phone))?.e164 ?? $0.phone)
            }
            posiciones = d.positions.map {
                Position(latitud: $0.latitude, longitud: $0.longitude, precisionM: $0.accuracyMeters,
                         recibidaEn: APITime.text($0.receivedAt), bateria: $0.batteryPercent)
            }
            historial = d.events.map(ConsoleEventJSON.Event.init)
            actores = d.actorNames
            lineaSuspendidaAhora = d.lineSuspendedNow
            croquis = "/consola/alertas/\(d.incident.id)/croquis.svg"
            mapa = "/api/v1/consola/alertas/\(d.incident.id)/mapa"
        }
    }

    struct Closing: Encodable {
        let alerta: ConsoleEventJSON.Alert
        let lineaSuspendida: Bool
        let falsasAlarmas: Int
        let mensaje: String
        enum CodingKeys: String, CodingKey {
            case alerta, mensaje
            case lineaSuspendida = "linea_suspendida", falsasAlarmas = "falsas_alarmas"
        }
    }

    struct Action: Encodable {
        let alerta: ConsoleEventJSON.Alert
        let mensaje: String
    }

    struct Audit: Encodable {
        struct Entry: Encodable {
            let id: Int64
            let en: String
            let actor: String
            let accion: String
            let sujeto: String
            let detalle: String?
        }
        let registros: [Entry]
    }
}
