import SpinMDCore

/// The O(N²) reference: every pair and every periodic image within the radius, by direct search.
/// Used by the tests as the oracle for `CellListBuilder`; too slow for production.
public enum BruteForceNeighbors {
    /// A pair as (i, j, lattice translation in units of a, b, c), with rⱼ + n·H − rᵢ within the radius.
    public struct Pair: Hashable, Sendable {
        public var i: Int, j: Int, image: SIMD3<Int32>
        public init(i: Int, j: Int, image: SIMD3<Int32>) { self.i = i; self.j = j; self.image = image }
    }

    /// All ordered pairs (a full list) within `radius`.
    public static func pairs(positions: [Vector3], cell: Cell, radius: Double) -> Set<Pair> {
        let face = cell.faceDistances
        var range = SIMD3<Int32>.zero
        // Positions may lie outside the cell: widen the image range by their fractional spread.
        var lo = Vector3(repeating: .infinity), hi = Vector3(repeating: -.infinity)
        for r in positions { let s = cell.fractional(r); lo = pointwiseMin(lo, s); hi = pointwiseMax(hi, s) }
        for a in 0..<3 where cell.pbc[a] { range[a] = Int32((radius / face[a] + hi[a] - lo[a]).rounded(.up)) }
        var result = Set<Pair>()
        for i in positions.indices {
            for j in positions.indices {
                for x in -range.x...range.x {
                    for y in -range.y...range.y {
                        for z in -range.z...range.z {
                            if i == j && x == 0 && y == 0 && z == 0 { continue }
                            let d = positions[j] + cell.cartesian(Vector3(Double(x), Double(y), Double(z))) - positions[i]
                            if d.normSquared <= radius * radius { result.insert(Pair(i: i, j: j, image: SIMD3(x, y, z))) }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The pairs of a neighbor list in the same form, for comparison with `pairs`.
    public static func pairs(of list: NeighborList) -> [Pair] {
        var out: [Pair] = []
        for i in 0..<list.atomCount {
            for k in list.offsets[i]..<list.offsets[i + 1] {
                out.append(Pair(i: i, j: Int(list.neighbors[k]), image: list.latticeShifts[Int(list.shiftIndices[k])]))
            }
        }
        return out
    }
}
