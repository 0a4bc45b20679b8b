import BotonCore
import BotonCrypto
import BotonGeo
import BotonWire
import Foundation
import BotonSimulator
import BotonEnrollment
import BotonRuntime

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
                options: CommonOptions.store + [
                    .init("--name", value: "NAME", help: "Carrier and site.", required: true),
                    .init("--supervision-s", value: "N",
                          help: "Supervise the link: any frame the gateway signs is a sign of life; silent past N "
                              + "seconds plus supervision.grace_s it is listed \"Sin señal\" (on the central's "
                              + "console). Without it: not supervised."),
                ]) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            try context.requireCurrentSchema(store)
            let supervision = try args.int("--supervision-s")
            if let n = supervision, !SenderSupervision.intervalRange.contains(n) {
                throw UsageError(path: args.path, message: "--supervision-s: 1 to 604800 seconds")
            }
            let (id, secret) = try Provisioning.addGateway(name: args.value("--name")!, supervisionSeconds: supervision,
                                                           store: store, at: SystemClock.now())
            print("gateway: \(id)\nclave:   \(secret)")
            return 0
        },
    ])

/// `boton alert send|test|cancel|position|heartbeat|baja`: the simulator. One frame, retried like a phone, and the answer printed.
let alertCommand = Command(
    "alert", summary: "Simulate a phone: send an alert, a test or a cancellation and print the answer.",
    subcommands: [
        alertFrameCommand("send", kind: .alerta, summary: "Send an alert (alerta) and print the acknowledgement."),
        alertFrameCommand("test", kind: .prueba, summary: "Send a test alert (prueba) and print the acknowledgement."),
        alertFrameCommand("cancel", kind: .cancelacion, summary: "Cancel the open alert of the device's line."),
        alertFrameCommand("position", kind: .posicion,
                          summary: "Send a position update for the open alert; print the answer with the alert's state."),
        alertFrameCommand("heartbeat", kind: .latido,
                          summary: "Send a keep-alive (latido); print the answer with the alert's state."),
        alertFrameCommand("baja", kind: .baja,
                          summary: "Confirm from the device the baja asked for online (the button stops working)."),
        alertGatewayCommand,
        alertLoadCommand,
        alertFramesCommand,
    ])

/// `boton alert gateway`: the carrier's side of a call to 135 from a fijo line.
let alertGatewayCommand = Command(
    "gateway", summary: "Report, as a carrier gateway, a call to 135 from a line (a fijo's alert or its test).",
    details: """
    What a carrier's gateway sends when a registered fijo line dials the short code 135: one gateway frame naming \
    the calling line, signed with the gateway's secret (`boton gateway add` prints both), sent and retried like a \
    phone's frame (see `boton alert send`). --test marks the call as the test the UPC asks for after "Registrar \
    botón" (the officer then confirms it and the request becomes activa); without it, the call is an emergency. The \
    line must have been registered as a fijo (its link to the gateways is made then); --line takes it as the citizen \
    writes it ("02 245 6789", "+593 2 245 6789").
    """,
    options: [
        CommonOptions.config, CommonOptions.set,
        .init("--gateway", value: "ID", help: "Gateway id (32 hex digits).", required: true),
        .init("--secret", value: "HEX", help: "Gateway secret (64 hex digits).", required: true),
        .init("--line", value: "PHONE", help: "The calling line (a registered fijo).", required: true),
        .init("--test", help: "A test call (prueba), as the carrier marks one."),
        .init("--sequence", value: "N", help: "Sequence number (default: now in ms)."),
        .init("--timestamp", value: "MS", help: "Client time in ms since the epoch (default: now)."),
        .init("--budget", value: "S", help: "Seconds to keep retrying while busy or unanswered (default 120)."),
    ] + transportOptions) { args in
    let context = try CommandContext(args)
    guard let gateway = args.value("--gateway").flatMap(GatewayID.init(hex:)) else {
        throw UsageError(path: args.path, message: "--gateway must be 32 hex digits")
    }
    guard let secret = args.value("--secret").flatMap(Hex.decode), secret.count == 32 else {
        throw UsageError(path: args.path, message: "--secret must be 64 hex digits")
    }
    let calling: CallingLine
    do {
        calling = try CallingLine(e164: try PhoneLine(args.value("--line")!).e164)
    } catch let error as PhoneLineError {
        throw UsageError(path: args.path, message: "--line: \(error.mensaje)")
    } catch {
        throw UsageError(path: args.path, message: "--line: not a phone line (\(error))")
    }
    let now = SystemClock.now().millisecondsSince1970
    let frame = GatewayFrame(gatewayID: gateway, sequence: UInt64(try args.int("--sequence") ?? Int(now)),
                             clientTimestampMs: Int64(try args.int("--timestamp") ?? Int(now)),
                             isTest: args.flag("--test"), line: calling)
    return try sendAndReport(frame.encode(secret: secret), key: secret, args, context)
}

