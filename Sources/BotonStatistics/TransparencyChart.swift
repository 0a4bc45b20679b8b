public import BotonCore
import BotonHTTP

/// The public chart of the two published series: *Volumen de Atenciones* above, *Volumen de Quejas* below, each
/// with its own scale (the complaints are a few a month beside thousands of atenciones, so one scale would flatten
/// them), months along a shared axis with the years marked, Spanish labels, and a `<title>`/`<desc>` that screen
/// readers announce. Presentation attributes only (no `style`), so it renders under the site's
/// Content-Security-Policy. Months without figures break the line. Pure: volumes in, SVG text out.
public enum TransparencyChart {
    /// The chart's geometry: ``wide`` for a desk screen (960×540), ``narrow`` for a phone (420×600, drawn near
    /// its own size, so that its 14-unit labels stay about 12 px tall on a 390 px screen instead of 5).
    public struct Layout: Sendable {
        let width: Double, height: Double, left: Double, right: Double
        let topPanel: (y: Double, height: Double), bottomPanel: (y: Double, height: Double)
        let title: String, titleSize: Int, yearSize: Int

        public static let wide = Layout(width: 960, height: 540, left: 78, right: 24, topPanel: (92, 250),
                                        bottomPanel: (402, 90), title: "Botón de Seguridad: atenciones y quejas por mes",
                                        titleSize: 22, yearSize: 15)
        public static let narrow = Layout(width: 420, height: 600, left: 60, right: 12, topPanel: (112, 270),
                                          bottomPanel: (452, 100), title: "Atenciones y quejas por mes",
                                          titleSize: 20, yearSize: 14)
    }

