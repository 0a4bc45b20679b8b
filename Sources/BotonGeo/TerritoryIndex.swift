public import BotonCore

/// Where an emergency position falls.
public enum Location: Sendable, Equatable {
    /// Inside the area of subcircuito `index` (position in ``Territory/subcircuits``), served by `upc`.
    case subcircuit(index: Int, code: SubcircuitCode, upc: UPCCode)
    /// Outside every subcircuito, but within the index's radius of this UPC (the nearest one).
    case nearestUPC(index: Int, upc: UPCCode, distanceMeters: Double)
    /// Outside every subcircuito and farther than the radius from every UPC (or not a valid position): the caller
    /// routes the alert to its configured central.
    case fallback
}

/// Immutable spatial index over a ``Territory``: position → subcircuito → UPC.
///
/// Built once (well under a second for the national file), then shared by reference across threads: every lookup
/// is a pure read of immutable arrays, with no locks and no heap allocation. Lookups give exactly the answer of
/// ``MultiPolygon/contains(_:)`` tried on every subcircuito in order (first match), including points on edges and
/// vertices (see the DocC page for the rule and the grid design).
public final class TerritoryIndex: Sendable {
    public let territory: Territory
    /// Radius (metres) within which a position outside every subcircuito is given to the nearest UPC.
    public let nearestUPCRadiusMeters: Double
    /// Side of a grid cell, degrees.
    public let cellSizeDegrees: Double

    struct Edge {
        // Lower endpoint first: ay <= by (ay < by for every edge stored in a cell).
        var ax, ay, bx, by: Double
    }

    struct Candidate {
        var polygon: Int32
        var parity: Int32
        var edgeStart: Int32
        var edgeEnd: Int32
    }

    // Grid geometry.
    let originX, originY: Double
    let inverseCell: Double
    let columns, rows: Int
    /// Per cell: ≥ 0 the only possible subcircuito; −1 none; ≤ −2 the complex cell `−2 − value`.
    let cells: ContiguousArray<Int32>
    /// Complex cell k owns candidates `complexStart[k] ..< complexStart[k + 1]`.
    let complexStart: ContiguousArray<Int32>
    let candidates: ContiguousArray<Candidate>
    let edges: ContiguousArray<Edge>

    // Nearest-UPC fallback.
    let upcLatitudes: ContiguousArray<Double>
    let upcLongitudes: ContiguousArray<Double>
    /// For each subcircuito, the position of its UPC in `territory.upcs`.
    let upcOfSubcircuit: ContiguousArray<Int32>
    /// For each subcircuito, its bounding box (min x, min y, max x, max y), for the brute-force reference.
    let boxes: ContiguousArray<(Double, Double, Double, Double)>

    /// Statistics of the built grid (for logs and benchmarks).
    public struct Statistics: Sendable, CustomStringConvertible {
        public let columns: Int
        public let rows: Int
        public let emptyCells: Int
        public let singleCells: Int
        public let complexCells: Int
        public let candidates: Int
        public let storedEdges: Int
        /// Edges of the territory, horizontal ones included.
        public let sourceEdges: Int
        public var approximateBytes: Int { (columns * rows) * 4 + complexCells * 4 + candidates * 16 + storedEdges * 32 }
        public var description: String {
            "grid \(columns)×\(rows), cells empty \(emptyCells) single \(singleCells) complex \(complexCells), "
                + "candidates \(candidates), edges \(storedEdges) (source \(sourceEdges)), ~\(approximateBytes / 1024) KiB"
        }
    }
    public let statistics: Statistics

    /// Builds the index.
    /// - Parameters:
    ///   - nearestUPCRadiusMeters: positions outside every subcircuito but within this great-circle distance of a
    ///     UPC are routed to the nearest UPC (``Location/nearestUPC(index:upc:distanceMeters:)``); 0 disables it.
    ///   - cellSizeDegrees: grid cell side; the default suits the national territory (see the DocC page).
    public init(territory: Territory, nearestUPCRadiusMeters: Double = 5_000, cellSizeDegrees: Double = 0.01) {
        precondition(cellSizeDegrees > 0 && cellSizeDegrees.isFinite, "cellSizeDegrees must be positive")
        self.territory = territory
        self.nearestUPCRadiusMeters = max(0, nearestUPCRadiusMeters)
        self.cellSizeDegrees = cellSizeDegrees

        var upcLat = ContiguousArray<Double>(), upcLon = ContiguousArray<Double>()
        for u in territory.upcs {
            upcLat.append(u.position.latitude)
            upcLon.append(u.position.longitude)
        }
        upcLatitudes = upcLat
        upcLongitudes = upcLon
        upcOfSubcircuit = ContiguousArray(territory.subcircuits.map { Int32(territory.indexOfUPC($0.upc) ?? -1) })

        boxes = ContiguousArray(territory.subcircuits.map {
            $0.geometry.boundingBox.map { ($0.minLongitude, $0.minLatitude, $0.maxLongitude, $0.maxLatitude) }
                ?? (.infinity, .infinity, -.infinity, -.infinity)
        })
        let built = GridBuilder(territory: territory, cell: cellSizeDegrees).build()
        originX = built.originX
        originY = built.originY
        inverseCell = 1 / cellSizeDegrees
        columns = built.columns
        rows = built.rows
        cells = built.cells
        complexStart = built.complexStart
        candidates = built.candidates
        edges = built.edges
        statistics = built.statistics
    }

