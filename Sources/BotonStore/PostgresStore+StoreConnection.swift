/// PostgreSQL serves every repository through the shared SQL (``SQLStore``), and connections through its pool.
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
