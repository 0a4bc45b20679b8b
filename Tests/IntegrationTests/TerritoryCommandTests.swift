import Foundation
import Testing

@Suite struct TerritoryCommandTests {
    @Test func locatesQuitoFromTheImportedTerritory() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        #expect(try Boton.run(["db", "migrate", "--database", db]).status == 0)
        let imported = try Boton.run(["territory", "import", Boton.territoryFile, "--database", db])
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("subcircuitos=1483 upcs=1186"))
        let r = try Boton.run(["territory", "locate", "--lat", "-0.2202", "--lon", "-78.5123", "--database", db])
        #expect(r.status == 0)
        #expect(r.stdout.contains("subcircuito: 17D"))
        #expect(r.stdout.contains("subzona:     17 PICHINCHA"))
        #expect(r.stdout.contains("zona:        ZONA 9"))
        #expect(r.stdout.contains("upc:         UPC-17D"))
    }

    @Test func outsideEveryPolygonGoesToTheNearestUPCOrTheCentral() throws {
        // Pacific Ocean, far from the coast and from Galápagos.
        let far = try Boton.run(["territory", "locate", "--territory", Boton.territoryFile,
                                 "--lat", "-3.0", "--lon", "-85.0"])
        #expect(far.status == 0)
        #expect(far.stdout.contains("CENTRAL-ECU911"))
        // The same point with a radius large enough to reach the coast.
        let near = try Boton.run(["territory", "locate", "--territory", Boton.territoryFile,
                                  "--set", "territory.fallback_radius_m=900000", "--lat", "-3.0", "--lon", "-85.0"])
        #expect(near.stdout.contains("la más cercana"))
    }

    @Test func csvRowsComeBackWithTheirSubcircuit() throws {
        let dir = TemporaryDirectory()
        let input = dir.write("in.csv", "lon,lat\n-78.5123,-0.2202\n-85.0,-3.0\n-79.8862,-2.1894\n")
        let output = dir.file("out.csv")
        let r = try Boton.run(["territory", "locate", "--territory", Boton.territoryFile, "--csv", input,
                               "--out", output, "--stats"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("locate points=3 "))
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows[0] == "lon,lat,subcircuit")
        #expect(rows[1].hasPrefix("-78.512300,-0.220200,17D"))
        #expect(rows[2] == "-85.000000,-3.000000,")
        #expect(rows[3].hasPrefix("-79.886200,-2.189400,09D"))  // Guayaquil
    }

    @Test func aMalformedCSVRowNamesItsLine() throws {
        let dir = TemporaryDirectory()
        let input = dir.write("in.csv", "lon,lat\n-78.5,-0.2\nnot,numbers\n")
        let r = try Boton.run(["territory", "locate", "--territory", Boton.territoryFile, "--csv", input])
        #expect(r.status == 1)
        #expect(r.stderr.contains("in.csv:3: expected 'lon,lat' numbers"))
    }

    @Test func checkAcceptsTheBundledTerritory() throws {
        let r = try Boton.run(["territory", "check", Boton.territoryFile])
        #expect(r.status == 0)
        #expect(r.stdout.contains("zonas=9 subzonas=24 distritos=140 circuitos=974 subcircuitos=1483 upcs=1186"))
    }

    @Test func aMalformedImportNamesTheFeatureAndLeavesTheDatabaseAsItWas() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("boton.sqlite")
        #expect(try Boton.run(["db", "migrate", "--database", db]).status == 0)
        #expect(try Boton.run(["territory", "import", Boton.territoryFile, "--database", db]).status == 0)
        let before = try Boton.run(["territory", "locate", "--database", db, "--lat", "-2.9", "--lon", "-79.0"])

        // The bundled file with one subcircuito code broken, deep inside the file.
        var text = try String(contentsOfFile: Boton.territoryFile, encoding: .utf8)
        let range = text.range(of: "\"code\":\"09D01C01S01\"")!
        text.replaceSubrange(range, with: "\"code\":\"09X01C01S01\"")
        let broken = dir.write("broken.geojson", text)
        let check = try Boton.run(["territory", "check", broken])
        #expect(check.status == 1)
        #expect(check.stderr.contains("features["))
        #expect(check.stderr.contains(".properties.code"))
        let imported = try Boton.run(["territory", "import", broken, "--database", db])
        #expect(imported.status == 1)
        #expect(try Boton.run(["db", "status", "--database", db]).stdout
            .contains("subcircuitos=1483 upcs=1186"))
        let after = try Boton.run(["territory", "locate", "--database", db, "--lat", "-2.9", "--lon", "-79.0"])
        #expect(after.stdout == before.stdout)
    }
}
