// STUB — to be enabled at the merge of `postgres-engine` with the repository refactor.
//
// The repositories are moving from `extension SQLiteStore` onto the protocol `SQLStore` (requirement
// `var sql: any SQLDatabase { get }`), implemented once for both engines. Until that lands on this branch,
// `SQLStore` does not exist and `PostgresStore` cannot be a `StoreConnection`, so these conformances are kept out
// of the build by a condition nobody defines. At the merge: delete the `#if`/`#endif` lines (and this comment).
// `PostgresStore` already provides `sql`, `Transactional` and `SchemaRepository`; the provider's pool is
// `withStore(_:unavailable:)` / `openStore(_:)`, tested in PostgresDatabaseTests.
#if BOTON_POSTGRES_SQLSTORE
public import BotonRepository

extension PostgresStore: SQLStore {}

extension PostgresStoreProvider: StoreProvider {
    public func withConnection<T, E: Error>(_ body: (any StoreConnection) throws(E) -> T,
                                            unavailable: (StoreError) -> E) throws(E) -> T
    {
        try withStore({ (store: PostgresStore) throws(E) -> T in try body(store) }, unavailable: unavailable)
    }

    public func open(_ role: ConnectionRole) throws(StoreError) -> any StoreConnection {
        try openStore(role)
    }
}
#endif
