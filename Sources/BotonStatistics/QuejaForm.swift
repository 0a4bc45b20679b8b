public import BotonCore

/// A complaint as typed, on the public form or by an officer. ``validate()`` checks every field and reports all
/// problems at once.
public struct QuejaForm: Sendable, Equatable {
    /// What happened (required, 10–2000 characters).
    public var descripcion: String
    /// How to answer the citizen: a phone or an e-mail (optional, up to 200 characters).
    public var contacto: String
    /// The número de trámite of an enrollment request (optional).
    public var tramite: String
    /// The number of an alert (optional): `1234`, `INC-1234`.
    public var incidente: String

    public init(descripcion: String = "", contacto: String = "", tramite: String = "", incidente: String = "") {
        self.descripcion = descripcion
        self.contacto = contacto
        self.tramite = tramite
        self.incidente = incidente
    }

    /// The checked form.
    public struct Valid: Sendable, Equatable {
        public let descripcion: String
        public let contacto: String?
        public let tramite: TramiteNumber?
        public let incidente: IncidentReference?
    }

    public func validate() throws(QuejaError) -> Valid {
        var problems: [(String, String)] = []
        let description = descripcion.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.count < 10 {
            problems.append(("descripcion", "Describa lo ocurrido en al menos 10 caracteres: qué pasó, dónde y cuándo."))
        } else if description.count > 2000 {
            problems.append(("descripcion", "La descripción puede tener hasta 2000 caracteres; tiene \(description.count)."))
        } else if description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control
                                                                && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
            problems.append(("descripcion", "La descripción tiene caracteres que no se pueden guardar; escríbala de nuevo."))
        }
        let contact = contacto.trimmingCharacters(in: .whitespacesAndNewlines)
        if contact.count > 200 {
            problems.append(("contacto", "El contacto puede tener hasta 200 caracteres: un teléfono o un correo."))
        } else if contact.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(("contacto", "El contacto tiene caracteres que no se pueden guardar; escríbalo de nuevo."))
        }
        var tramiteNumber: TramiteNumber?
        let tramiteText = tramite.trimmingCharacters(in: .whitespacesAndNewlines)
        if !tramiteText.isEmpty {
            do { tramiteNumber = try TramiteNumber(tramiteText) } catch {
                problems.append(("tramite", error.mensaje + " Si no lo tiene, deje el campo vacío."))
            }
        }
        var reference: IncidentReference?
        let incidentText = incidente.trimmingCharacters(in: .whitespacesAndNewlines)
        if !incidentText.isEmpty {
            reference = IncidentReference(incidentText)
            if reference == nil {
                problems.append(("incidente", "El número de la alerta es el que le indicó el sistema, por ejemplo "
                                 + "INC-1234 o 1234. Si no lo tiene, deje el campo vacío."))
            }
        }
        guard problems.isEmpty else {
            throw QuejaError(.invalid, code: "form",
                             "Revise los datos: hay \(problems.count == 1 ? "un campo" : "\(problems.count) campos") por corregir.",
                             fields: problems)
        }
        return Valid(descripcion: description, contacto: contact.isEmpty ? nil : contact, tramite: tramiteNumber,
                     incidente: reference)
    }
}

import Foundation