    public static func svg(_ volumes: [MonthlyVolume], layout: Layout = .wide) -> String {
        let width = layout.width, height = layout.height, left = layout.left, right = layout.right
        let topPanel = layout.topPanel, bottomPanel = layout.bottomPanel
        let sorted = volumes.sorted { $0.month < $1.month }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" \
        height="\(Int(height))" role="img" aria-labelledby="grafico-titulo grafico-desc" \
        font-family="Liberation Sans, Arial, Helvetica, sans-serif">
        <title id="grafico-titulo">Botón de Seguridad: volumen de atenciones y de quejas por mes</title>
        <desc id="grafico-desc">\(HTMLEscaping.escapeText(description(sorted)))</desc>
        <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="#ffffff"/>
        <text x="\(Int(left))" y="30" font-size="\(layout.titleSize)" font-weight="bold" fill="#1a1a1a">\(layout.title)</text>

        """
        guard let first = sorted.first?.month, let last = sorted.last?.month else {
            return out + "<text x=\"\(Int(left))\" y=\"80\" font-size=\"16\" fill=\"#1a1a1a\">Sin cifras para el período.</text>\n</svg>\n"
        }
        let period = "\(HTMLEscaping.escapeText(capitalized(first.spanishText))) a \(HTMLEscaping.escapeText(last.spanishText))"
        out += layout.width < 600
            ? "<text x=\"\(Int(left))\" y=\"56\" font-size=\"15\" fill=\"#444444\">\(period)</text>\n"
                + "<text x=\"\(Int(left))\" y=\"76\" font-size=\"15\" fill=\"#444444\">Policía Nacional del Ecuador</text>\n"
            : "<text x=\"\(Int(left))\" y=\"56\" font-size=\"16\" fill=\"#444444\">\(period) · Policía Nacional del Ecuador</text>\n"
        let months = YearMonth.range(first, last)
        let step = (width - left - right) / Double(months.count)
        func x(_ month: YearMonth) -> Double { left + (Double(month.index - first.index) + 0.5) * step }
        let byMonth = Dictionary(sorted.map { ($0.month, $0) }, uniquingKeysWith: { a, _ in a })

        // Years: a vertical rule at each January across both panels, the year under the bottom axis.
        let years = Array(Set(months.map(\.year))).sorted()
        // A year label needs about 40 units: on the narrow layout, every second or third year when there are many.
        let perYear = (width - left - right) / Double(max(years.count, 1))
        let every = perYear >= 40 ? (years.count > 14 ? 2 : 1) : Int((40 / perYear).rounded(.up))
        for (i, year) in years.enumerated() {
            let start = max(first, YearMonth(year: year, month: 1)!)
            let rx = left + Double(start.index - first.index) * step
            if start.month == 1 && start != first {
                out += "<line x1=\"\(f(rx))\" y1=\"\(f(topPanel.y))\" x2=\"\(f(rx))\" "
                    + "y2=\"\(f(bottomPanel.y + bottomPanel.height))\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>\n"
            }
            if i % every == 0 {
                out += "<text x=\"\(f(rx + 3))\" y=\"\(f(bottomPanel.y + bottomPanel.height + 20))\" font-size=\"\(layout.yearSize)\" "
                    + "fill=\"#333333\">\(year)</text>\n"
            }
        }
        out += panel(title: "Volumen de Atenciones", values: months.map { byMonth[$0]?.atenciones }, x: months.map(x),
                     y: topPanel.y, height: topPanel.height, color: "#0b5cad", months: months, layout: layout)
        out += panel(title: "Volumen de Quejas", values: months.map { byMonth[$0]?.quejas }, x: months.map(x),
                     y: bottomPanel.y, height: bottomPanel.height, color: "#b3261e", months: months, layout: layout)
        out += "<text x=\"\(Int(width - right))\" y=\"\(Int(height - 8))\" font-size=\"14\" fill=\"#555555\" "
            + "text-anchor=\"end\">Mes (hora de Ecuador continental)</text>\n"
        return out + "</svg>\n"
    }

    /// One series in its band: a title, a grid with a readable scale, the line, and dots where months are few.
    static func panel(title: String, values: [Int?], x: [Double], y: Double, height: Double, color: String,
                      months: [YearMonth], layout: Layout) -> String {
        let left = layout.left, width = layout.width, right = layout.right
        let maximum = values.compactMap { $0 }.max() ?? 0
        let (tick, top) = scale(maximum, lines: height > 150 ? 5 : 2)
        func py(_ v: Int) -> Double { y + height - Double(v) / Double(top) * height }
        var out = "<text x=\"\(Int(left))\" y=\"\(f(y - 12))\" font-size=\"17\" font-weight=\"bold\" fill=\"\(color)\">"
            + "\(title)</text>\n"
        var v = 0
        while v <= top {
            out += "<line x1=\"\(Int(left))\" y1=\"\(f(py(v)))\" x2=\"\(Int(width - right))\" y2=\"\(f(py(v)))\" "
                + "stroke=\"\(v == 0 ? "#666666" : "#e2e2e2")\" stroke-width=\"1\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(py(v) + 5))\" font-size=\"14\" fill=\"#333333\" "
                + "text-anchor=\"end\">\(grouped(v))</text>\n"
            v += tick
        }
        var path = ""
        var pen = false
        for (i, value) in values.enumerated() {
            guard let value else { pen = false; continue }
            path += "\(pen ? "L" : "M")\(f(x[i])) \(f(py(value))) "
            pen = true
        }
        if !path.isEmpty {
            out += "<path d=\"\(path.trimmingCharacters(in: .whitespaces))\" fill=\"none\" stroke=\"\(color)\" "
                + "stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
        }
        if values.count <= 36 || values.compactMap({ $0 }).count == 1 {
            for (i, value) in values.enumerated() {
                guard let value else { continue }
                out += "<circle cx=\"\(f(x[i]))\" cy=\"\(f(py(value)))\" r=\"3\" fill=\"\(color)\">"
                    + "<title>\(months[i].spanishText): \(grouped(value))</title></circle>\n"
            }
        }
        return out
    }

    /// A tick (1, 2 or 5 times a power of ten) and the axis top, so that about `lines` grid lines cover `maximum`.
    static func scale(_ maximum: Int, lines: Int) -> (tick: Int, top: Int) {
        guard maximum > 0 else { return (1, 1) }
        let raw = Double(maximum) / Double(lines)
        var power = 1
        while Double(power) * 10 <= raw { power *= 10 }
        let tick = [1, 2, 5, 10].map { $0 * power }.first { Double($0) >= raw } ?? power * 10
        return (tick, ((maximum + tick - 1) / tick) * tick)
    }

    /// `24 157`: thousands grouped by a no-break space (unambiguous whatever the reader's decimal mark, and never
    /// split across lines). The page's table writes its numbers with it too.
    public static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var out = ""
        while digits.count > 3 {
            out = "\u{00A0}" + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }

    static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// The text alternative: range, and the highest and lowest month of each series.
    public static func description(_ volumes: [MonthlyVolume]) -> String {
        guard let first = volumes.first, let last = volumes.last else { return "Sin cifras para el período." }
        func extremes(_ value: (MonthlyVolume) -> Int, _ name: String) -> String {
            let high = volumes.max { value($0) < value($1) }!, low = volumes.min { value($0) < value($1) }!
            return "\(name): máximo \(grouped(value(high))) en \(high.month.spanishText), mínimo \(grouped(value(low))) "
                + "en \(low.month.spanishText)"
        }
        return "Serie mensual de \(first.month.spanishText) a \(last.month.spanishText), \(volumes.count) meses. "
            + extremes(\.atenciones, "Atenciones") + ". " + extremes(\.quejas, "Quejas") + "."
    }
}

import Foundation
