// swift-tools-version: 6.0
// Botón de Seguridad — dispatch backend. No package dependencies: system libraries only.
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
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libssl-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // Linux calls Swift cannot import directly: recvmmsg/sendmmsg, epoll, eventfd.
        .target(name: "CLinux"),

        // Domain: pure types, validation, state machines. No I/O.
        .target(name: "BotonCore", swiftSettings: strict),
        // OpenSSL: hashing, HMAC, randomness, constant-time comparison.
        .target(name: "BotonCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // Territory: GeoJSON import, polygon index, point → subcircuito → UPC.
        .target(name: "BotonGeo", dependencies: ["BotonCore"], swiftSettings: strict),
        // SQLite store: connection, statements, transactions, migrations, repositories.
        .target(name: "BotonStore", dependencies: ["CSQLite", "BotonCore"], swiftSettings: strict),
        // The binary alert protocol shared by the server and the simulator.
        .target(name: "BotonWire", dependencies: ["BotonCrypto"], swiftSettings: strict),
        // Sockets, the UDP listener (recvmmsg/sendmmsg batches), TCP and TLS streams.
        .target(name: "BotonNet", dependencies: ["CLinux", "COpenSSL"], swiftSettings: strict),
        // HTTP/1.1: incremental parser with limits, responses, router, middleware, Server-Sent Events. Pure: no I/O.
        .target(name: "BotonHTTP", swiftSettings: strict),
        // The application: configuration, logging, lifecycle.
        .target(name: "BotonService",
                dependencies: ["BotonCore", "BotonCrypto", "BotonGeo", "BotonStore", "BotonWire", "BotonNet",
                               "BotonHTTP"],
                resources: [.copy("Static")],
                swiftSettings: strict),
        // The one executable.
        .executableTarget(name: "boton", dependencies: ["BotonService"], swiftSettings: strict),

        // Shared by the test targets: an HTTP client over real sockets.
        .target(name: "BotonTestSupport", dependencies: ["BotonNet", "BotonWire"], path: "Tests/Support",
                swiftSettings: strict),
        .testTarget(name: "BotonCoreTests", dependencies: ["BotonCore", "BotonTestSupport"], exclude: ["Oracles"],
                    swiftSettings: strict),
        .testTarget(name: "BotonWireTests", dependencies: ["BotonWire", "BotonCrypto", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonNetTests", dependencies: ["BotonNet", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonHTTPTests", dependencies: ["BotonHTTP", "BotonTestSupport"], swiftSettings: strict),
        .testTarget(name: "BotonCryptoTests", dependencies: ["BotonCrypto"], swiftSettings: strict),
        .testTarget(name: "BotonGeoTests", dependencies: ["BotonGeo"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "BotonStoreTests", dependencies: ["BotonStore", "BotonGeo"], swiftSettings: strict),
        .testTarget(name: "BotonServiceTests",
                    dependencies: ["BotonService", "BotonGeo", "BotonStore", "BotonHTTP", "BotonTestSupport",
                                   "BotonWire", "BotonCrypto"],
                    swiftSettings: strict),
        // Runs the real `boton` executable against real SQLite files (and, later, real sockets).
        .testTarget(name: "IntegrationTests", dependencies: ["BotonService", "BotonStore", "boton", "BotonTestSupport"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
