import SpinMDCore

/// A potential that is a sum of pair terms, E = Σ_{i<j, images} φ(|rⱼ − rᵢ|), evaluated over a
/// half neighbor list with Newton's third law, in parallel over atom chunks with per-chunk
/// force buffers reduced in a fixed order (bitwise deterministic for a given thread count).
public final class PairPotential<F: PairFunction>: Potential {
    public let function: F
    public let name: String
    public var executor: ParallelExecutor

    public init(_ function: F, name: String, executor: ParallelExecutor = ParallelExecutor()) {
        self.function = function
        self.name = name
        self.executor = executor
    }

    public var cutoff: Double { function.cutoff }
    public var neighborKind: NeighborList.Kind { .half }

    public func checkSupports(_ species: [Element]) throws {
        for s in Set(species) where function.typeIndex(of: s) == nil {
            throw SpinMDError.unsupportedSpecies(potential: name, symbol: s.symbol)
        }
    }

    private var cachedSpecies: [Element] = []
    private var cachedTypes: [Int32] = []

    /// (atomCount) type index of every atom; cached while the species do not change.
    func typeIndices(_ species: [Element]) throws -> [Int32] {
        if species == cachedSpecies { return cachedTypes }
        cachedTypes = try species.map { e in
            guard let t = function.typeIndex(of: e) else { throw SpinMDError.unsupportedSpecies(potential: name, symbol: e.symbol) }
            return Int32(t)
        }
        cachedSpecies = species
        return cachedTypes
    }

    /// Per-chunk partial sums.
    struct Partial {
        var energy = 0.0
        var virialDiagonal = Vector3.zero
        var virialOffDiagonal = Vector3.zero  // xy, xz, yz
    }

    @_specialize(exported: false, where F == LennardJones)
    public func evaluate(_ system: AtomicSystem, neighbors list: NeighborList, request: EvaluationRequest) throws -> PotentialResult {
        precondition(list.kind == .half, "PairPotential needs a half neighbor list")
        let n = system.atomCount
        let types = try typeIndices(system.species)
        let wantAtomic = request.contains(.atomicEnergies)
        let wantVirial = request.contains(.virial)
        let chunks = executor.partition(cumulative: list.offsets)
        let chunkCount = chunks.count
        // One flat buffer per chunk (zeroed by its own thread), reduced in chunk order in parallel
        // over atom slices: deterministic for a given thread count, no serial O(N) passes.
        // One chunk (one thread) accumulates straight into the result.
        let bufferCount = chunkCount > 1 ? n * chunkCount : 0
        var forceBuffer = [Vector3](unsafeUninitializedCapacity: bufferCount) { _, count in count = bufferCount }
        var atomicBuffer = [Double](repeating: 0, count: wantAtomic ? n * chunkCount : 0)
        var partials = [Partial](repeating: Partial(), count: chunkCount)
        var forces = [Vector3](unsafeUninitializedCapacity: n) { _, count in count = n }
        let fn = function

        system.positions.withUnsafeBufferPointer { pos in
        list.offsets.withUnsafeBufferPointer { offsets in
        list.imageOffsets.withUnsafeBufferPointer { imageOffsets in
        list.neighbors.withUnsafeBufferPointer { neighbors in
        list.shiftIndices.withUnsafeBufferPointer { shiftIndices in
        list.shifts.withUnsafeBufferPointer { shifts in
        types.withUnsafeBufferPointer { type in
        forceBuffer.withUnsafeMutableBufferPointer { fbuf in
        atomicBuffer.withUnsafeMutableBufferPointer { abuf in
        partials.withUnsafeMutableBufferPointer { parts in
        forces.withUnsafeMutableBufferPointer { out in
            let lists = ListPointers(positions: pos, offsets: offsets, imageOffsets: imageOffsets, neighbors: neighbors,
                                     shiftIndices: shiftIndices, shifts: shifts, types: type)
            executor.forEachChunk { c in
                let force = chunkCount == 1 ? out : UnsafeMutableBufferPointer(rebasing: fbuf[(c * n)..<(c * n + n)])
                force.initialize(repeating: .zero)
                let atomic = wantAtomic ? UnsafeMutableBufferPointer(rebasing: abuf[(c * n)..<(c * n + n)]) : abuf
                let uniform = fn.species.count == 1
                switch (wantVirial, wantAtomic, uniform) {
                case (false, false, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, No, Yes>.self)
                case (false, false, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, No, No>.self)
                case (true, false, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, No, Yes>.self)
                case (true, false, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, No, No>.self)
                case (false, true, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, Yes, Yes>.self)
                case (false, true, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, Yes, No>.self)
                case (true, true, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, Yes, Yes>.self)
                case (true, true, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, Yes, No>.self)
                }
            }
            if chunkCount > 1 { executor.forEachChunk { c in
                for i in (n * c / chunkCount)..<(n * (c + 1) / chunkCount) {
                    var f = fbuf[i]
                    for other in 1..<max(1, chunkCount) { f += fbuf[other * n + i] }
                    out[i] = f
                }
            } }
        }}}}}}}}}}}

        var atomic = [Double]()
        if wantAtomic {
            atomic = Array(atomicBuffer[0..<n])
            for c in 1..<max(1, chunkCount) { for i in 0..<n { atomic[i] += atomicBuffer[c * n + i] } }
        }
        var total = partials[0]
        for c in 1..<max(1, chunkCount) {
            total.energy += partials[c].energy
            total.virialDiagonal += partials[c].virialDiagonal
            total.virialOffDiagonal += partials[c].virialOffDiagonal
        }
        var result = PotentialResult(energy: total.energy)
        if request.contains(.forces) { result.forces = forces }
        if wantVirial {
            let d = total.virialDiagonal, o = total.virialOffDiagonal
            result.virial = Matrix3(rows: Vector3(d.x, o.x, o.y), Vector3(o.x, d.y, o.z), Vector3(o.y, o.z, d.z))
        }
        if wantAtomic { result.atomicEnergies = atomic }
        return result
    }

