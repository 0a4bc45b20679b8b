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

        // Domain: pure types, validation, state machines. No I/O.
        .target(name: "BotonCore", swiftSettings: strict),
        // OpenSSL: hashing, HMAC, randomness, constant-time comparison.
        .target(name: "BotonCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // Territory: GeoJSON import, polygon index, point → subcircuito → UPC.
        .target(name: "BotonGeo", dependencies: ["BotonCore"], swiftSettings: strict),
        // SQLite store: connection, statements, transactions, migrations, repositories.
        .target(name: "BotonStore", dependencies: ["CSQLite", "BotonCore"], swiftSettings: strict),
        // The application: configuration, logging, lifecycle.
        .target(name: "BotonService",
                dependencies: ["BotonCore", "BotonCrypto", "BotonGeo", "BotonStore"],
                swiftSettings: strict),
        // The one executable.
        .executableTarget(name: "boton", dependencies: ["BotonService"], swiftSettings: strict),

        .testTarget(name: "BotonCoreTests", dependencies: ["BotonCore"], exclude: ["Oracles"],
                    swiftSettings: strict),
        .testTarget(name: "BotonCryptoTests", dependencies: ["BotonCrypto"], swiftSettings: strict),
        .testTarget(name: "BotonGeoTests", dependencies: ["BotonGeo"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "BotonStoreTests", dependencies: ["BotonStore", "BotonGeo"], swiftSettings: strict),
        .testTarget(name: "BotonServiceTests", dependencies: ["BotonService", "BotonGeo", "BotonStore"], swiftSettings: strict),
        // Runs the real `boton` executable against real SQLite files (and, later, real sockets).
        .testTarget(name: "IntegrationTests", dependencies: ["BotonService", "boton"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
