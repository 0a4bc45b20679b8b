import BotonCore
import BotonStore
import BotonStoreFixtures
import Foundation
import Testing
import BotonRuntime

/// `boton stats …` against real SQLite files: the seed's round trip, bad imports and ranges, the monthly close and a
/// revision with who and why.
@Suite struct StatisticsCommandTests {
    /// The published table of the procedure sheet, as a file of its own.
    static let seedTable: String = {
        let text = try! String(contentsOfFile: Boton.root + "/Tests/Fixtures/procedimiento-boton-seguridad.txt",
                               encoding: .utf8)
        return String(text[text.range(of: TransparencyTable.header)!.lowerBound...])
    }()

    static var current: YearMonth { YearMonth(ecuador: SystemClock.now()) }

    @Test func importingTheSeedTableAndExportingGobecReproducesIt() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        try Boton.run(["db", "migrate", "--database", db])
        let seed = dir.write("tabla.txt", Self.seedTable)
        let imported = try Boton.run(["stats", "import", seed, "--database", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Importados 84 meses (2019-01 a 2025-12)"))
        let out = dir.file("export.txt")
        let export = try Boton.run(["stats", "export", "--from", "2019-01", "--to", "2025-12", "--format", "gobec",
                                    "--out", out, "--database", db])
        #expect(export.status == 0, "\(export.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == Self.seedTable + "\n")
        // The rows, one by one, and the default range is the same table.
        #expect(written.split(separator: "\n") == Self.seedTable.split(separator: "\n"))
        #expect(try Boton.run(["stats", "export", "--database", db]).stdout == written)
        // The table fixture the README imports is that same table.
        #expect(FileManager.default.contents(atPath: Boton.root + "/Tests/Fixtures/volumen-quejas-atenciones.txt")
            == Data(written.utf8))
        // CSV and JSON carry the same figures.
        let csv = try Boton.run(["stats", "export", "--format", "csv", "--database", db]).stdout
        #expect(csv.contains("2020,04,nacional,,,0,11714,publicado,\r\n"))
        #expect(csv.split(separator: "\r\n").count == 85)
        let json = try Boton.run(["stats", "export", "--format", "json", "--from", "2020-04", "--to", "2020-04",
                                  "--database", db]).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let figures = try #require(object["cifras"] as? [[String: Any]])
        #expect(figures.count == 1 && figures[0]["volumen_atenciones"] as? Int == 11714)
        let svg = try Boton.run(["stats", "export", "--format", "svg", "--database", db]).stdout
        #expect(svg.contains("Volumen de Atenciones") && svg.hasSuffix("</svg>\n"))
    }

    @Test(arguments: [
        ("Año\tMes\tQuejas\tAtenciones\n2025\t01\t0\t1\n", "línea 1", "cabecera"),
        ("\(TransparencyTable.header)\n2025\t01\t0\t1\n2025\t02\tdos\t1\n", "línea 3", "no es un número entero"),
        ("\(TransparencyTable.header)\n2025\t02\t0\t1\n2025\t02\t0\t5\n", "línea 3", "ya aparece en la línea 2"),
        ("\(TransparencyTable.header)\n2099\t01\t0\t1\n", "línea 2", "posterior al mes en curso"),
        ("\(TransparencyTable.header)\n2025\t13\t0\t1\n", "línea 2", "el mes «13» no existe"),
    ])
    func aBadImportNamesTheLineAndImportsNothing(table: String, line: String, reason: String) throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        try Boton.run(["db", "migrate", "--database", db])
        let file = dir.write("tabla.txt", table)
        let result = try Boton.run(["stats", "import", file, "--database", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file): \(line): ") && result.stderr.contains(reason), "\(result.stderr)")
        #expect(result.stderr.contains("No se importó nada."))
        let export = try Boton.run(["stats", "export", "--format", "csv", "--from", "2025-01", "--to", "2025-02",
                                    "--database", db])
        #expect(export.stdout.split(separator: "\r\n").count == 1)  // the header only
    }

