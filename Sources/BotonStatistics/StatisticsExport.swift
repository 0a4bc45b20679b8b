public import BotonCore
import Foundation

/// The export formats of `boton stats export` and the web: the published layout, CSV, JSON and an SVG chart.
/// Pure: rows in, text out.
public enum StatisticsExport {
    public enum Format: String, Sendable, CaseIterable {
        /// The published gob.ec layout (national only).
        case gobec
        case csv
        case json
        /// Both series by month as a chart (national only).
        case svg
    }

    /// What a renderer needs besides the rows.
    public struct Context: Sendable {
        public var range: MonthRange
        public var level: StatisticsLevel
        /// Internal figures (tests, false alarms, escalations, take time, enrollments) and no suppression.
        public var isInternal: Bool
        public var settings: StatisticsSettings
        public var revisions: [RevisionNote]

        public init(range: MonthRange, level: StatisticsLevel, isInternal: Bool, settings: StatisticsSettings,
                    revisions: [RevisionNote] = []) {
            self.range = range
            self.level = level
            self.isInternal = isInternal
            self.settings = settings
            self.revisions = revisions
        }
    }

    /// A correction of a closed month, as published beside the figures.
    public struct RevisionNote: Sendable, Equatable {
        public let month: YearMonth
        public let revision: Int
        public let at: Timestamp
        public let actor: String
        public let reason: String
        public init(month: YearMonth, revision: Int, at: Timestamp, actor: String, reason: String) {
            self.month = month
            self.revision = revision
            self.at = at
            self.actor = actor
            self.reason = reason
        }
    }

    /// Refuses a format that cannot show a breakdown.
    public static func check(_ format: Format, level: StatisticsLevel) throws(StatisticsError) {
        if level != .nacional && (format == .gobec || format == .svg) {
            throw StatisticsError(.invalid, code: "format_level",
                                  "El formato \(format.rawValue) es la serie nacional; para un desglose por "
                                  + "\(level.rawValue) use csv o json.")
        }
    }

    public static func render(_ rows: [StatisticsRow], format: Format, context: Context) -> String {
        switch format {
        case .gobec:
            return TransparencyTable.render(rows.filter { $0.scope.level == .nacional }
                                                .map { $0.figures.volume($0.month) }, anchor: context.settings.pageAnchor)
        case .csv: return csv(rows, context)
        case .json: return json(rows, context)
        case .svg:
            return TransparencyChart.svg(rows.filter { $0.scope.level == .nacional }.map { $0.figures.volume($0.month) })
        }
    }

    /// A published value: the number, or nil when suppressed (public exports below distrito).
    static func value(_ n: Int, _ row: StatisticsRow, _ context: Context) -> Int? {
        context.isInternal ? n : StatisticsPrivacy.publicValue(n, level: row.scope.level,
                                                               threshold: context.settings.privacyThreshold)
    }

    // MARK: CSV

