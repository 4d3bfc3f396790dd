import SpinMDCore

/// The O(N²) reference: every pair and every periodic image within the radius, by direct search.
/// Used by the tests as the oracle for `CellListBuilder`; too slow for production.
public enum BruteForceNeighbors {
    /// A pair as (i, j, lattice translation in units of a, b, c), with rⱼ + n·H − rᵢ within the radius.
    public struct Pair: Hashable, Sendable {
        public var i: Int, j: Int, image: SIMD3<Int32>
        public init(i: Int, j: Int, image: SIMD3<Int32>) { self.i = i; self.j = j; self.image = image }
    }

    /// All ordered pairs (a full list) within `radius`. For each pair every lattice translation n
    /// with |rⱼ + n·H − rᵢ| ≤ r is found by trying each n in the window that must contain them
    /// all, |sⱼ − sᵢ + n|ₐ ≤ r/dₐ along each periodic axis (s fractional, dₐ the face distance),
    /// so atoms far outside the cell cost no more than atoms inside it.
    public static func pairs(positions: [Vector3], cell: Cell, radius: Double) -> Set<Pair> {
        let face = cell.faceDistances
        let fractional = positions.map { cell.fractional($0) }
        var result = Set<Pair>()
        for i in positions.indices {
            for j in positions.indices {
                var lo = SIMD3<Int32>.zero, hi = SIMD3<Int32>.zero
                for a in 0..<3 where cell.pbc[a] {
                    let s = fractional[j][a] - fractional[i][a], w = radius / face[a]
                    lo[a] = Int32((-s - w).rounded(.down)) - 1
                    hi[a] = Int32((-s + w).rounded(.up)) + 1
                }
                for x in lo.x...hi.x {
                    for y in lo.y...hi.y {
                        for z in lo.z...hi.z {
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
