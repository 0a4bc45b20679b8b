import BotonRuntime
import Glibc

// `boton-bench`: benchmark drivers that need the store's internals (bulk loaders, raw SQL). They live apart from
// the service's `boton` executable: nothing here ships. Scripts/bench builds and runs it.
let root = Command(
    "boton-bench",
    summary: "Benchmarks of the Botón de Seguridad store (Scripts/bench); never run against the service's database.",
    subcommands: [statsBench])

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
    printToStandardError("boton-bench: \(error)\n")
    status = 1
}
exit(status)
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
