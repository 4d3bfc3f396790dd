import Foundation
import SpinMDCore

/// Builds neighbor lists with linked cells (bins) laid out along the cell's own axes.
///
/// Bins are slabs of equal width measured along each face normal, so a triclinic cell is binned
/// as tightly as an orthorhombic one: a point within distance r of another lies at most
/// ⌈r / w_a⌉ bins away along axis a, where w_a is the bin width along that face normal. When the
/// cell is thinner than the radius along an axis the stencil runs over several periodic images
/// (each visit of a bin carries its own lattice translation), so a 2-atom cell with a 5 Å cutoff
/// gets every image it needs. Non-periodic axes are binned over the atoms' extent and not wrapped.
///
/// Memory is proportional to the atom count and the images one radius spans, however far atoms
/// sit outside the cell: they are wrapped into it before binning, and the translations of pairs
/// between atoms that sat in distant images are tabulated only as they occur (limits and
/// checks of what it can be given: CellListBuilder+Limits.swift).
public struct CellListBuilder: Sendable {
    /// Preferred bin width as a fraction of the radius (½ as LAMMPS's default binsize).
    public var binFraction: Double = 0.5
    /// Threads for the pair search (the result does not depend on it).
    public var executor: ParallelExecutor

    public init(executor: ParallelExecutor = ParallelExecutor(threads: 1)) { self.executor = executor }

