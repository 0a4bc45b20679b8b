/// One month of the published transparency series: *Volumen de Quejas* and *Volumen de Atenciones*.
public struct MonthlyVolume: Sendable, Hashable, Codable {
    public let month: YearMonth
    public let quejas: Int
    public let atenciones: Int

    public init(month: YearMonth, quejas: Int, atenciones: Int) {
        self.month = month
        self.quejas = quejas
        self.atenciones = atenciones
    }
}

/// A line of a table in the published layout that could not be read, and why (Spanish, for the person
/// importing it).
public struct TransparencyTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "línea \(line): \(reason)" }
}

/// The layout of the *Transparencia* table published on the procedure's page (gob.ec):
///
/// ```
/// Año<TAB>Mes<TAB>Volumen de Quejas<TAB>Volumen de Atenciones
/// 2025<TAB>12<TAB>0<TAB>1400
/// …
/// <blank line>
/// Año<TAB>Mes<TAB>Volumen de Quejas<TAB>Volumen de Atenciones
/// 2024<TAB>04<TAB>0<TAB>14103
/// ```
///
/// Newest month first, the month in two digits, rows grouped in pages of 24 calendar months, each page preceded
/// by the header and separated from the next by a blank line. Pages are windows anchored on a month (May of an
/// even year in the published table: 2024-05 … 2026-04, 2022-05 … 2024-04, …), so the newest and oldest pages
/// may hold fewer rows. Pure: text in, text out.
public enum TransparencyTable {
    public static let header = "Año\tMes\tVolumen de Quejas\tVolumen de Atenciones"
    /// The anchor that reproduces the published pages.
    public static let publishedAnchor = YearMonth(year: 2024, month: 5)!

    /// The table text for `rows` (any order; one per month), pages anchored on `anchor`. Ends with a newline.
    public static func render(_ rows: [MonthlyVolume], anchor: YearMonth = publishedAnchor) -> String {
        let newestFirst = rows.sorted { $0.month > $1.month }
        var pages: [[MonthlyVolume]] = []
        var currentPage: Int?
        for row in newestFirst {
            let page = pageNumber(of: row.month, anchor: anchor)
            if page != currentPage {
                pages.append([])
                currentPage = page
            }
            pages[pages.count - 1].append(row)
        }
        return pages.map { page in
            ([header] + page.map { "\($0.month.year)\t\($0.month.twoDigitMonth)\t\($0.quejas)\t\($0.atenciones)" })
                .joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    /// The 24-month window `month` falls in, counted from `anchor` (negative before it).
    public static func pageNumber(of month: YearMonth, anchor: YearMonth) -> Int {
        let offset = month.index - anchor.index
        return offset >= 0 ? offset / 24 : -((-offset + 23) / 24)
    }

    /// Reads a table in this layout. Every problem names its line: a wrong header, a row with other than four
    /// cells, a non-numeric or negative cell, a month outside 01–12, a month twice, a month after `latest` (the
    /// current month: figures for the future cannot exist). Blank lines separate pages; a header must open the
    /// table and every page. Nothing is returned unless the whole text is good.
    public static func parse(_ text: String, latest: YearMonth) throws(TransparencyTableError) -> [MonthlyVolume] {
        var rows: [MonthlyVolume] = []
        var seen: [YearMonth: Int] = [:]
        var expectHeader = true
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                expectHeader = true
                continue
            }
            if expectHeader {
                guard line == header else {
                    throw TransparencyTableError(
                        line: number, reason: "se esperaba la cabecera «Año, Mes, Volumen de Quejas, Volumen de "
                            + "Atenciones» separada por tabuladores, y se encontró «\(line.prefix(60))»")
                }
                expectHeader = false
                continue
            }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 4 else {
                throw TransparencyTableError(line: number,
                                             reason: "se esperaban 4 columnas separadas por tabuladores, hay \(cells.count)")
            }
            let names = ["Año", "Mes", "Volumen de Quejas", "Volumen de Atenciones"]
            var values: [Int] = []
            for (cell, name) in zip(cells, names) {
                guard !cell.isEmpty, cell.utf8.allSatisfy({ (48 ... 57).contains($0) }), cell.count <= 9, let value = Int(cell)
                else {
                    throw TransparencyTableError(line: number, reason: "«\(name)» no es un número entero: «\(cell)»")
                }
                values.append(value)
            }
            guard (1 ... 12).contains(values[1]), cells[1].count == 2 else {
                throw TransparencyTableError(line: number, reason: "el mes «\(cells[1])» no existe (01 a 12)")
            }
            guard let month = YearMonth(year: values[0], month: values[1]) else {
                throw TransparencyTableError(line: number, reason: "el año «\(cells[0])» no es válido")
            }
            guard month <= latest else {
                throw TransparencyTableError(line: number, reason: "el mes \(month) es posterior al mes en curso (\(latest))")
            }
            if let first = seen[month] {
                throw TransparencyTableError(line: number, reason: "el mes \(month) ya aparece en la línea \(first)")
            }
            seen[month] = number
            rows.append(MonthlyVolume(month: month, quejas: values[2], atenciones: values[3]))
        }
        return rows
    }
}