let alertFramesCommand = Command(
    "frames", summary: "Write signed alert frames to a file, for a raw UDP sender (Scripts/bench ingest).",
    details: """
    Provisions --devices simulated phones in the target database and writes --count alert frames (68 bytes \
    each, concatenated, every one with its own sequence number and the current time) to --out. The server \
    accepts them for replay_window_s seconds (300 by default) after they are written.
    """,
    options: CommonOptions.store + [
        .init("--devices", value: "N", help: "Simulated phones to provision (default 1000)."),
        .init("--count", value: "N", help: "Frames to write (default 100000).", required: false),
        .init("--out", value: "FILE", help: "Output file.", required: true),
        .init("--seed", value: "N", help: "Seed for the devices' addresses (default 1)."),
    ]) { args in
    let context = try CommandContext(args)
    let count = try args.int("--count") ?? 100_000
    let deviceCount = try args.int("--devices") ?? 1000
    guard (1 ... 10_000_000).contains(count) else {
        throw UsageError(path: args.path, message: "--count is 1 to 10000000")
    }
    guard (1 ... 1_000_000).contains(deviceCount) else {
        throw UsageError(path: args.path, message: "--devices is 1 to 1000000")
    }
    let store = try context.openStore(migrate: false)
    try context.requireCurrentSchema(store)
    let routing = RoutingTable(territory: try Territory(snapshot: try store.loadTerritory()),
                               configuration: context.configuration.territory)
    let devices = try Provisioning.provisionLoadDevices(count: deviceCount, seed: UInt64(try args.int("--seed") ?? 1),
                                                        store: store, routing: routing, at: SystemClock.now())
    let base = UInt64(Date().timeIntervalSince1970 * 1000) * 1000
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * DeviceFrame.length)
    for i in 0 ..< count {
        bytes += try LoadGenerator.alertFrame(for: devices[i % devices.count], sequence: base + UInt64(i))
    }
    guard FileManager.default.createFile(atPath: args.value("--out")!, contents: Data(bytes)) else {
        throw CommandFailure("cannot write \(args.value("--out")!)")
    }
    print("\(count) tramas de \(DeviceFrame.length) bytes de \(deviceCount) dispositivos en \(args.value("--out")!)")
    return 0
}

/// The port of `transport` in the configuration, unless --port says otherwise.
private func port(_ args: ParsedArguments, _ transport: AlertTransport, _ context: CommandContext) throws -> Int {
    if let port = try args.int("--port") { return port }
    switch transport {
    case .udp: return context.configuration.ingest.udpPort
    case .tcp: return context.configuration.ingest.tcpPort
    case .tls: return context.configuration.ingest.tlsPort
    }
}

/// Every `--server HOST:PORT`, in order; without any, `--host`/`--port` (or the configured port).
private func servers(_ args: ParsedArguments, _ transport: AlertTransport, _ context: CommandContext) throws
    -> [AlertClient.Server]
{
    let listed = args.values("--server")
    guard !listed.isEmpty else {
        return [AlertClient.Server(host: args.value("--host") ?? "127.0.0.1", port: try port(args, transport, context))]
    }
    return try listed.map { text in
        guard let server = AlertClient.Server(parsing: text) else {
            throw UsageError(path: args.path, message: "--server is HOST:PORT (got '\(text)')")
        }
        return server
    }
}

private func transport(_ args: ParsedArguments) throws -> AlertTransport {
    let text = args.value("--transport") ?? "udp"
    guard let transport = AlertTransport(rawValue: text) else {
        throw UsageError(path: args.path, message: "--transport is udp, tcp or tls (got '\(text)')")
    }
    return transport
}

