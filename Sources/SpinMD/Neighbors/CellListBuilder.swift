/// Builds neighbor lists with linked cells (bins) laid out along the cell's own axes.
///
/// Bins are slabs of equal width measured along each face normal, so a triclinic cell is binned
/// as tightly as an orthorhombic one: a point within distance r of another lies at most
/// ⌈r / w_a⌉ bins away along axis a, where w_a is the bin width along that face normal. When the
/// cell is thinner than the radius along an axis the stencil runs over several periodic images
/// (each visit of a bin carries its own lattice translation), so a 2-atom cell with a 5 Å cutoff
/// gets every image it needs. Non-periodic axes are binned over the atoms' extent and not wrapped.
public struct CellListBuilder: Sendable {
    /// Preferred bin width as a fraction of the radius (½ as LAMMPS's default binsize).
    public var binFraction: Double = 0.5

    public init() {}

    /// - Parameters:
    ///   - positions: (atomCount, 3) positions [Å]; need not be wrapped.
    ///   - radius: list radius [Å].
    public func build(positions: [Vector3], cell: Cell, radius: Double, kind: NeighborList.Kind) -> NeighborList {
        let n = positions.count
        precondition(radius > 0)
        let face = cell.faceDistances
        // Fractional coordinates: wrapped along periodic axes, with the integer image each atom sat in.
        var frac = [Vector3](repeating: .zero, count: n)
        var image = [SIMD3<Int32>](repeating: .zero, count: n)
        var lower = Vector3(repeating: .infinity), upper = Vector3(repeating: -.infinity)
        for i in 0..<n {
            var s = cell.fractional(positions[i])
            var m = SIMD3<Int32>.zero
            for a in 0..<3 where cell.pbc[a] {
                let f = s[a].rounded(.down)
                s[a] -= f
                if s[a] >= 1 { s[a] -= 1; m[a] += 1 }
                m[a] += Int32(f)
            }
            frac[i] = s
            image[i] = m
            lower = pointwiseMin(lower, s)
            upper = pointwiseMax(upper, s)
        }
        // Bins along each axis.
        var binCount = SIMD3<Int>(repeating: 1)
        var origin = Vector3.zero, span = Vector3(repeating: 1)  // fractional range binned
        var reach = SIMD3<Int>.zero  // stencil half-width in bins
        for a in 0..<3 {
            if !cell.pbc[a] {
                origin[a] = n > 0 ? lower[a] : 0
                span[a] = n > 0 ? max(upper[a] - lower[a], 0) : 0
            }
            let width = span[a] * face[a]  // extent along the face normal [Å]
            let count = width > 0 ? max(1, Int(width / (radius * binFraction))) : 1
            binCount[a] = min(count, max(1, n))  // never more bins than atoms along one axis
            let binWidth = width / Double(binCount[a])
            if cell.pbc[a] {
                reach[a] = Int((radius / binWidth).rounded(.up))
            } else {
                reach[a] = binWidth > 0 ? min(binCount[a] - 1, Int((radius / binWidth).rounded(.up))) : 0
            }
            if span[a] == 0 { span[a] = 1 }
        }
        // Counting sort of atoms into bins.
        let totalBins = binCount.x * binCount.y * binCount.z
        var binOf = [Int](repeating: 0, count: n)
        var binStart = [Int](repeating: 0, count: totalBins + 1)
        for i in 0..<n {
            var idx = SIMD3<Int>.zero
            for a in 0..<3 {
                let t = (frac[i][a] - origin[a]) / span[a]
                idx[a] = max(0, min(binCount[a] - 1, Int(t * Double(binCount[a]))))
            }
            let b = (idx.x * binCount.y + idx.y) * binCount.z + idx.z
            binOf[i] = b
            binStart[b + 1] += 1
        }
        for b in 0..<totalBins { binStart[b + 1] += binStart[b] }
        var fill = binStart
        var binned = [Int32](repeating: 0, count: n)
        for i in 0..<n { binned[fill[binOf[i]]] = Int32(i); fill[binOf[i]] += 1 }

        // Shift table: every integer translation that can occur, indexed directly.
        var bound = SIMD3<Int32>.zero
        var imageMin = SIMD3<Int32>(repeating: 0), imageMax = SIMD3<Int32>(repeating: 0)
        if n > 0 {
            imageMin = image[0]; imageMax = image[0]
            for m in image { imageMin = pointwiseMin(imageMin, m); imageMax = pointwiseMax(imageMax, m) }
        }
        for a in 0..<3 where cell.pbc[a] {
            bound[a] = Int32((reach[a] + binCount[a] - 1) / binCount[a] + 1) + imageMax[a] - imageMin[a]
        }
        let side = 2 &* bound &+ 1
        var shifts = [Vector3](), lattice = [SIMD3<Int32>]()
        shifts.reserveCapacity(Int(side.x * side.y * side.z))
        for x in -bound.x...bound.x {
            for y in -bound.y...bound.y {
                for z in -bound.z...bound.z {
                    let l = SIMD3<Int32>(x, y, z)
                    lattice.append(l)
                    shifts.append(cell.cartesian(Vector3(Double(x), Double(y), Double(z))))
                }
            }
        }
        @inline(__always) func shiftIndex(_ l: SIMD3<Int32>) -> Int32 {
            ((l.x + bound.x) * side.y + (l.y + bound.y)) * side.z + (l.z + bound.z)
        }

        // Per-axis stencil tables: neighbor bin and lattice translation for (bin, offset).
        func axisTable(_ a: Int) -> [(bin: Int, lattice: Int32)?] {
            var t: [(bin: Int, lattice: Int32)?] = []
            let r = reach[a], c = binCount[a]
            for b in 0..<c {
                for d in -r...r {
                    let k = b + d
                    if cell.pbc[a] {
                        let q = Int((Double(k) / Double(c)).rounded(.down))
                        t.append((k - q * c, Int32(q)))
                    } else {
                        t.append(k >= 0 && k < c ? (k, 0) : nil)
                    }
                }
            }
            return t
        }
        let tables = (axisTable(0), axisTable(1), axisTable(2))
        let wrapped = frac.map { cell.cartesian($0) }
        let r2 = radius * radius
        var offsets = [Int](repeating: 0, count: n + 1)
        var entries = [NeighborList.Entry]()
        entries.reserveCapacity(n * 64)
        for i in 0..<n {
            let b = binOf[i]
            let bz = b % binCount.z, by = (b / binCount.z) % binCount.y, bx = b / (binCount.z * binCount.y)
            let ri = wrapped[i]
            let wx = 2 * reach.x + 1, wy = 2 * reach.y + 1, wz = 2 * reach.z + 1
            for dx in 0..<wx {
                guard let ex = tables.0[bx * wx + dx] else { continue }
                for dy in 0..<wy {
                    guard let ey = tables.1[by * wy + dy] else { continue }
                    for dz in 0..<wz {
                        guard let ez = tables.2[bz * wz + dz] else { continue }
                        let nb = (ex.bin * binCount.y + ey.bin) * binCount.z + ez.bin
                        let l = SIMD3<Int32>(ex.lattice, ey.lattice, ez.lattice)
                        let lshift = cell.cartesian(Vector3(Double(l.x), Double(l.y), Double(l.z)))
                        for p in binStart[nb]..<binStart[nb + 1] {
                            let j = Int(binned[p])
                            let isSelf = j == i && l == .zero
                            if isSelf { continue }
                            if kind == .half {
                                if j < i { continue }
                                if j == i && !lexicographicallyPositive(l) { continue }
                            }
                            let d = wrapped[j] + lshift - ri
                            if d.normSquared <= r2 {
                                // Translation in terms of the caller's (unwrapped) positions.
                                let total = l &- image[j] &+ image[i]
                                entries.append(.init(j: Int32(j), shift: shiftIndex(total)))
                            }
                        }
                    }
                }
            }
            offsets[i + 1] = entries.count
        }
        return NeighborList(kind: kind, radius: radius, offsets: offsets, entries: entries,
                            shifts: shifts, latticeShifts: lattice)
    }
}

@inline(__always) func lexicographicallyPositive(_ l: SIMD3<Int32>) -> Bool {
    l.x > 0 || (l.x == 0 && (l.y > 0 || (l.y == 0 && l.z > 0)))
}
