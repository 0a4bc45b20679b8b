import Glibc
import BotonRuntime

// `boton`: one executable, a tree of subcommands. Each handler lives in its own file.
let root = Command(
    "boton",
    summary: "Botón de Seguridad — dispatch backend of the Policía Nacional del Ecuador.",
    subcommands: [serveCommand, validateCommand, databaseCommand, territoryCommand, deviceCommand,
                  gatewayCommand, alertCommand, tlsCommand, operatorCommand, statsCommand])

let status: Int32
do {
    switch try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), root: root) {
    case .help(let text):
        print(text, terminator: "")
        status = 0
    case .run(let action, let arguments):
        status = try action(arguments)
    }
} catch let error as UsageError {
    printToStandardError("\(error)\n")
    status = 64
} catch {
    printToStandardError("boton: \(error)\n")
    status = 1
}
exit(status)