private let transportOptions: [Command.Option] = [
    .init("--transport", value: "udp|tcp|tls", help: "How to reach the server (default udp)."),
    .init("--host", value: "HOST", help: "Server address (default 127.0.0.1)."),
    .init("--port", value: "PORT", help: "Port (default: ingest.udp_port, tcp_port or tls_port)."),
    .init("--server", value: "HOST:PORT", help: "A node to send to; repeat for several (on silence or a failed "
          + "connection the next one gets the same frame). Replaces --host/--port."),
    .init("--ca", value: "FILE", help: "TLS: verify the server against this CA/certificate (default: accept any)."),
]

let alertLoadCommand = Command(
    "load", summary: "Load test: many devices sending alerts at a steady rate, each retried until answered.",
    details: """
    Provisions --devices simulated phones in the target database (the one the server uses: --config, --set or \
    --database), then sends --rate alerts per second for --duration seconds, cycling through the devices. Each \
    alert is retransmitted with exponential backoff (250 ms doubling to 8 s) until it is answered, and for \
    --grace seconds after the last one is first sent; a broken TCP/TLS connection is reopened and what was in \
    flight is resent. With several --server, a node that answers nothing for a second while alerts wait, or \
    cannot be connected to, is left for the next one, and what was in flight is resent there (same frames, so \
    a node that had stored one answers it duplicada). Prints sent, accepted, duplicates, rejected, lost and the latency from first send to \
    answer (p50, p90, p99, p99.9). --acknowledged FILE appends one line per answered alert as it arrives \
    (device, sequence, status, incident, UPC), for checking against the database afterwards; with \
    --acknowledged - those lines go to standard output and the report to standard error.

    The devices are simulated: their lines are marked so, and their alerts are simulacros, never counted in the \
    figures, never escalated (nor sent to the central), and hidden from consoles unless one is opened with \
    /consola?simulacion=1. A number that is a real citizen's line is never used. --cleanup removes every simulated \
    alert, line and device (a hundred alerts per transaction, so a running service is not held up) and sends nothing.
    """,
    options: CommonOptions.store + transportOptions + [
        .init("--rate", value: "N", help: "Alerts per second (default 100)."),
        .init("--duration", value: "S", help: "Seconds of sending (default 10)."),
        .init("--devices", value: "N", help: "Simulated phones to provision (default 100)."),
        .init("--grace", value: "S", help: "Seconds to keep retrying after the last first send (default 30)."),
        .init("--seed", value: "N", help: "Seed for the devices' addresses (default 1)."),
        .init("--acknowledged", value: "FILE", help: "Append each answered alert to FILE as it arrives."),
        .init("--json", help: "Print the report as one JSON object."),
        .init("--cleanup", help: "Remove every simulated alert, line and device of earlier runs; send nothing."),
    ]) { args in
    let context = try CommandContext(args)
    if args.flag("--cleanup") {
        let store = try context.openStore(migrate: false)
        try context.requireCurrentSchema(store)
        var alerts = 0, lines = 0, kept = 0
        while true {
            let step = try store.purgeSimulation(limit: 100)
            alerts += step.alerts
            lines += step.lines
            kept = step.kept
            if step.finished { break }
        }
        print("eliminadas: \(alerts) alertas simuladas, \(lines) líneas simuladas con sus dispositivos")
        if kept > 0 {
            print("pendiente: \(kept) alerta simulada con el evento más reciente de la consola; se elimina en la "
                  + "próxima limpieza, cuando haya eventos más nuevos")
        }
        return 0
    }
    let transport = try transport(args)
    let rate = try args.int("--rate") ?? 100
    let duration = try args.double("--duration") ?? 10
    let count = try args.int("--devices") ?? 100
    let grace = try args.double("--grace") ?? 30
    guard rate > 0, rate <= 1_000_000 else { throw UsageError(path: args.path, message: "--rate is 1 to 1000000") }
    guard duration > 0, duration <= 86_400 else {
        throw UsageError(path: args.path, message: "--duration is more than 0 and at most 86400 seconds")
    }
    guard count > 0, count <= 1_000_000 else {
        throw UsageError(path: args.path, message: "--devices is 1 to 1000000")
    }
    guard grace >= 0 else { throw UsageError(path: args.path, message: "--grace cannot be negative") }
    let store = try context.openStore(migrate: false)
    try context.requireCurrentSchema(store)
    let routing = RoutingTable(territory: try Territory(snapshot: try store.loadTerritory()),
                               configuration: context.configuration.territory)
    let devices = try Provisioning.provisionLoadDevices(count: count, seed: UInt64(try args.int("--seed") ?? 1),
                                                        store: store, routing: routing, at: SystemClock.now())
    let nodes = try servers(args, transport, context)
    let plan = LoadPlan(transport: transport, host: nodes[0].host, port: nodes[0].port, rate: rate, duration: duration,
                        grace: grace, caFile: args.value("--ca"), failover: Array(nodes.dropFirst()))
    var log: FileHandle?
    let toStandardOutput = args.value("--acknowledged") == "-"
    if toStandardOutput {
        log = FileHandle.standardOutput
    } else if let path = args.value("--acknowledged") {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("cannot write \(path)")
        }
        handle.seekToEndOfFile()
        log = handle
    }
    let report = try LoadGenerator(plan: plan, devices: devices).run { alert in
        // Written before the next answer is read: a line here means the phone was told its alert is stored.
        log?.write(Data("\(alert.device) \(alert.sequence) \(alert.status.rawValue) \(alert.incidentID) \(alert.upcCode ?? "-")\n".utf8))
    }
    let text = args.flag("--json") ? report.json + "\n" : report.text
    if toStandardOutput {
        printToStandardError(text)
    } else {
        try log?.close()
        print(text, terminator: "")
    }
    return report.lost == 0 ? 0 : 3
}