    /// The raw arrays the kernel reads.
    struct ListPointers {
        let positions: UnsafeBufferPointer<Vector3>
        let offsets: UnsafeBufferPointer<Int>
        let imageOffsets: UnsafeBufferPointer<Int>
        let neighbors: UnsafeBufferPointer<Int32>
        let shiftIndices: UnsafeBufferPointer<Int32>
        let shifts: UnsafeBufferPointer<Vector3>
        let types: UnsafeBufferPointer<Int32>
    }

    /// The pair loop over atoms `range`, specialised at compile time on whether the virial and
    /// per-atom energies are accumulated. Forces on i and j go to `force`.
    ///
    /// Neighbors are taken two at a time: both separations are computed, φ and −φ′/r come from
    /// one 2-wide `evaluate2`, and pairs beyond the cutoff are zeroed by a mask instead of a
    /// branch (about 30% of the list lies in the skin, an unpredictable branch per pair). An
    /// odd neighbor is paired with a dummy lane placed beyond the cutoff.
    @inline(__always)
    static func kernel<Options: KernelOptions>(_ fn: F, _ l: ListPointers, _ range: Range<Int>, _ force: UnsafeMutableBufferPointer<Vector3>,
                                               _ atomic: UnsafeMutableBufferPointer<Double>, _: Options.Type) -> Partial {
        let rc2 = fn.cutoff * fn.cutoff
        let typeCount = fn.species.count
        let table = (0..<(typeCount * typeCount)).map { fn.coefficients($0 / typeCount, $0 % typeCount) }
        let far = Vector3(repeating: 2 * fn.cutoff)  // r² = 12 r_c², outside the cutoff
        var p = Partial()
        var energy = SIMD2<Double>.zero
        var wd = Vector3.zero, wo = Vector3.zero
        let pos = l.positions.baseAddress!, nb = l.neighbors.baseAddress!, ty = l.types.baseAddress!
        let f = force.baseAddress!
        table.withUnsafeBufferPointer { tableBuffer in
        let tab = tableBuffer.baseAddress!
        let c00 = tab[0]  // the only type pair when Options.Uniform.on
        for i in range {
            let ri = pos[i]
            let row = Int(ty[i]) * typeCount
            var fi = Vector3.zero
            var ei = SIMD2<Double>.zero
            @inline(__always) func pair2(_ j0: Int, _ d0: Vector3, _ j1: Int, _ d1: Vector3) {
                let dx = SIMD2(d0.x, d1.x), dy = SIMD2(d0.y, d1.y), dz = SIMD2(d0.z, d1.z)
                let r2 = dx * dx + dy * dy + dz * dz
                let c0 = Options.Uniform.on ? c00 : tab[row + Int(ty[j0])]
                let c1 = Options.Uniform.on ? c00 : tab[row + Int(ty[j1])]
                var (u, fr) = F.evaluate2(r2: r2, c0, c1)
                let outside = r2 .>= rc2
                u.replace(with: 0, where: outside)
                fr.replace(with: 0, where: outside)
                energy += u
                let f0 = fr[0] * d0, f1 = fr[1] * d1  // forces on j0, j1
                fi -= f0 + f1
                f[j0] += f0
                f[j1] += f1
                if Options.Virial.on {
                    wd += f0 * d0 + f1 * d1
                    wo += SIMD3(f0.x, f0.x, f0.y) * SIMD3(d0.y, d0.z, d0.z) + SIMD3(f1.x, f1.x, f1.y) * SIMD3(d1.y, d1.z, d1.z)
                }
                if Options.Atomic.on { ei += u; atomic[j0] += 0.5 * u[0]; atomic[j1] += 0.5 * u[1] }
            }
            var k = l.offsets[i]
            let split = l.imageOffsets[i], end = l.offsets[i + 1]
            while k + 1 < split {
                let j0 = Int(nb[k]), j1 = Int(nb[k + 1])
                pair2(j0, pos[j0] - ri, j1, pos[j1] - ri)
                k += 2
            }
            if k < split {
                let j0 = Int(nb[k])
                pair2(j0, pos[j0] - ri, j0, far)
                k += 1
            }
            while k + 1 < end {
                let j0 = Int(nb[k]), j1 = Int(nb[k + 1])
                pair2(j0, pos[j0] + l.shifts[Int(l.shiftIndices[k])] - ri, j1, pos[j1] + l.shifts[Int(l.shiftIndices[k + 1])] - ri)
                k += 2
            }
            if k < end {
                let j0 = Int(nb[k])
                pair2(j0, pos[j0] + l.shifts[Int(l.shiftIndices[k])] - ri, j0, far)
            }
            f[i] += fi
            if Options.Atomic.on { atomic[i] += 0.5 * (ei[0] + ei[1]) }
        }
        }
        p.energy = energy[0] + energy[1]
        p.virialDiagonal = wd
        p.virialOffDiagonal = wo
        return p
    }
}

/// Compile-time switches for the specialised pair kernels.
protocol KernelSwitch { static var on: Bool { get } }
enum Yes: KernelSwitch { static var on: Bool { true } }
enum No: KernelSwitch { static var on: Bool { false } }
/// Virial: accumulate the virial; Atomic: per-atom energies; Uniform: one species, so the pair
/// coefficients are loop constants instead of a per-neighbor table lookup.
protocol KernelOptions { associatedtype Virial: KernelSwitch; associatedtype Atomic: KernelSwitch; associatedtype Uniform: KernelSwitch }
enum Flags<V: KernelSwitch, A: KernelSwitch, U: KernelSwitch>: KernelOptions { typealias Virial = V; typealias Atomic = A; typealias Uniform = U }
