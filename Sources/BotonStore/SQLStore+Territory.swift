public import BotonRepository
extension SQLStore {
    public func replaceTerritory(_ snapshot: TerritorySnapshot) throws(StoreError) {
        let db = sql
        try db.inTransaction { () throws(StoreError) in
            // Upsert in level order so that parents exist before children.
            let upsertUnit = try db.prepared("""
                INSERT INTO territory_unit (code, level, name, parent_code, zone_code, upc_code, geometry)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (code) DO UPDATE SET level = excluded.level, name = excluded.name,
                    parent_code = excluded.parent_code, zone_code = excluded.zone_code,
                    upc_code = excluded.upc_code, geometry = excluded.geometry
                """)
            let order = Dictionary(uniqueKeysWithValues: TerritoryLevel.allCases.enumerated().map { ($1, $0) })
            let units = snapshot.units.sorted { (order[$0.level]!, $0.code) < (order[$1.level]!, $1.code) }
            for unit in units {
                try upsertUnit.run([
                    .text(unit.code), .text(unit.level.rawValue), .text(unit.name),
                    unit.parentCode.map { .text($0) } ?? .null, unit.zoneCode.map { .text($0) } ?? .null,
                    unit.upcCode.map { .text($0) } ?? .null, unit.geometry.map { .blob($0) } ?? .null,
                ])
            }
            let upsertUPC = try db.prepared("""
                INSERT INTO upc (code, name, latitude, longitude, phone) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, latitude = excluded.latitude,
                    longitude = excluded.longitude, phone = excluded.phone
                """)
            try db.execute("DELETE FROM upc_subcircuit")
            let link = try db.prepared("INSERT INTO upc_subcircuit (subcircuit_code, upc_code) VALUES (?1, ?2)")
            for upc in snapshot.upcs {
                try upsertUPC.run([.text(upc.code), .text(upc.name), .real(upc.latitude), .real(upc.longitude),
                                   upc.phone.map { .text($0) } ?? .null])
                for subcircuit in upc.subcircuits { try link.run([.text(subcircuit), .text(upc.code)]) }
            }
            // Remove what the new territory no longer has, children first. Foreign keys refuse to remove a unit
            // that an enrollment or a line still points at; the whole replacement then rolls back.
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS keep_code (code TEXT PRIMARY KEY)")
            try db.execute("DELETE FROM keep_code")
            let keep = try db.prepared("INSERT INTO keep_code (code) VALUES (?1) ON CONFLICT DO NOTHING")
            for unit in snapshot.units { try keep.run([.text(unit.code)]) }
            for upc in snapshot.upcs { try keep.run([.text(upc.code)]) }
            try db.execute("DELETE FROM upc WHERE code NOT IN (SELECT code FROM keep_code)")
            for level in TerritoryLevel.allCases.reversed() {
                try db.prepared("""
                    DELETE FROM territory_unit WHERE level = ?1 AND code NOT IN (SELECT code FROM keep_code)
                    """).run([.text(level.rawValue)])
            }
            try db.execute("DELETE FROM keep_code")
        }
    }

    public func loadTerritory() throws(StoreError) -> TerritorySnapshot {
        let units = try sql.prepared("""
            SELECT code, level, name, parent_code, zone_code, upc_code, geometry FROM territory_unit ORDER BY code
            """).rows { (s) throws(StoreError) -> TerritoryUnitRecord in
            guard let level = TerritoryLevel(rawValue: s.text(1)) else {
                throw StoreError(kind: .invalidData, message: "territory_unit \(s.text(0)) has level \(s.text(1))")
            }
            return TerritoryUnitRecord(code: s.text(0), level: level, name: s.text(2), parentCode: s.optionalText(3),
                                       zoneCode: s.optionalText(4), upcCode: s.optionalText(5),
                                       geometry: s.isNull(6) ? nil : s.blob(6))
        }
        var served: [String: [String]] = [:]
        for (subcircuit, upc) in try sql.prepared(
            "SELECT subcircuit_code, upc_code FROM upc_subcircuit ORDER BY subcircuit_code"
        ).rows({ s in (s.text(0), s.text(1)) }) {
            served[upc, default: []].append(subcircuit)
        }
        let upcs = try sql.prepared(
            "SELECT code, name, latitude, longitude, phone FROM upc ORDER BY code"
        ).rows { s in
            UPCRecord(code: s.text(0), name: s.text(1), latitude: s.double(2), longitude: s.double(3),
                      phone: s.optionalText(4), subcircuits: served[s.text(0)] ?? [])
        }
        return TerritorySnapshot(units: units, upcs: upcs)
    }

    public func territoryCounts() throws(StoreError) -> TerritoryCounts {
        var counts = TerritoryCounts()
        for (level, n) in try sql.prepared(
            "SELECT level, COUNT(*) FROM territory_unit GROUP BY level"
        ).rows({ s in (s.text(0), s.int(1)) }) {
            switch TerritoryLevel(rawValue: level) {
            case .zona: counts.zonas = n
            case .subzona: counts.subzonas = n
            case .distrito: counts.distritos = n
            case .circuito: counts.circuitos = n
            case .subcircuito: counts.subcircuitos = n
            case nil: break
            }
        }
        counts.upcs = try sql.prepared("SELECT COUNT(*) FROM upc").first { s in s.int(0) } ?? 0
        return counts
    }
}