    // MARK: Lookups

    /// Position in ``Territory/subcircuits`` of the subcircuito containing the point, or nil. The hot path: no
    /// allocation, no locks.
    public func subcircuitIndex(longitude px: Double, latitude py: Double) -> Int? {
        let r = rawLookup(px, py)
        return r >= 0 ? Int(r) : nil
    }

    /// Full routing decision for a position.
    public func locate(_ point: GeoPoint) -> Location {
        locate(longitude: point.longitude, latitude: point.latitude)
    }

    /// ``locate(_:)`` without building a ``GeoPoint``; allocation-free.
    public func locate(longitude: Double, latitude: Double) -> Location {
        let r = rawLookup(longitude, latitude)
        if r >= 0 {
            let i = Int(r)
            return .subcircuit(index: i, code: territory.subcircuits[i].code, upc: territory.subcircuits[i].upc)
        }
        if let (j, d) = nearestUPC(longitude: longitude, latitude: latitude, within: nearestUPCRadiusMeters) {
            return .nearestUPC(index: j, upc: territory.upcs[j].code, distanceMeters: d)
        }
        return .fallback
    }

    /// Nearest UPC within `radius` metres (great-circle), as (position in ``Territory/upcs``, distance).
    /// Brute force over the UPCs with a cheap latitude/longitude window: this is the rare path.
    public func nearestUPC(longitude: Double, latitude: Double, within radius: Double) -> (Int, Double)? {
        guard radius > 0, GeoPoint(latitude: latitude, longitude: longitude).isValid else { return nil }
        let dLat = radius / GeoPoint.earthRadiusMeters * (180 / Double.pi) * 1.001
        var best = -1
        var bestDistance = Double.infinity
        upcLatitudes.withUnsafeBufferPointer { lats in
            upcLongitudes.withUnsafeBufferPointer { lons in
                for j in 0..<lats.count where abs(lats[j] - latitude) <= dLat {
                    let d = GeoPoint.haversineMeters(latitude, longitude, lats[j], lons[j])
                    if d < bestDistance { bestDistance = d; best = j }
                }
            }
        }
        return best >= 0 && bestDistance <= radius ? (best, bestDistance) : nil
    }

    /// Subcircuito index or −1.
    @inline(__always)
    func rawLookup(_ px: Double, _ py: Double) -> Int32 {
        let fx = (px - originX) * inverseCell
        let fy = (py - originY) * inverseCell
        // Also rejects NaN.
        guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return -1 }
        let word = cells[Int(fy) &* columns &+ Int(fx)]
        if word >= -1 { return word }
        let k = Int(-2 - word)
        return candidates.withUnsafeBufferPointer { cands in
            edges.withUnsafeBufferPointer { edges in
                var c = Int(complexStart[k])
                let cEnd = Int(complexStart[k + 1])
                while c < cEnd {
                    let cand = cands[c]
                    var odd = cand.parity != 0
                    var e = Int(cand.edgeStart)
                    let eEnd = Int(cand.edgeEnd)
                    while e < eEnd {
                        let edge = edges[e]
                        if edge.ay <= py, py < edge.by, EdgeRule.leftOf(edge.ax, edge.ay, edge.bx, edge.by, px, py) {
                            odd.toggle()
                        }
                        e &+= 1
                    }
                    if odd { return cand.polygon }
                    c &+= 1
                }
                return -1
            }
        }
    }

    /// The reference answer: ``MultiPolygon/contains(longitude:latitude:)`` on every subcircuito in order, first
    /// match (skipping those whose closed bounding box excludes the point, which cannot change the answer). Slow;
    /// for tests and audits.
    public func bruteForceSubcircuitIndex(longitude: Double, latitude: Double) -> Int? {
        for (i, s) in territory.subcircuits.enumerated() {
            let b = boxes[i]
            guard longitude >= b.0, latitude >= b.1, longitude <= b.2, latitude <= b.3 else { continue }
            if s.geometry.contains(longitude: longitude, latitude: latitude) { return i }
        }
        return nil
    }
}

