// The point-in-polygon rule shared by `MultiPolygon.contains` (the reference) and `TerritoryIndex` (the fast path).
// Both call `EdgeRule.counts`, so they cannot disagree, and both see a shared edge through the same normalized
// (lower endpoint first) coordinates, so the two polygons beside an edge evaluate it identically.

enum EdgeRule {
    /// Half-open crossing-number rule for one edge and the ray from `p` towards +x.
    ///
    /// `(ax, ay)` must be the lower endpoint (`ay < by`; horizontal edges never count and are never stored). The
    /// edge counts when `ay <= py < by` (an endpoint on the ray's line belongs to the upper side only) and `p` lies
    /// strictly to the left of the upward edge (exact orientation test: a point on the edge does not count).
    @inline(__always)
    static func counts(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double,
                       _ px: Double, _ py: Double) -> Bool {
        guard ay <= py, py < by else { return false }
        return leftOf(ax, ay, bx, by, px, py)
    }

    /// Error bound of the floating-point determinant (Shewchuk, `ccwerrboundA`).
    static let errorBound: Double = {
        let eps = Double.ulpOfOne / 2
        return (3 + 16 * eps) * eps
    }()

    /// Exact sign test: is `p` strictly left of the directed line `a → b`? A floating-point filter decides almost
    /// every case; near-collinear cases fall back to exact expansion arithmetic (no heap allocation).
    @inline(__always)
    static func leftOf(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double,
                       _ px: Double, _ py: Double) -> Bool {
        let l = (bx - ax) * (py - ay)
        let r = (by - ay) * (px - ax)
        let det = l - r
        let sum: Double
        if l > 0 {
            if r <= 0 { return true }
            sum = l + r
        } else if l < 0 {
            if r >= 0 { return false }
            sum = -l - r
        } else {
            return det > 0
        }
        let bound = errorBound * sum
        if det > bound { return true }
        if -det > bound { return false }
        return exactOrientation(ax, ay, bx, by, px, py) > 0
    }

    /// Sign (−1, 0, 1) of `(bx − ax)(py − ay) − (by − ay)(px − ax)`, computed exactly.
    ///
    /// Expanded, the determinant is `bx·py − bx·ay − ax·py − by·px + by·ax + ay·px`; each product is split exactly
    /// into two doubles with a fused multiply-add and the twelve terms are summed exactly as a non-overlapping
    /// expansion (Shewchuk's grow-expansion), whose most significant component carries the sign.
    @inline(never)
    static func exactOrientation(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double,
                                 _ px: Double, _ py: Double) -> Int {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { h -> Int in
            var n = 0
            func grow(_ value: Double) {
                var q = value
                var k = 0
                for i in 0..<n {
                    let e = h[i]
                    let x = q + e
                    let bv = x - q
                    let av = x - bv
                    let err = (q - av) + (e - bv)
                    q = x
                    if err != 0 { h[k] = err; k += 1 }
                }
                if q != 0 || k == 0 { h[k] = q; k += 1 }
                n = k
            }
            func product(_ a: Double, _ b: Double) {
                let p = a * b
                grow(p)
                grow((-p).addingProduct(a, b))
            }
            product(bx, py)
            product(-bx, ay)
            product(-ax, py)
            product(-by, px)
            product(by, ax)
            product(ay, px)
            let top = h[n - 1]
            return top > 0 ? 1 : (top < 0 ? -1 : 0)
        }
    }
}
