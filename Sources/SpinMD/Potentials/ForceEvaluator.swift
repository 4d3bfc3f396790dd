import SpinMDCore

/// A potential together with the Verlet neighbor list that feeds it: what integrators and
/// relaxers call to get energies and forces for the current state.
public final class ForceEvaluator {
    public let potential: any Potential
    public private(set) var neighbors: VerletNeighborList
    /// Time spent in neighbor builds and in the potential.
    public var stopwatch = Stopwatch()
    /// Number of `compute` calls.
    public private(set) var evaluationCount = 0

    /// - Parameter skin: Verlet skin [Å].
    public init(potential: any Potential, skin: Double, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        self.potential = potential
        self.neighbors = VerletNeighborList(cutoff: potential.cutoff, skin: skin, kind: potential.neighborKind, executor: executor)
    }

    /// Number of neighbor-list builds so far.
    public var neighborBuildCount: Int { neighbors.buildCount }

    /// Updates the neighbor list if needed (which may wrap positions) and evaluates the request.
    /// - Throws: `SpinMDError.nonFinite` when an energy or force is NaN or infinite.
    public func compute(_ system: inout AtomicSystem, request: EvaluationRequest, step: Int = 0) throws -> PotentialResult {
        evaluationCount += 1
        stopwatch.measure(.neighbor) { _ = neighbors.update(&system) }
        let list = neighbors.list!
        let result = try stopwatch.measure(.force) {
            try potential.evaluate(system, neighbors: list, request: request)
        }
        if !result.energy.isFinite { throw SpinMDError.nonFinite(quantity: "energy", step: step, atom: 0) }
        if let f = result.forces {
            for i in f.indices where !(f[i].x.isFinite && f[i].y.isFinite && f[i].z.isFinite) {
                throw SpinMDError.nonFinite(quantity: "force", step: step, atom: i)
            }
        }
        return result
    }

    /// Restores the neighbor list of a checkpoint (see `VerletNeighborList.restore`).
    public func restoreNeighbors(referencePositions: [Vector3], cell: Cell) {
        neighbors.restore(referencePositions: referencePositions, cell: cell)
    }
}
