import BotonCore
import BotonHTTP
import BotonRepository
import Foundation
import BotonStatistics
import BotonWebKit

/// The public figures: `GET /transparencia` (the table in the published columns, the chart, the definitions, the
/// revisions and the downloads), `GET /transparencia/grafico.svg`, `GET /transparencia/tabla.txt` (the published
/// layout), `GET /transparencia/estadisticas.csv` and `GET /api/v1/estadisticas` (JSON). All take
/// `desde`/`hasta` (`YYYY-MM`; default: from the oldest month with figures to the last finished month); the CSV and
/// the API also `por` (a level; figures below distrito suppressed under `stats.privacy_threshold`). No session:
/// these are public. A malformed or reversed range is answered 422 with the reason.
extension StatisticsWeb {
    func installTransparency(into router: inout Router) {
        router.get("/transparencia") { [self] request, _ in transparencyPage(request) }
        router.get("/transparencia/grafico.svg") { [self] request, _ in
            download(request, format: .svg, contentType: "image/svg+xml; charset=utf-8")
        }
        router.get("/transparencia/tabla.txt") { [self] request, _ in
            download(request, format: .gobec, contentType: "text/plain; charset=utf-8",
                     filename: "botones-de-seguridad-transparencia.txt")
        }
        router.get("/transparencia/estadisticas.csv") { [self] request, _ in
            download(request, format: .csv, contentType: "text/csv; charset=utf-8",
                     filename: "botones-de-seguridad-estadisticas.csv")
        }
        router.get("/api/v1/estadisticas") { [self] request, _ in
            download(request, format: .json, contentType: "application/json; charset=utf-8")
        }
    }

    /// The rows and context for a public request, or the refusal.
    func publicRows(_ request: HTTPRequest, format: StatisticsExport.Format) throws(StatisticsError)
        -> (rows: [StatisticsRow], context: StatisticsExport.Context)
    {
        var level = StatisticsLevel.nacional
        if let por = request.query("por"), !por.isEmpty {
            guard let parsed = StatisticsLevel(rawValue: por) else {
                throw StatisticsError(.invalid, code: "level",
                                      "«por» es nacional, zona, subzona, distrito, circuito, subcircuito o upc.")
            }
            level = parsed
        }
        try StatisticsExport.check(format, level: level)
        return try withStatistics { (service) throws(StatisticsError) in
            let current = YearMonth(ecuador: clock())
            let lastFinished = current.adding(months: -1)
            let available = try service.availableMonths(current: current)
            let range = try MonthRange.parse(from: request.query("desde"), to: request.query("hasta"),
                                             defaultFrom: min(available?.first ?? lastFinished, lastFinished),
                                             defaultTo: min(available?.last ?? lastFinished, lastFinished), current: current,
                                             names: ("desde", "hasta"))
            let rows = try service.rows(range, level: level, detailed: false)
            let notes = try service.revisions().filter { $0.revision > 0 && range.months.contains($0.month) }.map {
                StatisticsExport.RevisionNote(month: $0.month, revision: $0.revision, at: $0.at, actor: $0.actor,
                                              reason: $0.reason)
            }
            return (rows, StatisticsExport.Context(range: range, level: level, isInternal: false, settings: settings,
                                                   revisions: notes))
        }
    }

    func download(_ request: HTTPRequest, format: StatisticsExport.Format, contentType: String,
                  filename: String? = nil) -> HTTPResponse
    {
        do {
            let (rows, context) = try publicRows(request, format: format)
            // `?ancho=movil`: the chart drawn for a phone's width (the page offers it to narrow screens).
            let text = format == .svg && request.query("ancho") == "movil"
                ? TransparencyChart.svg(rows.filter { $0.scope.level == .nacional }.map { $0.figures.volume($0.month) },
                                        layout: .narrow)
                : StatisticsExport.render(rows, format: format, context: context)
            var response = HTTPResponse(status: .ok, body: Array(text.utf8))
            response.headers.replace(name: "Content-Type", value: contentType)
            response.headers.replace(name: "Cache-Control", value: "public, max-age=300")
            if let filename {
                response.headers.replace(name: "Content-Disposition", value: "inline; filename=\"\(filename)\"")
            }
            return response
        } catch {
            if error.kind == .unavailable {
                logger.error("statistics_unavailable", ["route": request.path, "detail": error.detail ?? "-"])
            }
            if format == .json {
                return (try? EnrollmentWeb.json(APIJSON.Failure(error: error.code, mensaje: error.mensaje, errores: nil),
                                                status: Self.status(for: error.kind)))
                    ?? .status(Self.status(for: error.kind))
            }
            return .text(error.mensaje + "\n", status: Self.status(for: error.kind))
        }
    }

