import BotonRuntime

/// `boton db migrate|status`.
let databaseCommand = Command(
    "db", summary: "Create, migrate and inspect the SQLite database.",
    subcommands: [
        Command("migrate", summary: "Bring the database to this binary's schema (idempotent).",
                details: "Creates the file if needed. Refuses a database written by a newer boton.",
                options: CommonOptions.store) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            let report = try store.migrate()
            context.logger.info("db_migrated", ["path": store.location, "from": String(report.fromVersion),
                                                "to": String(report.toVersion),
                                                "applied": String(report.applied.count)])
            print(report.applied.isEmpty
                  ? "Database already at schema version \(report.toVersion)."
                  : "Migrated \(report.fromVersion) → \(report.toVersion): \(report.applied.joined(separator: ", ")).")
            return 0
        },
        Command("status", summary: "Print the schema version and the territory counts.",
                options: CommonOptions.store) { args in
            let context = try CommandContext(args)
            let store = try context.openStore(migrate: false)
            let version = try store.schemaVersion()
            print("path: \(store.location)")
            print("schema: \(version) (this boton: \(store.latestSchemaVersion))")
            if version == store.latestSchemaVersion { print("territory: \(try store.territoryCounts())") }
            return 0
        },
    ])
