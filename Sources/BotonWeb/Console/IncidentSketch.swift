import BotonGeo
import Foundation
import BotonWebKit

/// An SVG sketch of an alert's place, drawn by the server so that a UPC without internet (no map tiles) still sees
/// it: the subcircuito's outline, the registered home address, and every position received (numbered, the last
/// one larger). Longitudes are scaled by the cosine of the latitude, so shapes keep their proportions.
enum IncidentSketch {
    struct Mark {
        let point: GeoPoint
        let label: String
    }

    static func svg(area: SubcircuitArea?, positions: [GeoPoint], home: GeoPoint?, width: Double = 480,
                    height: Double = 360) -> String
    {
        var points = positions + (home.map { [$0] } ?? [])
        if let area { for polygon in area.geometry.polygons { points += polygon.exterior } }
        let title = area.map { "Subcircuito \($0.code.rawValue) \($0.name)" } ?? "Ubicaciones de la alerta"
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" \
        height="\(Int(height))" role="img" aria-labelledby="t">
        <title id="t">\(HTML.escape(title))</title>
        <rect width="100%" height="100%" fill="#f4f6f8"/>

        """
        guard let first = points.first else {
            return svg + "<text x=\"20\" y=\"40\" font-family=\"sans-serif\" font-size=\"16\">Sin ubicación</text></svg>\n"
        }
        var minLat = first.latitude, maxLat = first.latitude, minLon = first.longitude, maxLon = first.longitude
        for p in points {
            minLat = min(minLat, p.latitude); maxLat = max(maxLat, p.latitude)
            minLon = min(minLon, p.longitude); maxLon = max(maxLon, p.longitude)
        }
        let k = cos((minLat + maxLat) / 2 * .pi / 180)
        let spanX = max((maxLon - minLon) * k, 0.002), spanY = max(maxLat - minLat, 0.002)
        let margin = 24.0
        let scale = min((width - 2 * margin) / spanX, (height - 2 * margin - 20) / spanY)
        let offsetX = (width - spanX * scale) / 2, offsetY = (height - 20 - spanY * scale) / 2
        func xy(_ p: GeoPoint) -> (Double, Double) {
            let cx = (minLon + maxLon) / 2, cy = (minLat + maxLat) / 2
            let x = offsetX + ((p.longitude - cx) * k + spanX / 2) * scale
            let y = offsetY + (spanY / 2 - (p.latitude - cy)) * scale
            return (x, y)
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        if let area {
            var d = ""
            for polygon in area.geometry.polygons {
                for ring in [polygon.exterior] + polygon.holes where !ring.isEmpty {
                    d += ring.enumerated().map { i, p in
                        let (x, y) = xy(p)
                        return (i == 0 ? "M" : "L") + f(x) + " " + f(y)
                    }.joined(separator: " ") + " Z "
                }
            }
            svg += "<path d=\"\(d)\" fill=\"#dbe7f3\" stroke=\"#1d4f91\" stroke-width=\"2\" fill-rule=\"evenodd\"/>\n"
        }
        if let home {
            let (x, y) = xy(home)
            svg += "<rect x=\"\(f(x - 7))\" y=\"\(f(y - 7))\" width=\"14\" height=\"14\" fill=\"#2e7d32\">"
                + "<title>Domicilio registrado</title></rect>\n"
        }
        for (i, p) in positions.enumerated() {
            let (x, y) = xy(p)
            let last = i == positions.count - 1
            svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(last ? 9 : 6)\" fill=\"#c62828\" stroke=\"#fff\" "
                + "stroke-width=\"2\"><title>Posición \(i + 1)</title></circle>\n"
            svg += "<text x=\"\(f(x + 11))\" y=\"\(f(y + 4))\" font-family=\"sans-serif\" font-size=\"12\">\(i + 1)</text>\n"
        }
        svg += "<text x=\"8\" y=\"\(Int(height) - 6)\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#333\">"
            + "\(HTML.escape(title)) · ● posición · ■ domicilio</text>\n</svg>\n"
        return svg
    }
}