    @Test(arguments: [
        (["--from", "2025-12", "--to", "2025-01"], "El rango está invertido: --from 2025-12 es posterior a --to 2025-01"),
        (["--from", "2025-13"], "--from «2025-13» no es un mes válido"),
        (["--to", "25-01"], "--to «25-01» no es un mes válido"),
        (["--from", "2025-01", "--to", "2999-01"], "no hay cifras del futuro"),
        (["--format", "gobec", "--by", "upc"], "use csv o json"),
    ])
    func aBadRangeIsAClearMessage(arguments: [String], message: String) throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        try Boton.run(["db", "migrate", "--database", db])
        let result = try Boton.run(["stats", "export", "--database", db] + arguments)
        #expect(result.status == 1 && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aClosedMonthIsFrozenAndACorrectionIsARevisionWithWhoAndWhy() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let previous = Self.current.adding(months: -1)
        let store = try TestDatabases.database(db).openStore()
        func alert(_ minutes: Int64) -> IncidentFixture {
            IncidentFixture(outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
                            openedAt: previous.ecuadorStart.adding(seconds: minutes * 60),
                            closedAt: previous.ecuadorStart.adding(seconds: minutes * 60 + 600))
        }
        try store.insertIncidentFixtures([alert(1), alert(2), alert(3)])
        let month = previous.description
        let refused = try Boton.run(["stats", "close", "--month", Self.current.description, "--database", db])
        #expect(refused.status == 1 && refused.stderr.contains("no ha terminado"), "\(refused.stderr)")
        let closed = try Boton.run(["stats", "close", "--month", month, "--database", db])
        #expect(closed.status == 0 && closed.stdout.contains("Cerrado \(month): 0 quejas, 3 atenciones"), "\(closed.stderr)")
        let twice = try Boton.run(["stats", "close", "--month", month, "--database", db])
        #expect(twice.status == 1 && twice.stderr.contains("ya está cerrado"))
        // A late change: the export keeps serving the frozen figure.
        try store.insertIncidentFixtures([alert(4)])
        func exported() throws -> String {
            try Boton.run(["stats", "export", "--format", "csv", "--from", month, "--to", month, "--database", db]).stdout
        }
        #expect(try exported().contains(",nacional,,,0,3,sistema,0\r\n"))
        // Revising needs an administrator and a reason; it is then published with both.
        try Boton.run(["operator", "add", "--database", db, "--usuario", "admin", "--nombre", "Crnl. Salazar",
                       "--rol", "administrador", "--password-stdin"], stdin: officerPassword + "\n")
        let noAdmin = try Boton.run(["stats", "revise", "--month", month, "--motivo", "Alerta reclasificada",
                                     "--por", "nadie", "--database", db])
        #expect(noAdmin.status == 1 && noAdmin.stderr.contains("No existe una cuenta activa «nadie»"))
        let revised = try Boton.run(["stats", "revise", "--month", month, "--motivo", "Alerta reclasificada como atendida",
                                     "--por", "admin", "--database", db])
        #expect(revised.status == 0, "\(revised.stderr)")
        #expect(revised.stdout.contains("Revisión 1 de \(month): quejas 0 → 0, atenciones 3 → 4"))
        #expect(try exported().contains(",nacional,,,0,4,sistema,1\r\n"))
        let revisions = try Boton.run(["stats", "revisions", "--month", month, "--database", db]).stdout
        let lines = revisions.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("revisión 0") && lines[0].contains("sistema") && lines[0].contains("cierre mensual"))
        #expect(lines[1].contains("revisión 1") && lines[1].contains("\tCrnl. Salazar (operador:1)\t")
                && lines[1].contains("atenciones=4")
                && lines[1].contains("Alerta reclasificada como atendida"))
        let json = try Boton.run(["stats", "export", "--format", "json", "--from", month, "--to", month, "--database", db])
        #expect(json.stdout.contains("\"motivo\":\"Alerta reclasificada como atendida\""))
        let again = try Boton.run(["stats", "revise", "--month", month, "--motivo", "Sin cambios en realidad",
                                   "--por", "admin", "--database", db])
        #expect(again.status == 1 && again.stderr.contains("no cambiaron"))
    }

    /// Issue 15, bug 6: the README's `stats export --format csv` on a new system was empty (the default range
    /// stopped at the last closed month); it covers the months with figures and says which range it wrote.
    @Test func theDefaultExportCoversTheSystemsOwnMonthsAndSaysTheRange() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let store = try TestDatabases.database(db).openStore()
        let now = SystemClock.now()
        // One alert attended this month: the system's only figures.
        try store.insertIncidentFixtures([IncidentFixture(
            outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
            openedAt: max(Self.current.ecuadorStart, now.adding(seconds: -600)), closedAt: now)])
        let month = Self.current.description
        let csv = try Boton.run(["stats", "export", "--format", "csv", "--database", db])
        #expect(csv.status == 0, "\(csv.stderr)")
        let row = "\(Self.current.year),\(Self.current.twoDigitMonth),nacional,,,0,1,provisional,"
        #expect(csv.stdout.contains(row), "\(csv.stdout)")
        #expect(csv.stderr.contains("Exportado 1 mes con cifras, de \(month) a \(month) (\(month) en curso: "
                                    + "cifras provisionales), en formato csv."), "\(csv.stderr)")
        // Written to a file, the same range is named with it.
        let out = dir.file("cifras.csv")
        let written = try Boton.run(["stats", "export", "--format", "csv", "--out", out, "--database", db])
        #expect(written.stderr.contains("de \(month) a \(month)") && written.stderr.contains("a \(out)."))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == csv.stdout)
        // The whole series with the published table: the months it holds, counted in the plural.
        try Boton.run(["stats", "import", dir.write("tabla.txt", Self.seedTable), "--database", db])
        let all = try Boton.run(["stats", "export", "--format", "csv", "--database", db])
        #expect(all.stdout.contains("2019,01,nacional,") && all.stdout.contains(row))
        #expect(all.stderr.contains("Exportados 85 meses con cifras, de 2019-01 a \(month)"), "\(all.stderr)")
    }

    @Test func breakdownsUseTheTerritoryAndSuppressSmallFiguresInPublic() throws {
        let dir = TemporaryDirectory()
        let db = try preparedDatabase(in: dir)
        let previous = Self.current.adding(months: -1)
        let store = try TestDatabases.database(db).openStore()
        try store.insertIncidentFixtures((0..<3).map { i in
            IncidentFixture(outcome: .atendida, upcCode: Applicant.quitoUPC, subcircuitCode: "17D04C01S01",
                            openedAt: previous.ecuadorStart.adding(seconds: 60),
                            closedAt: previous.ecuadorStart.adding(seconds: Int64(120 + i)))
        })
        let month = previous.description
        let zona = try Boton.run(["stats", "export", "--format", "csv", "--by", "zona", "--from", month, "--to", month,
                                  "--database", db])
        #expect(zona.stdout.contains(",zona,ZONA 9,ZONA 9,0,3,provisional,\r\n"), "\(zona.stdout)")
        let upc = try Boton.run(["stats", "export", "--format", "csv", "--by", "upc", "--from", month, "--to", month,
                                 "--database", db])
        #expect(upc.stdout.contains(",upc,\(Applicant.quitoUPC),") && upc.stdout.contains(",<5,"), "\(upc.stdout)")
        let detailed = try Boton.run(["stats", "export", "--format", "csv", "--by", "upc", "--internal", "--from", month,
                                      "--to", month, "--database", db])
        #expect(!detailed.stdout.contains("<5") && detailed.stdout.contains("Mediana para tomar (s)"))
    }
}
