public import BotonHTTP
import Foundation

/// `GET /static/*ruta`: the stylesheet and scripts shipped as the package's resources (`Sources/BotonWeb/Static`),
/// and Leaflet from Debian's `libjs-leaflet` under `/static/leaflet/` (`leaflet.js`, `leaflet.css`, `images/*.png`),
/// all read once at start-up. Nothing comes from a CDN: UPCs may be offline.
public struct StaticAssets: Sendable {
    private let files: [String: (type: String, bytes: [UInt8])]
    /// The Leaflet files the console's map needs, relative to the package's directory.
    public static let leafletFiles = ["leaflet.js", "leaflet.css"]
    /// Whether Leaflet was found (``leafletFiles`` read): without it the console shows the sketch, not the map.
    public let hasLeaflet: Bool

    /// Loads every file of the resource folder, and Leaflet from `leafletDirectory` when given and present.
    public init(leafletDirectory: String? = nil) {
        var files: [String: (String, [UInt8])] = [:]
        if let folder = Bundle.module.url(forResource: "Static", withExtension: nil),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                    continue
                }
                files[name] = (Self.contentType(of: name), Array(data))
            }
        }
        var leaflet = false
        if let directory = leafletDirectory {
            let wanted = Self.leafletFiles.map { ($0, directory + "/" + $0) }
            let read = wanted.compactMap { name, path in FileManager.default.contents(atPath: path).map { (name, $0) } }
            if read.count == wanted.count {
                for (name, data) in read { files["leaflet/" + name] = (Self.contentType(of: name), Array(data)) }
                let images = directory + "/images"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: images)) ?? []
                where name.hasSuffix(".png") {
                    if let data = FileManager.default.contents(atPath: images + "/" + name) {
                        files["leaflet/images/" + name] = (Self.contentType(of: name), Array(data))
                    }
                }
                leaflet = true
            }
        }
        hasLeaflet = leaflet
        self.files = files
    }

    public var names: [String] { files.keys.sorted() }

    public func route() -> RouteHandler {
        { _, parameters in
            guard let name = parameters["ruta"], let file = files[name] else { throw HTTPError(.notFound, "No existe.") }
            var response = HTTPResponse(status: .ok, body: file.bytes)
            response.headers.replace(name: "Content-Type", value: file.type)
            response.headers.replace(name: "Cache-Control", value: "public, max-age=3600")
            return response
        }
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "wav": return "audio/wav"
        default: return "application/octet-stream"
        }
    }
}
