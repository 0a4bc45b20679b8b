import BotonCore
import BotonGeo
import Foundation
import Glibc
import BotonRepository
import BotonRuntime

/// `boton territory check|import|locate`.
let territoryCommand = Command(
    "territory", summary: "Check, import and query the police territory (subcircuitos and UPCs).",
    subcommands: [territoryCheck, territoryImport, territoryLocate])

private let territoryCheck = Command(
    "check", summary: "Validate a territory GeoJSON file without importing it.",
    details: "A malformed file is reported with the feature index, the field and the reason; exit status 1.",
    positionals: [("FILE", "GeoJSON FeatureCollection of subcircuito polygons and UPC points.")]) { args in
    let territory = try readTerritory(args.positionals[0])
    print("\(args.positionals[0]): valid — \(summary(territory))")
    return 0
}

private let territoryImport = Command(
    "import", summary: "Replace the stored territory with a GeoJSON file, in one transaction.",
    details: """
    Without FILE, imports the configured territory.file. Nothing is imported from a malformed file, and a failed \
    import leaves the database exactly as it was.
    """,
    positionals: [("[FILE]", "GeoJSON file (default: territory.file from the configuration).")],
    options: CommonOptions.store + [.init("--if-empty", help: "Import only when the database has no territory.")]) {
    args in
    let context = try CommandContext(args)
    let store = try context.openStore(migrate: false)
    try context.requireCurrentSchema(store)
    if args.flag("--if-empty"), !(try store.territoryCounts().isEmpty) {
        context.logger.info("territory_import_skipped", ["reason": "already_imported",
                                                         "counts": try store.territoryCounts().description])
        return 0
    }
    let file = args.positionals.first ?? context.configuration.territoryFile
    let territory = try readTerritory(file)
    try store.replaceTerritory(TerritorySnapshot(territory: territory))
    let counts = try store.territoryCounts()
    context.logger.info("territory_imported", ["file": file, "counts": counts.description])
    print("Imported \(file): \(counts)")
    return 0
}

private let territoryLocate = Command(
    "locate", summary: "Find the subcircuito and UPC of a point, or of every point of a CSV file.",
    details: """
    With --lat/--lon, prints subcircuito, circuito, distrito, subzona, zona and UPC, or the fallback (nearest UPC \
    within territory.fallback_radius_m, else the central). With --csv, reads 'lon,lat' rows (a header line is \
    allowed) and writes 'lon,lat,subcircuit' rows, the subcircuit empty when no polygon holds the point; --stats \
    prints the lookup rate on stderr. The territory comes from the database, or from --territory FILE.
    """,
    options: CommonOptions.store + [
        .init("--lat", value: "LAT", help: "Latitude in degrees (WGS 84), south negative."),
        .init("--lon", value: "LON", help: "Longitude in degrees (WGS 84), west negative."),
        .init("--csv", value: "FILE", help: "Locate every 'lon,lat' row of FILE."),
        .init("--out", value: "FILE", help: "With --csv: write the rows here instead of standard output."),
        .init("--stats", help: "With --csv: print 'locate points=N seconds=S rate=R' on stderr."),
        .init("--territory", value: "FILE", help: "Use this GeoJSON file instead of the database."),
    ]) { args in
    let context = try CommandContext(args)
    let territory: Territory
    if let file = args.value("--territory") {
        territory = try readTerritory(file)
    } else {
        let store = try context.openStore(migrate: false)
        try context.requireCurrentSchema(store)
        let snapshot = try store.loadTerritory()
        guard !snapshot.units.isEmpty else {
            throw CommandFailure("the database has no territory: run 'boton territory import' or pass --territory FILE")
        }
        territory = try Territory(snapshot: snapshot)
    }
    let table = RoutingTable(territory: territory, configuration: context.configuration.territory)
    if let csv = args.value("--csv") {
        return try locateCSV(table, input: csv, output: args.value("--out"), stats: args.flag("--stats"))
    }
    guard let lat = try args.double("--lat"), let lon = try args.double("--lon") else {
        throw UsageError(path: args.path, message: "give --lat and --lon, or --csv FILE")
    }
    let point = GeoPoint(latitude: lat, longitude: lon)
    guard point.isValid else {
        throw UsageError(path: args.path, message: "latitude must be within ±90 and longitude within ±180")
    }
    print(describe(table.route(point), table: table))
    return 0
}

