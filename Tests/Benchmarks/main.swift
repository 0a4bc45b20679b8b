import BotonRuntime
import Glibc

// `boton-bench`: benchmark drivers that need the store's internals (bulk loaders, raw SQL). They live apart from
// the service's `boton` executable: nothing here ships. Scripts/bench builds and runs it.
let root = Command(
    "boton-bench",
    summary: "Benchmarks of the Botón de Seguridad store (Scripts/bench); never run against the service's database.",
    subcommands: [statsBench])

exit(CommandLineParser.run(Array(CommandLine.arguments.dropFirst()), root: root))
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