    private func transparencyPage(_ request: HTTPRequest) -> HTTPResponse {
        let rows: [StatisticsRow], context: StatisticsExport.Context
        do {
            (rows, context) = try publicRows(request, format: .gobec)
        } catch {
            if error.kind == .unavailable {
                logger.error("statistics_unavailable", ["route": request.path, "detail": error.detail ?? "-"])
            }
            let body = HTML.alert(error.mensaje) + rangeForm(desde: request.query("desde") ?? "",
                                                             hasta: request.query("hasta") ?? "")
            return EnrollmentWeb.page("Transparencia", body, status: Self.status(for: error.kind))
        }
        let range = context.range
        let query = HTML.attribute("?desde=\(range.from)&hasta=\(range.to)")
        let national = rows.filter { $0.scope.level == .nacional }
        // The period named is the one the table holds (not the one asked for, which may reach months without
        // figures yet); the months of the request without figures are said separately.
        let held = national.map(\.month)
        let period = held.first.map { first in
            ", de \(first.spanishText) a \(held.last!.spanishText)" } ?? ""
        var body = """
        <p id="periodo">Cifras mensuales del trámite <strong>Activación de botones de seguridad para casos de \
        emergencia</strong> de la Policía Nacional del Ecuador, en el formato publicado en gob.ec\(period).</p>
        <ul>
        <li><strong>Volumen de Atenciones</strong>: alertas reales (no de prueba) cerradas en el mes con resultado \
        \(HTML.escape(settings.countedOutcomes.map(\.nombre).sorted().map { "«\($0)»" }.joined(separator: " o "))).</li>
        <li><strong>Volumen de Quejas</strong>: quejas recibidas en el mes, por el <a href="/quejas">formulario</a>, \
        por teléfono o en una UPC.</li>
        </ul>
        <p>Los meses se cuentan en hora de Ecuador continental. Al empezar cada mes se cierran las cifras del mes \
        anterior; una corrección posterior se publica como revisión, con su motivo.</p>

        """
        body += rangeForm(desde: range.from.description, hasta: range.to.description)
        if national.isEmpty {
            body += HTML.notice("Aún no hay cifras publicadas para el período de \(range.from.spanishText) a "
                                + "\(range.to.spanishText).")
            return EnrollmentWeb.page("Transparencia", body)
        }
        let runs = Self.monthsWithout(Set(held), in: range)
        if !runs.isEmpty {
            let named = runs.map { $0.from == $0.to ? $0.from.spanishText
                : "de \($0.from.spanishText) a \($0.to.spanishText)" }
            let count = runs.reduce(0) { $0 + $1.count }
            body += HTML.notice("Sin cifras todavía para \(count == 1 ? "1 mes" : "\(count) meses") del período "
                                + "pedido (\(named.joined(separator: "; "))): aún no se han publicado ni cerrado.")
        }
        // On a phone the narrow drawing, whose labels stay readable at that width.
        body += "<figure class=\"grafico\">\n<picture><source media=\"(max-width: 40rem)\" "
            + "srcset=\"/transparencia/grafico.svg\(query)&amp;ancho=movil\" width=\"420\" height=\"600\">"
            + "<img src=\"/transparencia/grafico.svg\(query)\" width=\"960\" height=\"540\" "
            + "alt=\"\(HTML.attribute(TransparencyChart.description(national.map { $0.figures.volume($0.month) })))\">\n"
            + "</picture>\n<figcaption>Volumen de Atenciones (arriba) y de Quejas (abajo) por mes, cada serie con su escala."
            + "</figcaption>\n</figure>\n"
        body += "<p class=\"descargas\">Descargar: <a href=\"/transparencia/tabla.txt\(query)\">tabla en el formato de "
            + "gob.ec</a> · <a href=\"/transparencia/estadisticas.csv\(query)\">CSV</a> · "
            + "<a href=\"/api/v1/estadisticas\(query)\">JSON</a> · <a href=\"/transparencia/grafico.svg\(query)\">gráfico "
            + "SVG</a></p>\n"
        let sources = Set(national.map(\.source))
        body += "<div class=\"tabla-desplazable\">\n<table id=\"tabla-transparencia\">\n<caption>Transparencia: \(national.count) "
            + "meses, el más reciente primero</caption>\n<thead><tr><th scope=\"col\">Año</th><th scope=\"col\">Mes</th>"
            + "<th scope=\"col\" class=\"numero\">Volumen de Quejas</th>"
            + "<th scope=\"col\" class=\"numero\">Volumen de Atenciones</th><th scope=\"col\">Fuente</th></tr></thead>\n<tbody>\n"
        for row in national.reversed() {
            // Numbers grouped like the chart's (a no-break space); on a phone each row is a card with its labels.
            body += "<tr><td data-etiqueta=\"Año\">\(row.month.year)</td>"
                + "<td data-etiqueta=\"Mes\">\(row.month.twoDigitMonth) · \(row.month.monthName)</td>"
                + "<td class=\"numero\" data-etiqueta=\"Quejas\">\(TransparencyChart.grouped(row.figures.quejas))</td>"
                + "<td class=\"numero\" data-etiqueta=\"Atenciones\">\(TransparencyChart.grouped(row.figures.atenciones))</td>"
                + "<td data-etiqueta=\"Fuente\">\(HTML.escape(Self.sourceText(row)))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n</div>\n"
        body += "<h2>Fuentes</h2>\n<ul>\n"
        if sources.contains(.publicado) {
            body += "<li><strong>Publicado</strong>: serie histórica publicada en gob.ec, anterior al sistema.</li>\n"
        }
        if sources.contains(.sistema) {
            body += "<li><strong>Sistema</strong>: cifras del sistema, cerradas al terminar el mes.</li>\n"
        }
        if sources.contains(.provisional) {
            body += "<li><strong>Provisional</strong>: mes todavía sin cerrar; las cifras pueden cambiar.</li>\n"
        }
        body += "</ul>\n"
        if !context.revisions.isEmpty {
            body += "<h2>Revisiones</h2>\n<ul id=\"revisiones\">\n"
            for note in context.revisions {
                body += "<li>\(HTML.escape(note.month.spanishText)): revisión \(note.revision), "
                    + "\(HTML.escape(StatisticsExport.fecha(note.at))). Motivo: \(HTML.escape(note.reason))</li>\n"
            }
            body += "</ul>\n"
        }
        var response = EnrollmentWeb.page("Transparencia", body)
        response.headers.replace(name: "Cache-Control", value: "public, max-age=300")
        return response
    }

    /// The months of `range` not in `held`, as runs of consecutive months, oldest first.
    static func monthsWithout(_ held: Set<YearMonth>, in range: MonthRange)
        -> [(from: YearMonth, to: YearMonth, count: Int)]
    {
        var runs: [(from: YearMonth, to: YearMonth, count: Int)] = []
        for month in range.months where !held.contains(month) {
            if let last = runs.last, last.to.adding(months: 1) == month {
                runs[runs.count - 1] = (last.from, month, last.count + 1)
            } else {
                runs.append((month, month, 1))
            }
        }
        return runs
    }

    static func sourceText(_ row: StatisticsRow) -> String {
        switch row.source {
        case .publicado: return "Publicado"
        case .provisional: return "Provisional"
        case .sistema: return (row.revision ?? 0) > 0 ? "Sistema (revisión \(row.revision!))" : "Sistema"
        }
    }

    private func rangeForm(desde: String, hasta: String) -> String {
        "<form class=\"rango\" method=\"get\" action=\"/transparencia\">\n<div class=\"fila\">\n<div>"
            + HTML.input("desde", label: "Desde", value: desde, errors: HTML.Errors(), type: "month",
                         help: "Año y mes, AAAA-MM.", autocomplete: "off")
            + "</div>\n<div>" + HTML.input("hasta", label: "Hasta", value: hasta, errors: HTML.Errors(), type: "month",
                                          help: "Año y mes, AAAA-MM.", autocomplete: "off")
            + "</div>\n</div>\n<button type=\"submit\" class=\"secundario\">Ver período</button>\n</form>\n"
    }
}