// MARK: - Building

private struct GridBuilder {
    typealias Edge = TerritoryIndex.Edge
    typealias Candidate = TerritoryIndex.Candidate

    let territory: Territory
    let cell: Double
    /// Safety margin (degrees) added around every cell and band: far above the rounding error of the cell
    /// computation (~1e-14°), far below any real distance (1e-9° ≈ 0.1 mm).
    let margin = 1e-9

    struct Output {
        var originX = 0.0, originY = 0.0
        var columns = 0, rows = 0
        var cells = ContiguousArray<Int32>()
        var complexStart = ContiguousArray<Int32>()
        var candidates = ContiguousArray<Candidate>()
        var edges = ContiguousArray<Edge>()
        var statistics = TerritoryIndex.Statistics(columns: 0, rows: 0, emptyCells: 0, singleCells: 0,
                                                    complexCells: 0, candidates: 0, storedEdges: 0, sourceEdges: 0)
    }

    func build() -> Output {
        // 1. Edges of every subcircuito, lower endpoint first, grouped by polygon.
        var sourceEdges: [Edge] = []
        var polygonOfEdge: [Int32] = []
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for (p, s) in territory.subcircuits.enumerated() {
            s.geometry.forEachRing { ring in
                guard ring.count > 1 else { return }
                for i in 1..<ring.count {
                    let a = ring[i - 1], b = ring[i]
                    // Horizontal edges never count in the crossing test, but they are kept here: they still
                    // separate regions, so they must mark the cells they pass through as touched.
                    let e = a.latitude <= b.latitude
                        ? Edge(ax: a.longitude, ay: a.latitude, bx: b.longitude, by: b.latitude)
                        : Edge(ax: b.longitude, ay: b.latitude, bx: a.longitude, by: a.latitude)
                    sourceEdges.append(e)
                    polygonOfEdge.append(Int32(p))
                    x0 = min(x0, e.ax, e.bx); x1 = max(x1, e.ax, e.bx)
                    y0 = min(y0, e.ay); y1 = max(y1, e.by)
                }
            }
        }
        var out = Output()
        guard !sourceEdges.isEmpty else {
            out.columns = 1; out.rows = 1; out.cells = [-1]; out.complexStart = [0]
            return out
        }
        // Grid covering the bounding box with one spare cell on each side.
        let originX = x0 - cell, originY = y0 - cell
        let columns = Int(((x1 - originX) / cell).rounded(.down)) + 2
        let rows = Int(((y1 - originY) / cell).rounded(.down)) + 2
        out.originX = originX; out.originY = originY; out.columns = columns; out.rows = rows
        func column(_ x: Double) -> Int { min(columns - 1, max(0, Int(((x - originX) / cell).rounded(.down)))) }
        func row(_ y: Double) -> Int { min(rows - 1, max(0, Int(((y - originY) / cell).rounded(.down)))) }

        // 2. Bucket edges by the rows (y-bands, widened by the margin) they overlap; CSR layout, polygon order kept.
        var rowCount = [Int32](repeating: 0, count: rows + 1)
        for e in sourceEdges {
            for r in row(e.ay - margin)...row(e.by + margin) { rowCount[r + 1] += 1 }
        }
        for r in 0..<rows { rowCount[r + 1] += rowCount[r] }
        var rowFill = rowCount
        var rowEdges = [Int32](repeating: 0, count: Int(rowCount[rows]))
        for (k, e) in sourceEdges.enumerated() {
            for r in row(e.ay - margin)...row(e.by + margin) {
                rowEdges[Int(rowFill[r])] = Int32(k)
                rowFill[r] += 1
            }
        }

        // 3. Row by row: per cell, candidate polygons with the edges that matter for a +x ray from inside the cell.
        out.cells = ContiguousArray(repeating: -1, count: columns * rows)
        out.complexStart.append(0)
        var cellCandidates = [[Candidate]](repeating: [], count: columns)   // edges index into rowEdgeBuffer
        var rowEdgeBuffer: [Edge] = []
        var touched = [Bool](repeating: false, count: columns)
        var touchedList: [Int] = []
        var empty = 0, single = 0, complex = 0

        for r in 0..<rows {
            let bandLow = originY + Double(r) * cell, bandHigh = bandLow + cell
            let low = bandLow - margin, high = bandHigh + margin
            var k = Int(rowCount[r])
            let kEnd = Int(rowCount[r + 1])
            rowEdgeBuffer.removeAll(keepingCapacity: true)
            var usedColumns: [Int] = []
            while k < kEnd {
                // One polygon's edges in this band.
                let p = polygonOfEdge[Int(rowEdges[k])]
                var groupEnd = k
                while groupEnd < kEnd, polygonOfEdge[Int(rowEdges[groupEnd])] == p { groupEnd += 1 }
                let group = rowEdges[k..<groupEnd]
                k = groupEnd

                // Columns touched by the polygon's boundary within the widened band.
                touchedList.removeAll(keepingCapacity: true)
                for ei in group {
                    let e = sourceEdges[Int(ei)]
                    let ya = max(e.ay, low), yb = min(e.by, high)
                    guard ya <= yb else { continue }
                    var xa = e.ax, xb = e.bx
                    if e.ay < e.by {
                        let slope = (e.bx - e.ax) / (e.by - e.ay)
                        xa = e.ax + (ya - e.ay) * slope
                        xb = e.ax + (yb - e.ay) * slope
                    }
                    let c0 = column(min(xa, xb) - margin), c1 = column(max(xa, xb) + margin)
                    for c in c0...c1 where !touched[c] {
                        touched[c] = true
                        touchedList.append(c)
                    }
                }
                guard !touchedList.isEmpty else { continue }
                touchedList.sort()
                let first = touchedList[0], last = touchedList[touchedList.count - 1]
                var c = first
                while c <= last {
                    if touched[c] {
                        let cellLow = originX + Double(c) * cell - margin
                        let cellHigh = originX + Double(c + 1) * cell + margin
                        var parity: Int32 = 0
                        let start = rowEdgeBuffer.count
                        for ei in group {
                            let e = sourceEdges[Int(ei)]
                            if e.ay == e.by { continue }                        // horizontal: never crossed
                            if max(e.ax, e.bx) < cellLow { continue }          // left of the cell: never crossed
                            if min(e.ax, e.bx) > cellHigh, e.ay <= low, e.by >= high {
                                parity ^= 1                                     // right of the cell, spans the band
                                continue
                            }
                            rowEdgeBuffer.append(e)
                        }
                        if cellCandidates[c].isEmpty { usedColumns.append(c) }
                        cellCandidates[c].append(Candidate(polygon: p, parity: parity, edgeStart: Int32(start),
                                                           edgeEnd: Int32(rowEdgeBuffer.count)))
                        c += 1
                    } else {
                        // A run of untouched cells: all inside the polygon or all outside; test one centre.
                        var runEnd = c
                        while runEnd <= last, !touched[runEnd] { runEnd += 1 }
                        let cx = originX + (Double(c) + 0.5) * cell, cy = bandLow + 0.5 * cell
                        var odd = false
                        for ei in group {
                            let e = sourceEdges[Int(ei)]
                            if EdgeRule.counts(e.ax, e.ay, e.bx, e.by, cx, cy) { odd.toggle() }
                        }
                        if odd {
                            for cc in c..<runEnd {
                                if cellCandidates[cc].isEmpty { usedColumns.append(cc) }
                                cellCandidates[cc].append(Candidate(polygon: p, parity: 1, edgeStart: 0, edgeEnd: 0))
                            }
                        }
                        c = runEnd
                    }
                }
                for t in touchedList { touched[t] = false }
            }

            // Emit the row.
            for c in usedColumns {
                let list = cellCandidates[c]
                let index = r * columns + c
                if list[0].parity == 1 && list[0].edgeStart == list[0].edgeEnd {
                    out.cells[index] = list[0].polygon          // the first candidate covers the whole cell
                    single += 1
                } else {
                    out.cells[index] = Int32(-2 - complex)
                    complex += 1
                    for cand in list {
                        let count = Int(cand.edgeEnd - cand.edgeStart)
                        if count == 0 && cand.parity == 0 { continue }   // cannot contain any point of the cell
                        let s = out.edges.count
                        out.edges.append(contentsOf: rowEdgeBuffer[Int(cand.edgeStart)..<Int(cand.edgeEnd)])
                        out.candidates.append(Candidate(polygon: cand.polygon, parity: cand.parity,
                                                        edgeStart: Int32(s), edgeEnd: Int32(out.edges.count)))
                        if count == 0 { break }                           // covers the cell: later ones never win
                    }
                    out.complexStart.append(Int32(out.candidates.count))
                }
                cellCandidates[c].removeAll(keepingCapacity: true)
            }
            empty += columns - usedColumns.count
        }
        out.statistics = TerritoryIndex.Statistics(columns: columns, rows: rows, emptyCells: empty, singleCells: single,
                                                   complexCells: complex, candidates: out.candidates.count,
                                                   storedEdges: out.edges.count, sourceEdges: sourceEdges.count)
        return out
    }
}
