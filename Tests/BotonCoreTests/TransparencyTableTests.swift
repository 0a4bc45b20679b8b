import BotonCore
import Foundation
import Testing

@Suite("Transparency table (published layout)")
struct TransparencyTableTests {
    /// The table as published on the procedure's page (the fixture ends with it).
    static let published: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/procedimiento-boton-seguridad.txt")
        let text = try! String(contentsOf: url, encoding: .utf8)
        return String(text[text.range(of: TransparencyTable.header)!.lowerBound...])
    }()

    static let december2025 = YearMonth(year: 2025, month: 12)!

    @Test func thePublishedTableRoundTripsExactly() throws {
        let rows = try TransparencyTable.parse(Self.published, latest: Self.december2025)
        #expect(rows.count == 84)  // 2019-01 … 2025-12
        #expect(rows.first == MonthlyVolume(month: Self.december2025, quejas: 0, atenciones: 1400))
        #expect(Set(rows.map(\.month)) == Set(YearMonth.range(YearMonth("2019-01")!, Self.december2025)))
        let rendered = TransparencyTable.render(rows.shuffled())
        #expect(rendered == Self.published + "\n")
    }

    @Test func pagesAreWindowsOf24MonthsFromMayOfAnEvenYear() {
        let anchor = TransparencyTable.publishedAnchor
        #expect(TransparencyTable.pageNumber(of: YearMonth("2024-05")!, anchor: anchor) == 0)
        #expect(TransparencyTable.pageNumber(of: YearMonth("2026-04")!, anchor: anchor) == 0)
        #expect(TransparencyTable.pageNumber(of: YearMonth("2026-05")!, anchor: anchor) == 1)
        #expect(TransparencyTable.pageNumber(of: YearMonth("2024-04")!, anchor: anchor) == -1)
        #expect(TransparencyTable.pageNumber(of: YearMonth("2022-05")!, anchor: anchor) == -1)
        #expect(TransparencyTable.pageNumber(of: YearMonth("2022-04")!, anchor: anchor) == -2)
        // Another anchor moves every page boundary.
        let rows = YearMonth.range(YearMonth("2025-01")!, YearMonth("2025-03")!).map {
            MonthlyVolume(month: $0, quejas: 1, atenciones: 2)
        }
        let text = TransparencyTable.render(rows, anchor: YearMonth("2025-02")!)
        #expect(text == "\(TransparencyTable.header)\n2025\t03\t1\t2\n2025\t02\t1\t2\n\n"
                + "\(TransparencyTable.header)\n2025\t01\t1\t2\n")
    }

    @Test(arguments: [
        ("Año\tMes\tQuejas\tAtenciones\n2025\t01\t0\t1\n", 1, "cabecera"),
        ("\(TransparencyTable.header)\n2025\t01\tcero\t1\n", 2, "«Volumen de Quejas» no es un número entero"),
        ("\(TransparencyTable.header)\n2025\t13\t0\t1\n", 2, "el mes «13» no existe"),
        ("\(TransparencyTable.header)\n2025\t02\t0\t1\n2025\t02\t0\t5\n", 3, "ya aparece en la línea 2"),
        ("\(TransparencyTable.header)\n2026\t01\t0\t1\n", 2, "posterior al mes en curso"),
        ("\(TransparencyTable.header)\n2025\t01\t0\n", 2, "4 columnas"),
        ("\(TransparencyTable.header)\n2025\t01\t-1\t1\n", 2, "no es un número entero"),
        ("\(TransparencyTable.header)\n2025\t01\t0\t1\n\n2024\t12\t0\t1\n", 4, "cabecera"),
    ])
    func badTablesNameTheLineAndTheReason(text: String, line: Int, reason: String) {
        #expect {
            _ = try TransparencyTable.parse(text, latest: Self.december2025)
        } throws: { error in
            guard let error = error as? TransparencyTableError else { return false }
            return error.line == line && error.reason.contains(reason)
        }
    }

    @Test func monthsParseOnlyInTheirFixedForm() {
        #expect(YearMonth("2025-07")?.description == "2025-07")
        #expect(YearMonth("2025-7") == nil)
        #expect(YearMonth("2025-13") == nil)
        #expect(YearMonth("25-07") == nil)
        #expect(YearMonth("2025-07-01") == nil)
        #expect(YearMonth("2025-00") == nil)
        #expect(YearMonth(index: YearMonth("2024-12")!.index + 1) == YearMonth("2025-01"))
    }
}
