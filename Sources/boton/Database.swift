import BotonRuntime

/// `boton db migrate|status`.
let databaseCommand = Command(
    "db", summary: "Create, migrate and inspect the database (SQLite, or PostgreSQL with store.backend).",
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
            if let replication = try store.replication() {
                // A PostgreSQL primary: does a COMMIT wait for a standby, and how many stream in sync now.
                let standbys = replication.synchronousStandbys.map(String.init) ?? "unknown (grant pg_monitor)"
                print(replication.isSynchronous
                      ? "synchronous standby: \(replication.synchronousStandbyNames) (in sync now: \(standbys))"
                      : "synchronous standby: none (synchronous_standby_names is empty: a commit is on this host only)")
            }
            return 0
        },
    ])
