import SpinMDCore

/// A potential together with the Verlet neighbor list that feeds it: what integrators and
/// relaxers call to get energies and forces for the current state. The neighbor list's
/// reference is saved in checkpoints (section "neighbors").
public final class ForceEvaluator: Checkpointable {
    public let potential: any Potential
    public private(set) var neighbors: VerletNeighborList
    /// Time spent in neighbor builds and in the potential.
    public var stopwatch = Stopwatch()
    /// Number of `compute` calls.
    public private(set) var evaluationCount = 0
    /// The cell the list radius was last checked against (`CellListBuilder.checkRadius`).
    private var checkedCell: Cell?

    /// - Parameter skin: Verlet skin [Å].
    public init(potential: any Potential, skin: Double, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        self.potential = potential
        self.neighbors = VerletNeighborList(cutoff: potential.cutoff, skin: skin, kind: potential.neighborKind, executor: executor)
    }

    /// Number of neighbor-list builds so far.
    public var neighborBuildCount: Int { neighbors.buildCount }

    /// Updates the neighbor list if needed (which may wrap positions) and evaluates the request.
    /// - Throws: `SpinMDError.runaway` when a position is not finite or absurdly far away (a NaN
    ///   position has no neighbours, so the potential would return a finite energy for it);
    ///   `SpinMDError.unsupported` when cutoff + skin is beyond what the neighbour list takes for
    ///   this cell; `SpinMDError.nonFinite` when an energy, force or virial is NaN or infinite.
    public func compute(_ system: inout AtomicSystem, request: EvaluationRequest, step: Int = 0) throws -> PotentialResult {
        evaluationCount += 1
        if let (i, problem) = CellListBuilder.firstInvalidPosition(system.positions, cell: system.cell) {
            let atom = "atom \(i + 1) (\(system.species[i].symbol))"
            if step == 0 { throw SpinMDError.unsupported("\(atom) of the starting structure \(problem)") }
            throw SpinMDError.runaway(step: step, message: "\(atom) \(problem); nothing of this step was written, outputs end at the last good step")
        }
        if checkedCell != system.cell {
            try CellListBuilder.checkRadius(neighbors.cutoff + neighbors.skin, cell: system.cell,
                                            what: "the neighbour-list radius (cutoff \(neighbors.cutoff) Å + neighbor.skin_A \(neighbors.skin) Å)")
            checkedCell = system.cell
        }
        stopwatch.measure(.neighbor) { _ = neighbors.update(&system) }
        let list = neighbors.list!
        let result = try stopwatch.measure(.force) {
            try potential.evaluate(system, neighbors: list, request: request)
        }
        if !result.energy.isFinite { throw SpinMDError.nonFinite(quantity: "energy", step: step, atom: 0) }
        if let f = result.forces {
            for i in f.indices where !f[i].isFinite {
                throw SpinMDError.nonFinite(quantity: "force", step: step, atom: i)
            }
        }
        if let w = result.virial, !w.isFinite {
            throw SpinMDError.runaway(step: step, message: "the potential returned a non-finite virial (stress); nothing of this step was written, outputs end at the last good step")
        }
        return result
    }

    /// Restores the neighbor list of a checkpoint (see `VerletNeighborList.restore`).
    public func restoreNeighbors(referencePositions: [Vector3], cell: Cell) {
        neighbors.restore(referencePositions: referencePositions, cell: cell)
    }

    public var checkpointSection: String { "neighbors" }

    /// Arrays "reference_positions" (atomCount·3) [Å] and "reference_cell" (9, rows) [Å], words
    /// "pbc" (3, 0 or 1): what the current list was built from; nil before the first build.
    public func checkpointState() -> CheckpointSection? {
        guard let cell = neighbors.referenceCell else { return nil }
        return CheckpointSection(arrays: ["reference_positions": neighbors.referencePositions.flattened, "reference_cell": cell.matrix.flat],
                                 words: ["pbc": cell.pbc.map { $0 ? 1 : 0 }])
    }

    /// Rebuilds the list from the saved reference, so the resumed run sums forces in the same
    /// order; without a section the list is built at the first evaluation.
    public func restore(from section: CheckpointSection?) throws {
        guard let section else { return }
        let r = try section.array("reference_positions"), m = try section.array("reference_cell", count: 9)
        let pbc = try section.words("pbc", count: 3).map { $0 != 0 }
        guard r.count % 3 == 0 else { throw CheckpointSection.Mismatch("has \(r.count) reference coordinates, not a multiple of 3") }
        let cell: Cell
        do { cell = try Cell(matrix: Matrix3(m), pbc: pbc) } catch { throw CheckpointSection.Mismatch("holds an invalid reference cell") }
        restoreNeighbors(referencePositions: stride(from: 0, to: r.count, by: 3).map { Vector3(r[$0], r[$0 + 1], r[$0 + 2]) }, cell: cell)
    }
}
