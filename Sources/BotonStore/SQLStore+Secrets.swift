import BotonRepository
public import BotonCore

extension SQLStore {
    /// The server's secret called `name`, made by `make` and stored the first time it is asked for, so that what
    /// it signs (the forms' CSRF tokens) stays valid across restarts. One transaction: two processes starting at once
    /// agree on the first one stored.
    public func serverSecret(_ name: String, at: Timestamp, make: () throws -> [UInt8]) throws -> [UInt8] {
        try sql.inTransaction(rethrowing: { () throws -> [UInt8] in
            let read = try sql.prepared("SELECT value FROM server_secret WHERE name = ?1")
            if let stored = try read.first([.text(name)], { $0.blob(0) }) { return stored }
            let value = try make()
            try sql.prepared("INSERT INTO server_secret (name, value, created_at) VALUES (?1, ?2, ?3)")
                .run([.text(name), .blob(value), .integer(at.millisecondsSince1970)])
            return value
        })
    }
}