    static func csv(_ rows: [StatisticsRow], _ context: Context) -> String {
        var header = ["Año", "Mes", "Nivel", "Código", "Nombre", "Volumen de Quejas", "Volumen de Atenciones", "Fuente",
                      "Revisión"]
        // A pending baja is counted as the state it left (see `enrollmentStates(before:)`): no column of its own.
        let states = EnrollmentState.allCases.filter { $0 != .bajaSolicitada }.map(\.rawValue)
        if context.isInternal {
            header += ["Pruebas", "Falsas alarmas", "Escaladas", "Tomadas", "Mediana para tomar (s)"]
                + states.map { "Enrolamientos \($0)" }
        }
        var lines = [header.map(field).joined(separator: ",")]
        let suppressed = "<\(context.settings.privacyThreshold)"
        for row in rows {
            var cells = [String(row.month.year), row.month.twoDigitMonth, row.scope.level.rawValue, row.scope.code,
                         row.name ?? "",
                         value(row.figures.quejas, row, context).map(String.init) ?? suppressed,
                         value(row.figures.atenciones, row, context).map(String.init) ?? suppressed,
                         row.source.rawValue, row.revision.map(String.init) ?? ""]
            if context.isInternal {
                let f = row.figures
                let hasInternal = row.source != .publicado
                cells += hasInternal
                    ? [String(f.pruebas), String(f.falsasAlarmas), String(f.escaladas), String(f.tomadas),
                       f.medianaTomaMs.map(seconds) ?? ""] + states.map { String(f.enrolamientos[$0] ?? 0) }
                    : Array(repeating: "", count: 5 + states.count)
            }
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func seconds(_ ms: Int64) -> String {
        let tenths = (ms + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }

    // MARK: JSON

    struct Document: Encodable {
        struct Figure: Encodable {
            let periodo: String
            let anio: Int
            let mes: Int
            let nivel: String
            let codigo: String?
            let nombre: String?
            let volumenQuejas: Int?
            let volumenAtenciones: Int?
            let suprimido: [String]?
            let fuente: String
            let revision: Int?
            let pruebas: Int?
            let falsasAlarmas: Int?
            let escaladas: Int?
            let tomadas: Int?
            let medianaTomaS: Double?
            let enrolamientos: [String: Int]?
            enum CodingKeys: String, CodingKey {
                case periodo, anio, mes, nivel, codigo, nombre, suprimido, fuente, revision, pruebas, escaladas,
                     tomadas, enrolamientos
                case volumenQuejas = "volumen_quejas"
                case volumenAtenciones = "volumen_atenciones"
                case falsasAlarmas = "falsas_alarmas"
                case medianaTomaS = "mediana_toma_s"
            }
        }
        struct Revision: Encodable {
            let periodo: String
            let revision: Int
            let fecha: String
            let autor: String
            let motivo: String
        }
        let desde: String
        let hasta: String
        let nivel: String
        let definicionAtencion: [String]
        let umbralPrivacidad: Int?
        let interno: Bool
        let cifras: [Figure]
        let revisiones: [Revision]
        enum CodingKeys: String, CodingKey {
            case desde, hasta, nivel, interno, cifras, revisiones
            case definicionAtencion = "definicion_atencion"
            case umbralPrivacidad = "umbral_privacidad"
        }
    }

    static func document(_ rows: [StatisticsRow], _ context: Context) -> Document {
        let figures = rows.map { row -> Document.Figure in
            let quejas = value(row.figures.quejas, row, context)
            let atenciones = value(row.figures.atenciones, row, context)
            let suppressed = (quejas == nil ? ["volumen_quejas"] : []) + (atenciones == nil ? ["volumen_atenciones"] : [])
            let f = row.figures
            let detailed = context.isInternal && row.source != .publicado
            return Document.Figure(
                periodo: row.month.description, anio: row.month.year, mes: row.month.month,
                nivel: row.scope.level.rawValue, codigo: row.scope.level == .nacional ? nil : row.scope.code,
                nombre: row.name, volumenQuejas: quejas, volumenAtenciones: atenciones,
                suprimido: suppressed.isEmpty ? nil : suppressed, fuente: row.source.rawValue, revision: row.revision,
                pruebas: detailed ? f.pruebas : nil, falsasAlarmas: detailed ? f.falsasAlarmas : nil,
                escaladas: detailed ? f.escaladas : nil, tomadas: detailed ? f.tomadas : nil,
                medianaTomaS: detailed ? f.medianaTomaMs.map { Double($0) / 1000 } : nil,
                enrolamientos: detailed ? f.enrolamientos : nil)
        }
        return Document(
            desde: context.range.from.description, hasta: context.range.to.description,
            nivel: context.level.rawValue,
            definicionAtencion: IncidentOutcome.allCases.filter(context.settings.countedOutcomes.contains).map(\.rawValue),
            umbralPrivacidad: context.level.isBelowDistrito && !context.isInternal ? context.settings.privacyThreshold : nil,
            interno: context.isInternal, cifras: figures,
            revisiones: context.revisions.map {
                Document.Revision(periodo: $0.month.description, revision: $0.revision, fecha: APITime.text($0.at),
                                  autor: $0.actor, motivo: $0.reason)
            })
    }

    static func json(_ rows: [StatisticsRow], _ context: Context) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document(rows, context))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension StatisticsExport {
    /// An instant as people in Ecuador read it: `14:05 del 07/03/2026`.
    public static func fecha(_ t: Timestamp) -> String { EcuadorTime.text(t) }
}