private func readTerritory(_ file: String) throws -> Territory {
    do {
        return try TerritoryReader.read(path: file)
    } catch {
        throw CommandFailure("\(file): \(error.description)")
    }
}

private func summary(_ t: Territory) -> String {
    "zonas=\(t.zones.count) subzonas=\(t.subzones.count) distritos=\(t.districts.count) "
        + "circuitos=\(t.circuits.count) subcircuitos=\(t.subcircuits.count) upcs=\(t.upcs.count)"
}

private func describe(_ route: Route, table: RoutingTable) -> String {
    switch route.source {
    case .subcircuito:
        let s = route.subcircuit!
        let subzone = table.territory.subzones.first { $0.code == s.subzone }?.name ?? ""
        return """
        subcircuito: \(s.code) \(s.name)
        circuito:    \(s.circuit) \(s.circuitName)
        distrito:    \(s.district) \(s.districtName)
        subzona:     \(s.subzone) \(subzone)
        zona:        \(s.zone)
        upc:         \(route.upcCode) \(route.upcName)
        """
    case .upcCercana:
        let km = (route.distanceMeters ?? 0) / 1000
        return """
        subcircuito: (ninguno: el punto está fuera de todo subcircuito)
        upc:         \(route.upcCode) \(route.upcName) (la más cercana, a \(String(format: "%.1f", km)) km)
        """
    case .central:
        return """
        subcircuito: (ninguno: el punto está fuera de todo subcircuito y lejos de toda UPC)
        upc:         \(route.upcCode) \(route.upcName) (central de respaldo)
        """
    }
}

/// Streams `lon,lat` rows to `lon,lat,subcircuit` rows. Only the lookups are timed for --stats.
private func locateCSV(_ table: RoutingTable, input: String, output: String?, stats: Bool) throws -> Int32 {
    guard let data = FileManager.default.contents(atPath: input) else {
        throw CommandFailure("cannot read \(input)")
    }
    var longitudes: [Double] = [], latitudes: [Double] = []
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        lineNumber += 1
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        if text.isEmpty { continue }
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 2, let lon = Double(fields[0].trimmingCharacters(in: .whitespaces)),
              let lat = Double(fields[1].trimmingCharacters(in: .whitespaces)) else {
            if lineNumber == 1 { continue }  // header
            throw CommandFailure("\(input):\(lineNumber): expected 'lon,lat' numbers, got '\(text)'")
        }
        longitudes.append(lon)
        latitudes.append(lat)
    }
    let n = longitudes.count
    var found = [Int32](repeating: -1, count: n)
    // Best of several passes, so a scheduler hiccup does not decide the figure.
    var best = Double.infinity
    for _ in 0..<(stats ? 5 : 1) {
        let start = monotonicSeconds()
        for i in 0..<n {
            found[i] = Int32(table.index.subcircuitIndex(longitude: longitudes[i], latitude: latitudes[i]) ?? -1)
        }
        best = min(best, monotonicSeconds() - start)
    }
    var out = "lon,lat,subcircuit\n"
    out.reserveCapacity(n * 40)
    for i in 0..<n {
        out += "\(format6(longitudes[i])),\(format6(latitudes[i])),"
        if found[i] >= 0 { out += table.territory.subcircuits[Int(found[i])].code.rawValue }
        out += "\n"
    }
    if let output {
        guard FileManager.default.createFile(atPath: output, contents: Data(out.utf8)) else {
            throw CommandFailure("cannot write \(output)")
        }
    } else {
        print(out, terminator: "")
    }
    if stats {
        let rate = best > 0 ? Double(n) / best : 0
        printToStandardError(
            "locate points=\(n) seconds=\(String(format: "%.6f", best)) rate=\(String(format: "%.0f", rate))\n")
    }
    return 0
}

private func format6(_ v: Double) -> String { String(format: "%.6f", v) }

private func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
