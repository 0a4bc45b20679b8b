// swift-tools-version: 6.0
// Botón de Seguridad — dispatch backend. No package dependencies: system libraries only.
//
// Modules by capability (README "Modules"; each module's DocC page says why it is cut where it is). Every import
// a target makes is declared here, so the compiler holds the boundaries: a capability module sees BotonCore, the
// repository protocols (BotonRepository) and the runtime, never a concrete store or another capability's
// internals; BotonApp is the one composition root.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "BotonDeSeguridad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "boton", targets: ["boton"]),
        // Benchmark drivers that need the store's internals (Scripts/bench stats); not part of the service.
        .executable(name: "boton-bench", targets: ["boton-bench"]),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libssl-dev, libpq-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // Linux calls Swift cannot import directly: recvmmsg/sendmmsg, epoll, eventfd, thread names.
        .target(name: "CLinux"),

        // Domain: pure types, validation, state machines, the officer-scope policy. No I/O.
        .target(name: "BotonCore", swiftSettings: strict),
        // OpenSSL: hashing, HMAC, PBKDF2, randomness, constant-time comparison.
        .target(name: "BotonCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // HTTP/1.1: incremental parser with limits, responses, router, middleware, Server-Sent Events. Pure: no I/O.
        .target(name: "BotonHTTP", swiftSettings: strict),
        // The binary alert protocol shared by the server and the simulator.
        .target(name: "BotonWire", dependencies: ["BotonCrypto"], swiftSettings: strict),
        // Configuration, logging, clock, signals, threads, locks and conditions, the component lifecycle, CLI parsing.
        .target(name: "BotonRuntime", dependencies: ["CLinux", "BotonCore", "BotonHTTP"], swiftSettings: strict),
        // Sockets, the UDP listener (recvmmsg/sendmmsg batches), TCP and TLS streams.
        .target(name: "BotonNet", dependencies: ["CLinux", "COpenSSL", "BotonRuntime"], swiftSettings: strict),
        // Territory: GeoJSON import, polygon index, point → subcircuito → UPC, the routing table.
        .target(name: "BotonGeo", dependencies: ["BotonCore"], swiftSettings: strict),
        // The repository protocols and their records: what every service sees of storage. No database here.
        .target(name: "BotonRepository", dependencies: ["BotonCore", "BotonRuntime"], swiftSettings: strict),
        // The stores: SQLite and PostgreSQL connections, statements, transactions, migrations, every repository
        // implemented once over the engine-neutral SQLDatabase.
        .target(name: "BotonStore",
                dependencies: ["CPostgres", "CSQLite", "BotonCore", "BotonRepository", "BotonRuntime"],
                swiftSettings: strict),
        // The web server around BotonHTTP and BotonNet, knowing nothing of police work: connections, worker pool,
        // event streams, CSRF, rate limits, HTML building.
        .target(name: "BotonWebKit", dependencies: ["BotonCrypto", "BotonHTTP", "BotonNet", "BotonRuntime"],
                swiftSettings: strict),

        // Capabilities: each on BotonCore, the repository protocols and the runtime.
        .target(name: "BotonIngestion",
                dependencies: ["BotonCore", "BotonCrypto", "BotonGeo", "BotonNet", "BotonRepository", "BotonRuntime",
                               "BotonWire"],
                swiftSettings: strict),
        // SIA DC-09 (alarm panels, hardware panic buttons): framing, decryption, answers, the event codes table, and
        // the TCP/UDP handlers that hand events to the ingestion writer.
        .target(name: "BotonDC09",
                dependencies: ["BotonCore", "BotonCrypto", "BotonIngestion", "BotonNet", "BotonRuntime"],
                swiftSettings: strict),
        .target(name: "BotonEnrollment",
                dependencies: ["BotonCore", "BotonCrypto", "BotonGeo", "BotonRepository", "BotonRuntime"],
                swiftSettings: strict),
        .target(name: "BotonConsole",
                dependencies: ["BotonCore", "BotonGeo", "BotonHTTP", "BotonNet", "BotonRepository", "BotonRuntime"],
                swiftSettings: strict),
        .target(name: "BotonStatistics",
                dependencies: ["BotonCore", "BotonHTTP", "BotonRepository", "BotonRuntime"],
                swiftSettings: strict),

        // One route collection per capability: pages, JSON API, event streams, health and metrics.
        .target(name: "BotonWeb",
                dependencies: ["BotonConsole", "BotonCore", "BotonCrypto", "BotonEnrollment", "BotonGeo", "BotonHTTP",
                               "BotonIngestion", "BotonNet", "BotonRepository", "BotonRuntime", "BotonStatistics",
                               "BotonWebKit", "BotonWire"],
                resources: [.copy("Static")],
                swiftSettings: strict),
        // The reference alert client, the load generator, the frame channel.
        .target(name: "BotonSimulator",
                dependencies: ["BotonGeo", "BotonNet", "BotonWire"],
                swiftSettings: strict),
        // The composition root: the only module that knows every concrete type.
        .target(name: "BotonApp",
                dependencies: ["BotonConsole", "BotonCore", "BotonCrypto", "BotonDC09", "BotonEnrollment", "BotonGeo",
                               "BotonHTTP", "BotonIngestion", "BotonNet", "BotonRepository", "BotonRuntime",
                               "BotonSimulator", "BotonStatistics", "BotonStore", "BotonWeb", "BotonWebKit",
                               "BotonWire"],
                swiftSettings: strict),
        // The one executable: the CLI over BotonApp.
        .executableTarget(name: "boton",
                          dependencies: ["BotonApp", "BotonCore", "BotonCrypto", "BotonEnrollment", "BotonGeo",
                                         "BotonNet", "BotonRepository", "BotonRuntime", "BotonSimulator",
                                         "BotonStatistics", "BotonWire"],
                          swiftSettings: strict),

        // Test and benchmark support: never linked into `boton`.
        .target(name: "BotonTestSupport", dependencies: ["BotonNet", "BotonWire"], path: "Tests/Support",
                swiftSettings: strict),
        // Alerts written straight into a SQLite store, for tests and benchmarks of the statistics.
        .target(name: "BotonStoreFixtures", dependencies: ["BotonCore", "BotonRepository", "BotonStore"],
                path: "Tests/StoreFixtures", swiftSettings: strict),
        .executableTarget(name: "boton-bench",
                          dependencies: ["BotonCore", "BotonRepository", "BotonRuntime", "BotonStatistics",
                                         "BotonStore", "BotonStoreFixtures"],
                          path: "Tests/Benchmarks", swiftSettings: strict),

        .testTarget(name: "BotonCoreTests", dependencies: ["BotonCore", "BotonTestSupport"], exclude: ["Oracles"],
                    swiftSettings: strict),
        .testTarget(name: "BotonDC09Tests", dependencies: ["BotonDC09", "BotonCrypto", "BotonIngestion"],
                    swiftSettings: strict),
        .testTarget(name: "BotonWireTests", dependencies: ["BotonWire", "BotonCrypto", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonNetTests", dependencies: ["BotonNet", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonHTTPTests", dependencies: ["BotonHTTP", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonCryptoTests", dependencies: ["BotonCrypto"], swiftSettings: strict),
        .testTarget(name: "BotonGeoTests", dependencies: ["BotonCore", "BotonGeo"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "BotonStoreTests",
                    dependencies: ["BotonCore", "BotonRepository", "BotonStore", "BotonStoreFixtures"],
                    swiftSettings: strict),
        // The services in process: real SQLite files, injected clocks, no sockets (and the web layer's units).
        .testTarget(name: "BotonServiceTests",
                    dependencies: ["BotonApp", "BotonConsole", "BotonCore", "BotonCrypto", "BotonEnrollment", "BotonGeo",
                                   "BotonHTTP", "BotonIngestion", "BotonNet", "BotonRepository", "BotonRuntime",
                                   "BotonSimulator", "BotonStatistics", "BotonStore", "BotonStoreFixtures",
                                   "BotonTestSupport", "BotonWeb",
                                   "BotonWebKit", "BotonWire"],
                    swiftSettings: strict),
        // Runs the real `boton` executable against real SQLite files and real sockets.
        .testTarget(name: "IntegrationTests",
                    dependencies: ["BotonCore", "BotonCrypto", "BotonNet", "BotonRepository", "BotonRuntime", "BotonStore",
                                   "BotonStoreFixtures", "BotonTestSupport", "BotonWire", "boton"],
                    exclude: ["Peers"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