private func alertFrameCommand(_ name: String, kind: FrameKind, summary: String) -> Command {
    Command(name, summary: summary,
            details: """
            The frame is sent over --transport (UDP unless told otherwise) to --host/--port (default 127.0.0.1 \
            and the transport's port in the configuration) and retried as the app does, with exponential backoff \
            and jitter (250 ms doubling up to 30 s) for at most --budget seconds (default 120) while the server is \
            busy, silent or unreachable. --sequence defaults to the current time in milliseconds, which keeps \
            it increasing across calls; give the same --sequence and --timestamp to retransmit the same frame. \
            The device is named either by --device and --secret or by the --activation code an officer handed out \
            at registration (as the app would read it). send and test take --silenciosa (the citizen cannot talk: \
            the console shows the alert as silent and offers no call to the line). position and heartbeat ask for \
            the alert's state, as the app does while an alert is open (--sin-estado sends them as an older app \
            would), and print it: estado_alerta=recibida|notificada|tomada|despachada|cerrada|ninguna and the \
            unit once despachada, with the citizen's message on standard error.
            """,
            options: [
                CommonOptions.config, CommonOptions.set,
                .init("--device", value: "ID", help: "Device id (32 hex digits)."),
                .init("--secret", value: "HEX", help: "Device secret (64 hex digits)."),
                .init("--activation", value: "CODE", help: "The activation code shown at registration (instead of --device and --secret)."),
                .init("--lat", value: "LAT", help: "GPS latitude (omit for no fix)."),
                .init("--lon", value: "LON", help: "GPS longitude."),
                .init("--accuracy", value: "M", help: "GPS accuracy in metres (default 10)."),
                .init("--sequence", value: "N", help: "Sequence number (default: now in ms)."),
                .init("--timestamp", value: "MS", help: "Client time in ms since the epoch (default: now)."),
                .init("--battery", value: "PCT", help: "Battery percent (default unknown)."),
                .init("--budget", value: "S", help: "Seconds to keep retrying while busy or unanswered (default 120)."),
            ] + kindOptions(kind) + transportOptions) { args in
        let context = try CommandContext(args)
        let id: DeviceID
        let secret: [UInt8]
        if let code = args.value("--activation") {
            guard args.value("--device") == nil, args.value("--secret") == nil else {
                throw UsageError(path: args.path, message: "give --activation or --device with --secret, not both")
            }
            let activation: ActivationCode
            do throws(ActivationCodeError) { activation = try ActivationCode(code) } catch {
                throw UsageError(path: args.path, message: "--activation: \(error.mensaje)")
            }
            guard let device = DeviceID(bytes: activation.deviceID) else {
                throw UsageError(path: args.path, message: "--activation: the code does not hold a device id")
            }
            (id, secret) = (device, activation.secret)
        } else {
            guard let device = args.value("--device"), let parsed = DeviceID(hex: device) else {
                throw UsageError(path: args.path, message: "--device must be 32 hex digits (or give --activation)")
            }
            guard let key = args.value("--secret").flatMap(Hex.decode), key.count == 32 else {
                throw UsageError(path: args.path, message: "--secret must be 64 hex digits (or give --activation)")
            }
            (id, secret) = (parsed, key)
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
        if kind == .posicion && position == nil {
            throw UsageError(path: args.path, message: "a position update needs --lat and --lon")
        }
        let frame = try DeviceFrame(kind: kind, deviceID: id,
                                sequence: UInt64(try args.int("--sequence") ?? Int(now)),
                                clientTimestampMs: Int64(try args.int("--timestamp") ?? Int(now)),
                                batteryPercent: battery.map { UInt8($0) }, position: position,
                                isSilent: args.flag("--silenciosa"),
                                wantsAlertStatus: (kind == .posicion || kind == .latido) && !args.flag("--sin-estado"))
        return try sendAndReport(frame.encode(secret: secret), key: secret, args, context)
    }
}

/// The options only some kinds take.
private func kindOptions(_ kind: FrameKind) -> [Command.Option] {
    switch kind {
    case .alerta, .prueba:
        return [.init("--silenciosa", help: "A silent alert: the citizen cannot talk (the UPC must not call the line).")]
    case .posicion, .latido:
        return [.init("--sin-estado", help: "Do not ask for the alert's state (as an app older than that answer).")]
    default:
        return []
    }
}

/// Sends one signed frame as a phone (or a gateway) would, retried within --budget, and prints the answer: one line
/// on standard output, and what it means for the person on standard error when they must act. 0 when stored
/// (aceptada, duplicada), 2 when refused.
private func sendAndReport(_ bytes: [UInt8], key secret: [UInt8], _ args: ParsedArguments,
                           _ context: CommandContext) throws -> Int32 {
    let transport = try transport(args)
    let client = AlertClient(servers: try servers(args, transport, context), transport: transport,
                             caFile: args.value("--ca"))
    let budget = try args.int("--budget") ?? 120
    guard (0...3_600).contains(budget) else {
        throw UsageError(path: args.path, message: "--budget is 0 to 3600 seconds")
    }
    let (reply, attempts) = try client.send(bytes, key: secret,
                                            policy: AlertClient.RetryPolicy(budgetMs: budget * 1000))
    switch reply {
    case .acknowledgement(let ack):
        var line = "\(ack.status.rawValue)"
        if ack.status == .rechazada { line += " motivo=\(ack.reason.rawValue)" }
        line += " secuencia=\(ack.sequence) incidente=\(ack.incidentID) upc=\(ack.upcCode?.text ?? "-")"
        line += " hora_servidor=\(ack.serverTimeMs) intentos=\(attempts)"
        if let alert = ack.alertStatus {
            line += " estado_alerta=\(alert.stage.rawValue)"
            if let unit = alert.unit { line += " unidad=\"\(unit)\"" }
        }
        print(line)
        if let alert = ack.alertStatus { printToStandardError(alert.mensaje) }
        if ack.status == .rechazada && ack.reason == .sinSolicitud {
            printToStandardError("No hay un pedido de baja pendiente para este botón: no se cambió nada. Pida la "
                                 + "baja primero en /registro/estado con su número de trámite y su documento.")
        }
        if ack.status == .rechazada && ack.reason == .dadaDeBaja {
            printToStandardError("Este botón de seguridad fue dado de baja: ya no envía alertas a la UPC. En una "
                                 + "emergencia llame al 911. Para volver a tenerlo, registre la línea otra vez.")
        }
        return ack.status == .aceptada || ack.status == .duplicada ? 0 : 2
    case .shortRejection(let r):
        print("rechazada motivo=\(r.reason.rawValue) (sin autenticar) intentos=\(attempts)")
        return 2
    }
}
