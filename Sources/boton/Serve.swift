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
    let server = BotonServer(configuration: context.configuration, logger: context.logger)
    try server.start()
    let signal = ProcessSignals.waitForTermination()
    server.stop(reason: ProcessSignals.name(signal))
    return 0
}
