import BotonStore
import BotonStoreFixtures
import Foundation

/// A directory under the system's temporary directory, removed when the value is released (with the PostgreSQL
/// databases made for it).
final class TemporaryDirectory {
    let path: String
    private var databases: [TestDatabase] = []

    init() {
        path = NSTemporaryDirectory() + "boton-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }

    /// A migrated store on the backend under test (`BOTON_TEST_BACKEND`): the file `name` here, or a PostgreSQL
    /// database of its own that lives as long as this directory.
    func migratedStore(_ name: String) throws -> any SQLStore {
        let database = try TestDatabase(path: file(name))
        databases.append(database)
        let store = try database.openStore()
        try store.migrate()
        return store
    }
}
