import BotonCore
import BotonCrypto
import BotonGeo
import BotonService
import BotonStore
import BotonWire

/// `boton device provision` and `boton gateway add`: credentials, until enrollment issues them.
let deviceCommand = Command(
    "device", summary: "Register a phone line and issue its device credential.",
    subcommands: [
        Command("provision", summary: "Register a line with its address position; print the device id and secret.",
                details: "The secret is shown once. Until enrollment exists this is how a line gets a button.",
                options: CommonOptions.store + [
                    .init("--line", value: "PHONE", help: "The phone line (any form: '099 123 4567', '+593…').",
                          required: true),
                    .init("--lat", value: "LAT", help: "Latitude of the registered address.", required: true),
                    .init("--lon", value: "LON", help: "Longitude of the registered address.", required: true),
                    .init("--kind", value: "app|linea_fija",
                          help: "app (default): a phone app credential; linea_fija: lets gateway calls through."),
                ]) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let kind = args.value("--kind") ?? "app"
            guard kind == "app" || kind == "linea_fija" else {
                throw UsageError(path: args.path, message: "--kind is app or linea_fija")
            }
            let routing = RoutingTable(territory: try Territory(snapshot: try store.loadTerritory()),
                                       configuration: context.configuration.territory)
            let issued = try Provisioning.provisionDevice(
                line: args.value("--line")!, latitude: try args.double("--lat")!, longitude: try args.double("--lon")!,
                kind: kind, store: store, routing: routing, at: SystemClock.now())
            print("""
            dispositivo: \(issued.deviceID)
            clave:       \(issued.secretHex)
            linea:       \(issued.line.e164) (\(issued.line.kind.rawValue))
            subcircuito: \(issued.route.subcircuit?.code.rawValue ?? "-")
            upc:         \(issued.route.upcCode) \(issued.route.upcName)
            """)
            return 0
        },
    ])

let gatewayCommand = Command(
    "gateway", summary: "Carrier gateways that report calls to the short code 135.",
    subcommands: [
        Command("add", summary: "Register a gateway; print its id and secret (shown once).",
                options: CommonOptions.store + [.init("--name", value: "NAME", help: "Carrier and site.",
                                                      required: true)]) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let (id, secret) = try Provisioning.addGateway(name: args.value("--name")!, store: store,
                                                           at: SystemClock.now())
            print("gateway: \(id)\nclave:   \(secret)")
            return 0
        },
    ])

/// `boton alert send|test|cancel`: the simulator. One frame, retried like a phone, and the answer printed.
let alertCommand = Command(
    "alert", summary: "Simulate a phone: send an alert, a test or a cancellation and print the answer.",
    subcommands: [
        alertFrameCommand("send", kind: .alerta, summary: "Send an alert (alerta) and print the acknowledgement."),
        alertFrameCommand("test", kind: .prueba, summary: "Send a test alert (prueba) and print the acknowledgement."),
        alertFrameCommand("cancel", kind: .cancelacion, summary: "Cancel the open alert of the device's line."),
    ])

private func alertFrameCommand(_ name: String, kind: FrameKind, summary: String) -> Command {
    Command(name, summary: summary,
            details: """
            The frame is sent over UDP to --host/--port (default 127.0.0.1 and ingest.udp_port) and retried with \
            exponential backoff until answered. --sequence defaults to the current time in milliseconds, which keeps \
            it increasing across calls; give the same --sequence and --timestamp to retransmit the same frame.
            """,
            options: [
                CommonOptions.config, CommonOptions.set,
                .init("--device", value: "ID", help: "Device id (32 hex digits).", required: true),
                .init("--secret", value: "HEX", help: "Device secret (64 hex digits).", required: true),
                .init("--host", value: "HOST", help: "Server address (default 127.0.0.1)."),
                .init("--port", value: "PORT", help: "UDP port (default ingest.udp_port)."),
                .init("--lat", value: "LAT", help: "GPS latitude (omit for no fix)."),
                .init("--lon", value: "LON", help: "GPS longitude."),
                .init("--accuracy", value: "M", help: "GPS accuracy in metres (default 10)."),
                .init("--sequence", value: "N", help: "Sequence number (default: now in ms)."),
                .init("--timestamp", value: "MS", help: "Client time in ms since the epoch (default: now)."),
                .init("--battery", value: "PCT", help: "Battery percent (default unknown)."),
            ]) { args in
        let context = try CommandContext(args)
        guard let id = DeviceID(hex: args.value("--device")!) else {
            throw UsageError(path: args.path, message: "--device must be 32 hex digits")
        }
        guard let secret = Hex.decode(args.value("--secret")!), secret.count == 32 else {
            throw UsageError(path: args.path, message: "--secret must be 64 hex digits")
        }
        let now = SystemClock.now().millisecondsSince1970
        var position: FramePosition?
        if let lat = try args.double("--lat") {
            guard let lon = try args.double("--lon") else {
                throw UsageError(path: args.path, message: "--lat needs --lon")
            }
            do {
                position = try FramePosition(latitude: lat, longitude: lon,
                                             accuracyMeters: try args.double("--accuracy") ?? 10, fixAgeSeconds: 0)
            } catch {
                throw UsageError(path: args.path, message: "position out of range: \(error)")
            }
        }
        let battery = try args.int("--battery")
        if let battery, !(0...100).contains(battery) {
            throw UsageError(path: args.path, message: "--battery is 0 to 100")
        }
        let frame = try DeviceFrame(kind: kind, deviceID: id,
                                sequence: UInt64(try args.int("--sequence") ?? Int(now)),
                                clientTimestampMs: Int64(try args.int("--timestamp") ?? Int(now)),
                                batteryPercent: battery.map { UInt8($0) }, position: position)
        let client = AlertClient(host: args.value("--host") ?? "127.0.0.1",
                                 port: try args.int("--port") ?? context.configuration.ingest.udpPort)
        let (reply, attempts) = try client.send(frame.encode(secret: secret), key: secret)
        switch reply {
        case .acknowledgement(let ack):
            var line = "\(ack.status.rawValue)"
            if ack.status == .rechazada { line += " motivo=\(ack.reason.rawValue)" }
            line += " secuencia=\(ack.sequence) incidente=\(ack.incidentID) upc=\(ack.upcCode?.text ?? "-")"
            line += " hora_servidor=\(ack.serverTimeMs) intentos=\(attempts)"
            print(line)
            return ack.status == .aceptada || ack.status == .duplicada ? 0 : 2
        case .shortRejection(let r):
            print("rechazada motivo=\(r.reason.rawValue) (sin autenticar) intentos=\(attempts)")
            return 2
        }
    }
}