    /// - Parameters:
    ///   - positions: (atomCount, 3) positions [Å]; need not be wrapped, but must pass
    ///     `firstInvalidPosition` (finite, within 10⁸ cells), and the radius `checkRadius`.
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
            binCount[a] = width > 0 ? max(1, Int(width / (radius * binFraction))) : 1
        }
        // A short radius in a big box would make far more bins than atoms: coarsen to ≤ 2N bins.
        let binLimit = Double(max(8, 2 * n))
        let product = Double(binCount.x) * Double(binCount.y) * Double(binCount.z)
        if product > binLimit {
            let shrink = pow(product / binLimit, 1.0 / 3)
            for a in 0..<3 { binCount[a] = max(1, Int(Double(binCount[a]) / shrink)) }
        }
        for a in 0..<3 {
            let width = span[a] * face[a]
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
        var slot = [Int](repeating: 0, count: n)  // where atom i sits in `binned`
        for i in 0..<n { binned[fill[binOf[i]]] = Int32(i); slot[i] = fill[binOf[i]]; fill[binOf[i]] += 1 }
        var binOccupancy = 0
        for b in 0..<totalBins { binOccupancy = max(binOccupancy, binStart[b + 1] - binStart[b]) }

        // Shift table: every translation the stencil can produce between wrapped atoms, indexed
        // directly. Translations between atoms that sat in distant images (unwrapped input) lie
        // outside it; they are appended after the search as they occur, so the table never
        // grows with how far an atom sits outside the cell.
        var bound = SIMD3<Int32>.zero
        for a in 0..<3 where cell.pbc[a] {
            bound[a] = Int32((reach[a] + binCount[a] - 1) / binCount[a] + 1)
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
        @inline(__always) func inTable(_ l: SIMD3<Int32>) -> Bool {
            l.x >= -bound.x && l.x <= bound.x && l.y >= -bound.y && l.y <= bound.y && l.z >= -bound.z && l.z <= bound.z
        }

        // Per-axis stencil tables, indexed by bin·(2·reach + 1) + offset: the neighbor bin (−1
        // outside a non-periodic box), its lattice translation and that translation's Cartesian part.
        struct AxisStencil { var bin: [Int] = [], lattice: [Int32] = [], vector: [Vector3] = [] }
        func axisStencil(_ a: Int) -> AxisStencil {
            var t = AxisStencil()
            let r = reach[a], c = binCount[a]
            for b in 0..<c {
                for d in -r...r {
                    let k = b + d
                    if cell.pbc[a] {
                        let q = Int((Double(k) / Double(c)).rounded(.down))
                        t.bin.append(k - q * c)
                        t.lattice.append(Int32(q))
                        t.vector.append(Double(q) * cell.matrix[a])
                    } else {
                        t.bin.append(k >= 0 && k < c ? k : -1)
                        t.lattice.append(0)
                        t.vector.append(.zero)
                    }
                }
            }
            return t
        }
        let sx = axisStencil(0), sy = axisStencil(1), sz = axisStencil(2)
        let wrapped = frac.map { cell.cartesian($0) }
        let binnedPositions = binned.map { wrapped[Int($0)] }  // contiguous per bin for the search
        let r2 = radius * radius
        let zeroShift = shiftIndex(.zero)

        // With every atom inside the cell (the usual case: the Verlet list wraps positions before
        // a build), a candidate's translation is that of its stencil bin, so bins without a
        // translation are scanned without a branch per candidate (about 3 in 4 candidates are
        // rejected, unpredictably).
        let unwrapped = image.contains { $0 != .zero }
        let stencilBins = (2 * reach.x + 1) * (2 * reach.y + 1) * (2 * reach.z + 1)
        let candidateBound = stencilBins * binOccupancy  // most candidates one atom can accept

        /// Neighbors of atoms `range`: flat arrays plus per-atom counts (same-image, total), and
        /// the entries (index into the flat arrays) whose translation is outside the table.
        func search(_ range: Range<Int>) -> (neighbors: [Int32], shifts: [Int32], sameImage: [Int], total: [Int], far: [(Int, SIMD3<Int32>)]) {
            var capacity = max(1024, range.count * 48, candidateBound)
            var buffer = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            var shiftBuffer = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            defer { buffer.deallocate(); shiftBuffer.deallocate() }
            var count = 0
            var sameImage = [Int](), total = [Int]()
            sameImage.reserveCapacity(range.count)
            total.reserveCapacity(range.count)
            var crossing: [(Int32, Int32)] = []
            var farCrossing: [(Int32, SIMD3<Int32>)] = []
            var far: [(Int, SIMD3<Int32>)] = []
            let wx = 2 * reach.x + 1, wy = 2 * reach.y + 1, wz = 2 * reach.z + 1
            binned.withUnsafeBufferPointer { binned in
            binnedPositions.withUnsafeBufferPointer { binnedPositions in
            binStart.withUnsafeBufferPointer { binStart in
            for i in range {
                if count + candidateBound + crossing.count + farCrossing.count > capacity {
                    let grown = max(2 * capacity, count + candidateBound + crossing.count + farCrossing.count)
                    let b = UnsafeMutablePointer<Int32>.allocate(capacity: grown), s = UnsafeMutablePointer<Int32>.allocate(capacity: grown)
                    b.update(from: buffer, count: count); s.update(from: shiftBuffer, count: count)
                    buffer.deallocate(); shiftBuffer.deallocate()
                    buffer = b; shiftBuffer = s; capacity = grown
                }
                let start = count
                let b = binOf[i]
                let bz = b % binCount.z, by = (b / binCount.z) % binCount.y, bx = b / (binCount.z * binCount.y)
                let ri = wrapped[i]
                // A half list visits only the half of the stencil with offset d ≥ 0 (lexicographic),
                // and within the atom's own bin (d = 0) only atoms j > i: pair (i, j) is met from
                // i through d exactly when it is met from j through −d, so each pair comes once.
                // Atoms sit in their bin in index order, so j > i are those after i's slot.
                let half = kind == .half
                for ox in (half ? 0 : -reach.x)...reach.x {
                    let dx = bx * wx + ox + reach.x
                    let ex = sx.bin[dx]
                    if ex < 0 { continue }
                    for oy in (half && ox == 0 ? 0 : -reach.y)...reach.y {
                        let dy = by * wy + oy + reach.y
                        let ey = sy.bin[dy]
                        if ey < 0 { continue }
                        let exy = (ex * binCount.y + ey) * binCount.z
                        let vxy = sx.vector[dx] + sy.vector[dy]
                        for oz in (half && ox == 0 && oy == 0 ? 0 : -reach.z)...reach.z {
                            let dz = bz * wz + oz + reach.z
                            let ez = sz.bin[dz]
                            if ez < 0 { continue }
                            let nb = exy + ez
                            let l = SIMD3<Int32>(sx.lattice[dx], sy.lattice[dy], sz.lattice[dz])
                            let lshift = vxy + sz.vector[dz]
                            let sameBin = ox == 0 && oy == 0 && oz == 0
                            let first = sameBin && half ? slot[i] + 1 : binStart[nb]
                            if !unwrapped && l == .zero {
                                // Same image, no branch: store every candidate, keep those within r.
                                let selfIndex = sameBin ? Int32(i) : -1  // a full list skips j = i
                                for p in first..<binStart[nb + 1] {
                                    let j = binned[p]
                                    let d = binnedPositions[p] + lshift - ri
                                    buffer[count] = j
                                    count &+= (d.x * d.x + d.y * d.y + d.z * d.z <= r2 ? 1 : 0) & (j != selfIndex ? 1 : 0)  // no short-circuit branch
                                }
                                continue
                            }
                            for p in first..<binStart[nb + 1] {
                                let j = Int(binned[p])
                                if sameBin && j == i { continue }
                                let d = binnedPositions[p] + lshift - ri
                                if d.x * d.x + d.y * d.y + d.z * d.z <= r2 {
                                    // Translation in terms of the caller's (unwrapped) positions.
                                    let t = l &- image[j] &+ image[i]
                                    guard inTable(t) else { farCrossing.append((Int32(j), t)); continue }
                                    let k = shiftIndex(t)
                                    if k == zeroShift {
                                        buffer[count] = Int32(j)
                                        count += 1
                                    } else {
                                        crossing.append((Int32(j), k))
                                    }
                                }
                            }
                        }
                    }
                }
                for q in start..<count { shiftBuffer[q] = zeroShift }
                sameImage.append(count - start)
                for (j, k) in crossing { buffer[count] = j; shiftBuffer[count] = k; count += 1 }
                crossing.removeAll(keepingCapacity: true)
                for (j, t) in farCrossing { buffer[count] = j; shiftBuffer[count] = -1; far.append((count, t)); count += 1 }
                farCrossing.removeAll(keepingCapacity: true)
                total.append(count - start)
            }
            }}}
            let neighbors = [Int32](UnsafeBufferPointer(start: buffer, count: count))
            let shiftIndices = [Int32](UnsafeBufferPointer(start: shiftBuffer, count: count))
            return (neighbors, shiftIndices, sameImage, total, far)
        }

        // Chunks of atoms searched in parallel, concatenated in atom order (deterministic).
        let chunkCount = n >= 2048 ? executor.threads : 1
        let ranges = (0..<chunkCount).map { c in (n * c / chunkCount)..<(n * (c + 1) / chunkCount) }
        var parts = [(neighbors: [Int32], shifts: [Int32], sameImage: [Int], total: [Int], far: [(Int, SIMD3<Int32>)])](repeating: ([], [], [], [], []), count: chunkCount)
        parts.withUnsafeMutableBufferPointer { out in
            if chunkCount == 1 { out[0] = search(ranges[0]) } else {
                executor.forEachChunk { c in if c < chunkCount { out[c] = search(ranges[c]) } }
            }
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        var imageOffsets = [Int](repeating: 0, count: n)
        var i = 0
        var partStart = [Int]()
        for part in parts {
            partStart.append(offsets[i])
            for a in part.total.indices {
                imageOffsets[i] = offsets[i] + part.sameImage[a]
                offsets[i + 1] = offsets[i] + part.total[a]
                i += 1
            }
        }
        var neighbors: [Int32], shiftIndices: [Int32]
        if chunkCount == 1 {
            neighbors = parts[0].neighbors
            shiftIndices = parts[0].shifts
        } else {
            let total = offsets[n]
            neighbors = [Int32](unsafeUninitializedCapacity: total) { _, c in c = total }
            shiftIndices = [Int32](unsafeUninitializedCapacity: total) { _, c in c = total }
            neighbors.withUnsafeMutableBufferPointer { nb in
                shiftIndices.withUnsafeMutableBufferPointer { sh in
                    executor.forEachChunk { c in
                        guard c < chunkCount else { return }
                        let start = partStart[c]
                        parts[c].neighbors.withUnsafeBufferPointer { src in
                            _ = UnsafeMutableBufferPointer(rebasing: nb[start..<(start + src.count)]).initialize(fromContentsOf: src)
                        }
                        parts[c].shifts.withUnsafeBufferPointer { src in
                            _ = UnsafeMutableBufferPointer(rebasing: sh[start..<(start + src.count)]).initialize(fromContentsOf: src)
                        }
                    }
                }
            }
        }
        // Translations outside the table, numbered in atom order (deterministic) as they occur.
        var farIndex: [SIMD3<Int32>: Int32] = [:]
        for (c, part) in parts.enumerated() {
            for (k, t) in part.far {
                let index: Int32
                if let known = farIndex[t] { index = known } else {
                    index = Int32(lattice.count)
                    farIndex[t] = index
                    lattice.append(t)
                    shifts.append(cell.cartesian(Vector3(Double(t.x), Double(t.y), Double(t.z))))
                }
                shiftIndices[partStart[c] + k] = index
            }
        }
        return NeighborList(kind: kind, radius: radius, offsets: offsets, imageOffsets: imageOffsets, neighbors: neighbors,
                            shiftIndices: shiftIndices, shifts: shifts, latticeShifts: lattice)
    }
}

