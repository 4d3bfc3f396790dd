/// A potential that is a sum of pair terms, E = Σ_{i<j, images} φ(|rⱼ − rᵢ|), evaluated over a
/// half neighbor list with Newton's third law, in parallel over atom chunks with per-chunk
/// force buffers reduced in a fixed order (deterministic for a given thread count).
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

    public func evaluate(_ system: AtomicSystem, neighbors list: NeighborList, request: EvaluationRequest) throws -> PotentialResult {
        precondition(list.kind == .half, "PairPotential needs a half neighbor list")
        let n = system.atomCount
        var types = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            guard let t = function.typeIndex(of: system.species[i]) else {
                throw SpinMDError.unsupportedSpecies(potential: name, symbol: system.species[i].symbol)
            }
            types[i] = Int32(t)
        }
        let wantAtomic = request.contains(.atomicEnergies)
        let chunks = executor.partition(cumulative: list.offsets)
        let chunkCount = chunks.count
        // Chunk 0 writes straight into the result; others into their own buffers.
        var forceBuffers = [[Vector3]](repeating: [Vector3](repeating: .zero, count: n), count: chunkCount)
        var atomicBuffers = [[Double]](repeating: wantAtomic ? [Double](repeating: 0, count: n) : [], count: chunkCount)
        var energies = [Double](repeating: 0, count: chunkCount)
        var virialDiagonal = [Vector3](repeating: .zero, count: chunkCount)
        var virialOffDiagonal = [Vector3](repeating: .zero, count: chunkCount)  // xy, xz, yz
        let fn = function
        let rc2 = fn.cutoff * fn.cutoff

        system.positions.withUnsafeBufferPointer { pos in
        list.offsets.withUnsafeBufferPointer { offsets in
        list.entries.withUnsafeBufferPointer { entries in
        list.shifts.withUnsafeBufferPointer { shifts in
        types.withUnsafeBufferPointer { type in
        forceBuffers.withUnsafeMutableBufferPointer { fbufs in
        atomicBuffers.withUnsafeMutableBufferPointer { abufs in
        energies.withUnsafeMutableBufferPointer { ebuf in
        virialDiagonal.withUnsafeMutableBufferPointer { vd in
        virialOffDiagonal.withUnsafeMutableBufferPointer { vo in
            executor.forEachChunk { c in
                fbufs[c].withUnsafeMutableBufferPointer { force in
                abufs[c].withUnsafeMutableBufferPointer { atomic in
                    var energy = 0.0
                    var wd = Vector3.zero, wo = Vector3.zero
                    for i in chunks[c] {
                        let ri = pos[i]
                        let ti = Int(type[i])
                        var fi = Vector3.zero
                        for e in offsets[i]..<offsets[i + 1] {
                            let entry = entries[e]
                            let j = Int(entry.j)
                            let d = pos[j] + shifts[Int(entry.shift)] - ri
                            let r2 = d.x * d.x + d.y * d.y + d.z * d.z
                            if r2 >= rc2 { continue }
                            let (u, fr) = fn.evaluate(r2: r2, ti, Int(type[j]))
                            energy += u
                            let f = fr * d  // force on j
                            fi -= f
                            force[j] += f
                            wd += f * d
                            wo += SIMD3(f.x, f.x, f.y) * SIMD3(d.y, d.z, d.z)
                            if wantAtomic { atomic[i] += 0.5 * u; atomic[j] += 0.5 * u }
                        }
                        force[i] += fi
                    }
                    ebuf[c] = energy
                    vd[c] = wd
                    vo[c] = wo
                }
                }
            }
        }}}}}}}}}}

        var forces = forceBuffers[0]
        var energy = energies[0]
        var wd = virialDiagonal[0], wo = virialOffDiagonal[0]
        var atomic = atomicBuffers[0]
        for c in 1..<max(1, chunkCount) {
            let other = forceBuffers[c]
            for i in 0..<n { forces[i] += other[i] }
            if wantAtomic { for i in 0..<n { atomic[i] += atomicBuffers[c][i] } }
            energy += energies[c]
            wd += virialDiagonal[c]
            wo += virialOffDiagonal[c]
        }
        var result = PotentialResult(energy: energy)
        if request.contains(.forces) { result.forces = forces }
        if request.contains(.virial) {
            result.virial = Matrix3(rows: Vector3(wd.x, wo.x, wo.y), Vector3(wo.x, wd.y, wo.z), Vector3(wo.y, wo.z, wd.z))
        }
        if wantAtomic { result.atomicEnergies = atomic }
        return result
    }
}
