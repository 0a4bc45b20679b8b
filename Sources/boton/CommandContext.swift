import Foundation
import BotonRepository
import BotonRuntime

/// Options every command that touches the service's data shares.
enum CommonOptions {
    static let config = Command.Option(
        "--config", value: "FILE",
        help: "Configuration file (default: $BOTON_CONFIG, else Config/boton.conf in the current directory).")
    static let set = Command.Option(
        "--set", value: "KEY=VALUE", help: "Override one setting, e.g. --set http.port=9090 (repeatable).")
    static let database = Command.Option("--database", value: "PATH", help: "SQLite file, instead of store.path.")
    static let store = [config, set, database]
}

/// What a command needs from its arguments: the configuration (file, then `--set`, then `--database`) and a
/// logger at the configured level.
struct CommandContext {
    let configuration: Configuration
    let logger: Logger

    init(_ args: ParsedArguments) throws {
        let explicit = args.value("--config") ?? ProcessInfo.processInfo.environment["BOTON_CONFIG"]
        var configuration: Configuration
        if let explicit {
            configuration = try Configuration.load(path: explicit)
        } else if FileManager.default.fileExists(atPath: "Config/boton.conf") {
            configuration = try Configuration.load(path: "Config/boton.conf")
        } else {
            // No file: the documented defaults, resolved as if Config/boton.conf were here.
            configuration = Configuration()
            configuration.baseDirectory = FileManager.default.currentDirectoryPath + "/Config"
        }
        for assignment in args.values("--set") {
            guard let eq = assignment.firstIndex(of: "=") else {
                throw UsageError(path: args.path, message: "--set expects KEY=VALUE, got '\(assignment)'")
            }
            try configuration.set(String(assignment[..<eq]), String(assignment[assignment.index(after: eq)...]))
        }
        if let database = args.value("--database") {
            configuration.store.path = database.hasPrefix("/")
                ? database : FileManager.default.currentDirectoryPath + "/" + database
        }
        self.configuration = configuration
        self.logger = Logger(level: configuration.log.level)
    }

    /// Opens the configured database, creating its directory. With `migrate: false` nothing is migrated; callers
    /// that need the current schema use `requireCurrentSchema`.
    func openStore(migrate: Bool) throws -> any StoreConnection {
        let store = try configuration.openStore()
        if migrate { try store.migrate() }
        return store
    }

    /// Fails with a clear message when the database is not at this binary's schema.
    func requireCurrentSchema(_ store: any StoreConnection) throws {
        try store.requireCurrentSchema()
    }
}

/// A command could not do its work; the message says why and what to do.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
