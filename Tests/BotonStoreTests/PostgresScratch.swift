import Foundation
import Testing
@testable import BotonStore
import BotonRepository

/// The throw-away cluster `Scripts/test` starts: `BOTON_TEST_POSTGRES` is a `key=value` libpq connection string
/// of a superuser. Without it (a developer running `swift test` alone) the PostgreSQL tests are skipped.
enum TestPostgres {
    static let connectionString = ProcessInfo.processInfo.environment["BOTON_TEST_POSTGRES"]
    static let isConfigured = connectionString?.isEmpty == false
    static let skipReason: Comment =
        "BOTON_TEST_POSTGRES is not set: the PostgreSQL tests need a server (Scripts/test starts a throw-away one)"
}

/// A database of its own for one test (`boton_test_<random>`), dropped when the value is released, so tests run
/// in parallel without seeing each other.
final class PostgresScratch {
    let name: String
    /// The test's database, as the superuser.
    let connectionString: String

    init() throws {
        let admin = try #require(TestPostgres.connectionString)
        name = "boton_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let db = try PostgresDatabase(connectionString: admin)
        try db.execute("CREATE DATABASE \(name)")
        // A later keyword overrides an earlier one in a key=value string.
        connectionString = admin + " dbname=" + name
    }

    deinit {
        guard let admin = TestPostgres.connectionString, let db = try? PostgresDatabase(connectionString: admin)
        else { return }
        try? db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    func connect() throws -> PostgresDatabase { try PostgresDatabase(connectionString: connectionString) }

    /// The password in the connection string (to check that no message shows it).
    var password: String {
        connectionString.split(separator: " ").first { $0.hasPrefix("password=") }
            .map { String($0.dropFirst("password=".count)) } ?? ""
    }
}
