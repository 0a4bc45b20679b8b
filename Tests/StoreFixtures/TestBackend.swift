public import BotonRepository
public import BotonStore
import Foundation
import Synchronization

/// Which engine the store, service and integration tests run on: SQLite unless `BOTON_TEST_BACKEND=postgresql`
/// (`Scripts/test` runs the suites once each way). Under PostgreSQL every test database is a database of its own on
/// the throw-away server of `BOTON_TEST_POSTGRES`, created for the test and dropped after it.
public enum TestBackend: String, Sendable {
    case sqlite, postgresql

    public static let current: TestBackend =
        ProcessInfo.processInfo.environment["BOTON_TEST_BACKEND"] == "postgresql" ? .postgresql : .sqlite

    public static var isPostgreSQL: Bool { current == .postgresql }

    /// The superuser connection string of the throw-away server (`Scripts/test`).
    public static var postgresAdmin: String? {
        let value = ProcessInfo.processInfo.environment["BOTON_TEST_POSTGRES"]
        return value?.isEmpty == false ? value : nil
    }

    /// A fresh database name (`boton_test_<random>`).
    static func newName() -> String {
        "boton_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    static func admin() throws(StoreError) -> PostgresDatabase {
        guard let admin = postgresAdmin else {
            throw StoreError(kind: .postgres(sqlState: "08001"),
                             message: "BOTON_TEST_BACKEND=postgresql needs BOTON_TEST_POSTGRES (Scripts/test sets it)")
        }
        return try PostgresDatabase(connectionString: admin)
    }

    /// Creates a database (a copy of `template` when given: PostgreSQL copies it file by file).
    static func createDatabase(_ name: String, template: String? = nil) throws(StoreError) {
        let db = try admin()
        try db.execute("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
    }

    static func dropDatabase(_ name: String) {
        guard let db = try? admin() else { return }
        try? db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func connectionString(_ name: String) -> String { (postgresAdmin ?? "") + " dbname=" + name }
}

/// One test's database, named by the SQLite path it has under the SQLite backend: that file, or under PostgreSQL
/// a database of its own (created empty, or as a copy of a template), dropped when the value is released.
public final class TestDatabase: @unchecked Sendable {
    /// The SQLite file (also the key the integration harness knows the database by).
    public let path: String
    /// The PostgreSQL database's name, under the PostgreSQL backend.
    public let postgresName: String?

    /// `template`: under PostgreSQL, the name of a database to copy (see ``TestTemplate``); SQLite callers copy
    /// their file themselves.
    public init(path: String, postgresTemplate template: String? = nil) throws(StoreError) {
        self.path = path
        if TestBackend.isPostgreSQL {
            let name = TestBackend.newName()
            try TestBackend.createDatabase(name, template: template)
            postgresName = name
        } else {
            postgresName = nil
        }
    }

    private var kept = false

    deinit {
        if let postgresName, !kept { TestBackend.dropDatabase(postgresName) }
    }

    /// Keeps the PostgreSQL database after this value goes (a template for the whole run); returns its name.
    public func keep() throws(StoreError) -> String {
        guard let postgresName else {
            throw StoreError(kind: .invalidData, message: "only a PostgreSQL test database can be kept")
        }
        kept = true
        return postgresName
    }

    /// The libpq connection string of the PostgreSQL database (nil under SQLite).
    public var connectionString: String? { postgresName.map(TestBackend.connectionString) }

    /// A new connection of either engine.
    public func openStore() throws(StoreError) -> any SQLStore {
        if let connectionString { return try PostgresStore(connectionString: connectionString) }
        return try SQLiteStore(path: path)
    }

    /// Pooled connections, as the server's handlers and background jobs get them.
    public func provider(busyTimeoutMilliseconds: Int32 = 5_000) -> any StoreProvider {
        if let connectionString { return PostgresStoreProvider(connectionString: connectionString) }
        return SQLiteStoreProvider(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    /// The `boton` arguments that select this database: `--database PATH`, or the PostgreSQL store settings.
    public var commandLineSettings: [String] {
        if let connectionString {
            return ["--set", "store.backend=postgresql", "--set", "store.postgresql=\(connectionString)"]
        }
        return ["--database", path]
    }

    /// The first column of every row, as text (booleans as ``scalar(_:)`` reads them).
    public func column(_ query: String) throws -> [String] {
        let store = try openStore()
        return try store.sql.prepared(query).rows { row -> String in
            if row.isNull(0) { return "" }
            let text = row.text(0)
            if store.sql.dialect == .postgresql, text == "t" || text == "f" { return text == "t" ? "1" : "0" }
            return text
        }
    }

    /// One value of a query, as text; a PostgreSQL boolean reads as SQLite's `1`/`0`, so checks are written once.
    public func scalar(_ query: String) throws -> String {
        let store = try openStore()
        return try store.sql.prepared(query).first { row -> String in
            if row.isNull(0) { return "" }
            let text = row.text(0)
            if store.sql.dialect == .postgresql, text == "t" || text == "f" { return text == "t" ? "1" : "0" }
            return text
        } ?? ""
    }
}

/// The databases of the integration tests, known by the SQLite path each test passes to `boton --database`: under
/// PostgreSQL the first use of a path creates its database, and releasing the test's temporary directory drops
/// every database under it.
public enum TestDatabases {
    private static let byPath = Mutex<[String: TestDatabase]>([:])

    /// The database for `path`, created on first use (under PostgreSQL as a copy of `postgresTemplate` if given).
    public static func database(_ path: String, postgresTemplate: String? = nil) throws(StoreError) -> TestDatabase {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let known = byPath.withLock({ $0[absolute] }) { return known }
        let created = try TestDatabase(path: absolute, postgresTemplate: postgresTemplate)
        return byPath.withLock { map in
            if let raced = map[absolute] { return raced }
            map[absolute] = created
            return created
        }
    }

    /// Rewrites every `--database PATH` of a `boton` command line into the settings of the backend under test.
    public static func rewrite(_ arguments: [String]) throws(StoreError) -> [String] {
        guard TestBackend.isPostgreSQL else { return arguments }
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--database", i + 1 < arguments.count {
                out += try database(arguments[i + 1]).commandLineSettings
                i += 2
            } else {
                out.append(arguments[i])
                i += 1
            }
        }
        return out
    }

    /// Drops (forgets) the databases of every path under `directory`.
    public static func release(under directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let released = byPath.withLock { map -> [TestDatabase] in
            let keys = map.keys.filter { $0.hasPrefix(prefix) }
            return keys.compactMap { map.removeValue(forKey: $0) }
        }
        _ = released  // dropped here, outside the lock
    }
}
