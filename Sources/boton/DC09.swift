import BotonCore
import BotonGeo
import BotonRepository
import BotonRuntime
import Foundation

/// `boton dc09 account add|list|disable`: sites that report over SIA DC-09 (alarm panels, hardware panic buttons).
let dc09Command = Command(
    "dc09", summary: "Alarm panels and panic buttons that report over SIA DC-09.",
    subcommands: [
        Command("account", summary: "Sites (DC-09 accounts): register, list, disable.", subcommands: [
            Command("add", summary: "Register a site: its account, AES key, name, address, position and contact.",
                    details: "Its events route by subcircuito from --lat/--lon (a position in a message wins).",
                    options: CommonOptions.store + [
                        .init("--cuenta", value: "HEX", help: "DC-09 account (3 to 16 hexadecimal digits).",
                              required: true),
                        .init("--clave", value: "HEX",
                              help: "AES key, 32, 48 or 64 hexadecimal digits (AES-128/192/256). Without it the "
                                  + "site sends in clear."),
                        .init("--nombre", value: "TEXT", help: "Name shown on the console.", required: true),
                        .init("--direccion", value: "TEXT", help: "Address shown on the console.", required: true),
                        .init("--lat", value: "LAT", help: "Latitude of the site.", required: true),
                        .init("--lon", value: "LON", help: "Longitude of the site.", required: true),
                        .init("--contacto", value: "PHONE", help: "Who answers for the site.", required: true),
                        .init("--supervision-s", value: "N",
                              help: "The panel's poll interval in seconds (1 to 604800): its NULL polls and any "
                                  + "event are signs of life; silent past N plus supervision.grace_s, the site "
                                  + "is listed \"Sin señal\" on its UPC's console. Without it: not supervised."),
                    ]) { args in
                let context = try CommandContext(args)
                let store = try context.openStore(migrate: false)
                try context.requireCurrentSchema(store)
                let account = args.value("--cuenta")!.uppercased()
                guard (3...16).contains(account.count), account.allSatisfy({ $0.isHexDigit }) else {
                    throw UsageError(path: args.path, message: "--cuenta: 3 to 16 hexadecimal digits")
                }
                var key: [UInt8]?
                if let hex = args.value("--clave") {
                    guard let bytes = hexBytes(hex), [16, 24, 32].contains(bytes.count) else {
                        throw UsageError(path: args.path, message: "--clave: 32, 48 or 64 hexadecimal digits")
                    }
                    key = bytes
                }
                let lat = try args.double("--lat")!
                let lon = try args.double("--lon")!
                guard (-90...90).contains(lat), (-180...180).contains(lon) else {
                    throw UsageError(path: args.path, message: "--lat/--lon out of range")
                }
                let contact: PhoneLine
                do { contact = try PhoneLine(args.value("--contacto")!) } catch {
                    throw UsageError(path: args.path, message: "--contacto: \(error)")
                }
                let supervision = try args.int("--supervision-s")
                if let n = supervision, !SenderSupervision.intervalRange.contains(n) {
                    throw UsageError(path: args.path, message: "--supervision-s: 1 to 604800 seconds")
                }
                let routing = RoutingTable(territory: try Territory(snapshot: try store.loadTerritory()),
                                           configuration: context.configuration.territory)
                let route = routing.route(GeoPoint(latitude: lat, longitude: lon))
                let site = SiteRecord(account: account, key: key, name: args.value("--nombre")!,
                                      address: args.value("--direccion")!, latitude: lat, longitude: lon,
                                      contactE164: contact.e164, createdAt: SystemClock.now(),
                                      supervisionSeconds: supervision)
                if try store.site(account: account) != nil {
                    throw UsageError(path: args.path, message: "la cuenta \(account) ya está registrada")
                }
                try store.inTransaction { () throws(StoreError) in
                    try store.addSite(site, subcircuit: route.subcircuit?.code.rawValue)
                }
                print("""
                cuenta:      \(account)
                cifrado:     \(key.map { "AES-\($0.count * 8)" } ?? "no (en claro)")
                sitio:       \(site.name)
                subcircuito: \(route.subcircuit?.code.rawValue ?? "-")
                upc:         \(route.upcCode) \(route.upcName)
                supervisión: \(supervision.map { "sondeo cada \($0) s" } ?? "no")
                """)
                return 0
            },
            Command("list", summary: "List the registered sites.", options: CommonOptions.store) { args in
                let context = try CommandContext(args)
                let store = try context.openStore(migrate: false)
                try context.requireCurrentSchema(store)
                for site in try store.sites() {
                    let state = site.disabledAt == nil ? "activa" : "deshabilitada"
                    let cipher = site.key.map { "AES-\($0.count * 8)" } ?? "en claro"
                    let supervision = site.supervisionSeconds.map { "supervisión \($0) s" } ?? "sin supervisión"
                    print("\(site.account)\t\(state)\t\(cipher)\t\(site.name)\t\(site.address)\t\(site.contactE164)"
                          + "\t\(supervision)")
                }
                return 0
            },
            Command("disable", summary: "Disable a site: its messages are answered DUH and open nothing.",
                    options: CommonOptions.store + [
                        .init("--cuenta", value: "HEX", help: "DC-09 account.", required: true),
                    ]) { args in
                let context = try CommandContext(args)
                let store = try context.openStore(migrate: false)
                try context.requireCurrentSchema(store)
                let account = args.value("--cuenta")!.uppercased()
                let disabled = try store.inTransaction { () throws(StoreError) in
                    try store.disableSite(account: account, at: SystemClock.now())
                }
                guard disabled else {
                    FileHandle.standardError.write(Data("No hay una cuenta activa \(account).\n".utf8))
                    return 1
                }
                print("cuenta \(account) deshabilitada")
                return 0
            },
        ]),
    ])

private func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var i = 0
    while i < digits.count {
        guard let hi = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
        out.append(hi)
        i += 2
    }
    return out
}
