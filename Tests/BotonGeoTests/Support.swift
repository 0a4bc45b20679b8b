import BotonGeo
import Foundation

/// Test data locations. Small hand-made fixtures are the target's `Fixtures` resource; the national file and the
/// 20,000 points are the repository copies, found from this file's path (`..` is resolved by the file system, so
/// this also works when the test directory is a symbolic link).
enum Fixture {
    static var directory: String {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url.path }
        return testsDirectory + "/Fixtures"
    }

    static var testsDirectory: String {
        let file = "\(#filePath)"
        return String(file[..<file.lastIndex(of: "/")!])
    }

    static var nationalTerritory: String { testsDirectory + "/../../Config/territorio-ec.geojson" }
    static var nationalPoints: String { testsDirectory + "/../Fixtures/points-ec.csv" }

    static func bytes(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("missing test file \(path)") }
        return [UInt8](data)
    }

    static func small(_ name: String) -> [UInt8] { bytes(directory + "/" + name) }

    static func territory(_ name: String) throws -> Territory { try TerritoryReader.read(bytes: small(name)) }

    /// The national territory, read once per test process.
    static let national: Territory = {
        do { return try TerritoryReader.read(path: nationalTerritory) } catch { fatalError("\(error)") }
    }()

    static let nationalIndex = TerritoryIndex(territory: national)

    /// (longitude, latitude) pairs of points-ec.csv.
    static func nationalPointList() -> [(Double, Double)] {
        let text = String(decoding: bytes(nationalPoints), as: UTF8.self)
        var out: [(Double, Double)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            guard parts.count == 2, let x = Double(parts[0]), let y = Double(parts[1]) else { continue }
            out.append((x, y))
        }
        return out
    }
}
