import BotonApp
import BotonRuntime

/// `boton serve`: runs the service until SIGINT or SIGTERM.
let serveCommand = Command(
    "serve", summary: "Run the service with the configured store, territory and listeners.",
    details: "Logs one 'ready' line with the territory counts; SIGINT (Ctrl-C) or SIGTERM stops it cleanly.",
    options: CommonOptions.store) { args in
    // Before any thread exists, so that every thread inherits the blocked mask.
    ProcessSignals.blockTermination()
    let context = try CommandContext(args)
    // The service's lines go through a bounded buffer written by a thread of its own: a standard error that does
    // not take them (a full pipe) costs log lines, never an alert.
    let settings = context.configuration.log
    let sink = LogSink(fileDescriptor: 2, capacity: settings.bufferBytes, burstPerSecond: settings.burstPerSecond)
    defer { sink.close() }
    let server = BotonServer(configuration: context.configuration, logger: Logger(level: settings.level, sink: sink))
    try server.start()
    let signal = ProcessSignals.waitForTermination()
    server.stop(reason: ProcessSignals.name(signal))
    return 0
}
