import Glibc
import BotonRuntime

// `boton`: one executable, a tree of subcommands. Each handler lives in its own file.
let root = Command(
    "boton",
    summary: "Botón de Seguridad — dispatch backend of the Policía Nacional del Ecuador.",
    subcommands: [serveCommand, validateCommand, databaseCommand, territoryCommand, deviceCommand,
                  gatewayCommand, dc09Command, alertCommand, tlsCommand, operatorCommand, statsCommand])

exit(CommandLineParser.run(Array(CommandLine.arguments.dropFirst()), root: root))
