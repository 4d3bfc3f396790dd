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
        var forceBuffer = [Vector3](unsafeUninitializedCapacity: n * chunkCount) { _, count in count = n * chunkCount }
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
                let force = UnsafeMutableBufferPointer(rebasing: fbuf[(c * n)..<(c * n + n)])
                force.initialize(repeating: .zero)
                let atomic = wantAtomic ? UnsafeMutableBufferPointer(rebasing: abuf[(c * n)..<(c * n + n)]) : abuf
                switch (wantVirial, wantAtomic) {
                case (false, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, No>.self)
                case (true, false): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, No>.self)
                case (false, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<No, Yes>.self)
                case (true, true): parts[c] = Self.kernel(fn, lists, chunks[c], force, atomic, Flags<Yes, Yes>.self)
                }
            }
            executor.forEachChunk { c in
                for i in (n * c / chunkCount)..<(n * (c + 1) / chunkCount) {
                    var f = fbuf[i]
                    for other in 1..<max(1, chunkCount) { f += fbuf[other * n + i] }
                    out[i] = f
                }
            }
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
    @inline(__always)
    static func kernel<Options: KernelOptions>(_ fn: F, _ l: ListPointers, _ range: Range<Int>, _ force: UnsafeMutableBufferPointer<Vector3>,
                                               _ atomic: UnsafeMutableBufferPointer<Double>, _: Options.Type) -> Partial {
        let rc2 = fn.cutoff * fn.cutoff
        let typeCount = fn.species.count
        let table = (0..<(typeCount * typeCount)).map { fn.coefficients($0 / typeCount, $0 % typeCount) }
        var p = Partial()
        var energy = 0.0
        var wd = Vector3.zero, wo = Vector3.zero
        for i in range {
            let ri = l.positions[i]
            let row = Int(l.types[i]) * typeCount
            var fi = Vector3.zero
            @inline(__always) func pair(_ j: Int, _ d: Vector3) {
                let r2 = d.x * d.x + d.y * d.y + d.z * d.z
                if r2 >= rc2 { return }
                let (u, fr) = F.evaluate(r2: r2, table[row + Int(l.types[j])])
                energy += u
                let f = fr * d  // force on j
                fi -= f
                force[j] += f
                if Options.Virial.on {
                    wd += f * d
                    wo += SIMD3(f.x, f.x, f.y) * SIMD3(d.y, d.z, d.z)
                }
                if Options.Atomic.on { atomic[i] += 0.5 * u; atomic[j] += 0.5 * u }
            }
            let split = l.imageOffsets[i]
            for k in l.offsets[i]..<split {
                let j = Int(l.neighbors[k])
                pair(j, l.positions[j] - ri)
            }
            for k in split..<l.offsets[i + 1] {
                let j = Int(l.neighbors[k])
                pair(j, l.positions[j] + l.shifts[Int(l.shiftIndices[k])] - ri)
            }
            force[i] += fi
        }
        p.energy = energy
        p.virialDiagonal = wd
        p.virialOffDiagonal = wo
        return p
    }
}

/// Compile-time switches for the specialised pair kernels.
protocol KernelSwitch { static var on: Bool { get } }
enum Yes: KernelSwitch { static var on: Bool { true } }
enum No: KernelSwitch { static var on: Bool { false } }
protocol KernelOptions { associatedtype Virial: KernelSwitch; associatedtype Atomic: KernelSwitch }
enum Flags<V: KernelSwitch, A: KernelSwitch>: KernelOptions { typealias Virial = V; typealias Atomic = A }
