import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// SpinMultiNet as a spinmd `Potential`: energy, forces, virial, per-atom energies and predicted
/// moments, with spins fixed or relaxed self-consistently at every evaluation.
///
/// Self-consistent forces are total derivatives of E(R, m*(R)): with J = ∂S/∂m, g = ∂E/∂m and P
/// the projection of `SpinConstraint`, the adjoint λ = P(g + Jᵀλ) is solved by an
/// Anderson-accelerated fixed-point iteration, and −dE/dR = −(∂E/∂R + λᵀ∂S/∂R) comes from the
/// same backward pass with cotangents (1, λ) whose ∂/∂m part shows λ converged.
///
/// Both iterations start from an extrapolation of the previous steps' solutions
/// (`SolutionHistory`), so along an MD trajectory one forward and one backward pass per step
/// usually suffice: the cost of fixed spins. Geometry-only edge features are computed once per
/// evaluation and shared by every iteration and committee member.
///
/// A committee of several models is evaluated as its mean (`SpinMultiNetCommittee`); it also
/// reports the members' spread of energy and forces as diagnostics.
public final class SpinMultiNetPotential: Potential {
    public let committee: SpinMultiNetCommittee
    public let mode: SpinMode
    public var name: String { "spinmultinet" }
    public var cutoff: Double { committee.cutoff }
    public var neighborKind: NeighborList.Kind { .full }
    public var predictsMagneticMoments: Bool { true }

    /// Global spin axis of collinear moments.
    public let spinAxis = MagneticMoments.spinAxis
    /// Spin input m* of the last self-consistent evaluation, Cartesian [μB].
    public private(set) var spinState: [Vector3]?
    /// The last steps' converged spins and adjoints: the predictors of the next step.
    var spinHistory = SolutionHistory(), adjointHistory = SolutionHistory()
    /// The histories the last self-consistent evaluation started from: what checkpoints save.
    var startingHistory: (spins: SolutionHistory, adjoint: SolutionHistory)?
    /// Extra forward passes (spin iterations after the first pass) and backward passes (adjoint
    /// iterations, the last of which also gives the forces) of the last evaluation.
    public private(set) var lastIterations = (spins: 0, adjoint: 0)
    /// Atoms whose converged moment has the opposite sign to (or lost) its initial estimate along
    /// its axis, in the last evaluation (`MagneticMoments.isFlip`; see `SpinConstraint`).
    public private(set) var flippedAtoms: [Int] = []

    /// Iterates remembered by the Anderson acceleration of the adjoint iteration.
    public var andersonDepth = 5

    static func vectors(_ v: [Double]) -> [Vector3] {
        stride(from: 0, to: v.count - 2, by: 3).map { Vector3(v[$0], v[$0 + 1], v[$0 + 2]) }
    }

    public init(committee: SpinMultiNetCommittee, mode: SpinMode = .defaultSelfConsistent) {
        self.committee = committee
        self.mode = mode
    }

    public convenience init(model: SpinMultiNetModel, mode: SpinMode = .defaultSelfConsistent) {
        self.init(committee: SpinMultiNetCommittee(model), mode: mode)
    }

    public func checkSupports(_ species: [Element]) throws {
        for s in Set(species) where committee.speciesIndex(s) == nil {
            throw SpinMDError.unsupportedSpecies(potential: name, symbol: s.symbol)
        }
    }

    /// Follows a renumbering of the atoms in the warm start: atom k is now what atom `order[k]`
    /// was (a caller that re-sorts its atoms, e.g. LAMMPS).
    public func renumberAtoms(_ order: [Int]) {
        spinHistory.renumber(order)
        adjointHistory.renumber(order)
    }

    /// Restores the warm start (and forgets the predictors' history).
    public func setSpinState(_ state: [Vector3]?) {
        spinHistory.reset()
        adjointHistory.reset()
        spinState = state
        if let state { spinHistory.append(state) }
        startingHistory = (spinHistory, adjointHistory)
    }

    public var diagnosticNames: [String] {
        var names: [String] = []
        if case .selfConsistent = mode { names += ["spin_iterations", "adjoint_iterations", "spin_flips"] }
        if committee.members.count > 1 { names += ["committee_energy_std_eV_per_atom", "committee_force_std_max_eV_per_A"] }
        return names
    }

    // Checkpointable (section "potential"): the predictors' history, what the next step's
    // spin and adjoint iterations start from.

    /// Arrays "spin_history" and "adjoint_history" (`SolutionHistory.serialized`: order, count,
    /// atom count, then the solutions [μB]) as they were *before* the last evaluation: a resumed
    /// run evaluates the checkpoint's step again, and from this state that evaluation repeats
    /// the original bit for bit (same iterations, forces and history). Nil before the first
    /// self-consistent evaluation.
    public func checkpointState() -> CheckpointSection? {
        guard let h = startingHistory, !(h.spins.solutions.isEmpty && h.adjoint.solutions.isEmpty) else { return nil }
        return CheckpointSection(arrays: ["spin_history": h.spins.serialized, "adjoint_history": h.adjoint.serialized])
    }

    /// Restores the predictors' history; nil starts afresh from the initial moments.
    public func restore(from section: CheckpointSection?) throws {
        spinHistory.reset()
        adjointHistory.reset()
        spinState = nil
        startingHistory = nil
        guard let section else { return }
        func history(_ name: String) throws -> SolutionHistory {
            let v = try section.array(name)
            var at = 0
            guard let h = SolutionHistory(serialized: v, offset: &at), at == v.count else { throw CheckpointSection.Mismatch("holds a malformed '\(name)'") }
            return h
        }
        let spins = try history("spin_history"), adjoint = try history("adjoint_history")
        spinHistory = spins
        adjointHistory = adjoint
        startingHistory = (spins, adjoint)
    }

    public func evaluate(_ system: AtomicSystem, neighbors: NeighborList, request: EvaluationRequest) throws -> PotentialResult {
        try checkSupports(system.species)
        guard let initial = system.initialMagneticMoments else {
            throw SpinMDError.unsupported("SpinMultiNet needs initial magnetic moments: give 'initial_magmoms' in the input (a MAGMOM string such as \"2*2 2*-2 4*0\") or in the structure file")
        }
        let estimates = initial.vectors(axis: spinAxis)
        let constraint = SpinConstraint(estimates: initial, spinAxis: spinAxis)
        let graph = ModelGraph(system: system, neighbors: neighbors, cutoff: cutoff,
                               speciesIndex: system.species.map { committee.speciesIndex($0)! })
        let geometries = committee.geometries(graph)
        let wantGradients = request.contains(.forces) || request.contains(.virial)
        let (output, memberEnergies, grads) = try solve(geometries, estimates: estimates, constraint: constraint,
                                                        gradients: wantGradients, ghosts: nil)

        var result = PotentialResult(energy: output.energy)
        if case .selfConsistent = mode {
            result.diagnostics = [Double(lastIterations.spins), Double(lastIterations.adjoint), Double(flippedAtoms.count)]
        }
        if request.contains(.atomicEnergies) { result.atomicEnergies = output.atomicEnergies }
        let spins = reportedSpins(output.spins, constraint: constraint)
        result.magneticMoments = constraint.scalarInput ? .collinear(spins.map { $0.dot(spinAxis) }) : .vector(spins)
        var memberForces: [[Vector3]] = []
        if let grads {
            let (forces, virial) = geometries[0].forcesAndVirial(grads.mean.edgeVectors, atomCount: system.atomCount)
            if request.contains(.forces) { result.forces = forces }
            if request.contains(.virial) { result.virial = virial }
            if grads.members.count > 1 {
                memberForces = grads.members.map { geometries[0].forcesAndVirial($0.edgeVectors, atomCount: system.atomCount).forces }
            }
        }
        if committee.members.count > 1 {
            let k = Double(memberEnergies.count)
            let energySpread = (memberEnergies.map { ($0 - output.energy) * ($0 - output.energy) }.reduce(0, +) / k).squareRoot()
            result.diagnostics += [energySpread / Double(system.atomCount), memberForces.isEmpty ? .nan : Self.forceSpread(memberForces)]
        }
        return result
    }

    /// The spin input and, with `gradients`, the backward pass of one evaluation over the graph
    /// of `geometries`, whose nodes have these `estimates` [μB].
    ///
    /// With `ghosts`, nodes `ghosts.ownedCount...` are ghost copies of atoms owned elsewhere: the
    /// energy and the spin cotangents count the owned nodes only, ghosts take their owners'
    /// moments after every spin update, their moment cotangents are summed onto the owners, and
    /// convergence is tested over all processes. Anderson's inner products of the adjoint
    /// iteration are summed over all processes, so any process count takes the same steps.
    /// - Returns: the network's output for all nodes, each member's energy, and the gradients.
    package func solve(_ geometries: [EdgeGeometry], estimates: [Vector3], constraint: SpinConstraint, gradients wantGradients: Bool,
               ghosts: (any GhostExchange)?) throws
        -> (output: ModelOutput, memberEnergies: [Double], grads: (mean: ModelInputGradients, members: [ModelInputGradients])?) {
        let owned = ghosts?.ownedCount ?? estimates.count
        let energyNodes = ghosts == nil ? nil : owned
        func largest(_ a: [Vector3], _ b: [Vector3]) throws -> Double {
            let local = Self.largestDifference(Array(a[..<owned]), Array(b[..<owned]))
            return try ghosts?.globalMax(local) ?? local
        }
        lastIterations = (0, 0)
        var m = estimates
        var (output, tapes, memberEnergies) = (ModelOutput(energy: 0, atomicEnergies: [], spins: []), [ModelTape](), [Double]())
        var grads: (mean: ModelInputGradients, members: [ModelInputGradients])?
        switch mode {
        case .fixed:
            (output, tapes, memberEnergies) = committee.forward(geometries, moments: m)
            if wantGradients { grads = committee.backward(tapes, energyCotangent: 1, spinCotangents: nil, energyNodes: energyNodes) }
        case let .selfConsistent(tolerance, adjointTolerance, maxIterations, mixing):
            startingHistory = (spinHistory, adjointHistory)
            if let p = spinHistory.prediction(), p.count == owned {
                m.replaceSubrange(..<owned, with: p)
                m = constraint.project(m)
                try ghosts?.forward(&m)
            }
            (output, tapes, memberEnergies) = committee.forward(geometries, moments: m)
            var target = constraint.project(output.spins)
            var residual = try largest(target, m)
            // NOTE: plain mixing for the spins: it only settles on stable fixed points, where
            // Anderson acceleration also finds unstable ones and can hop between branches from
            // one MD step to the next (seen: 50× the NVE drift). When the residual has doubled in
            // five iterations (an oscillation the mixing is too strong for), the mixing is halved.
            var alpha = mixing
            var residuals = [residual]
            while !(residual < tolerance) {
                guard lastIterations.spins < maxIterations else {
                    throw SpinMDError.notConverged("SpinMultiNet spins did not converge in \(maxIterations) iterations (largest |S − m| \(residual) μB, tolerance \(tolerance) μB); raise 'max_iterations', lower 'mixing', or use \"spins\": \"fixed\"")
                }
                lastIterations.spins += 1
                m = zip(m, target).map { $0 + alpha * ($1 - $0) }
                try ghosts?.forward(&m)
                (output, tapes, memberEnergies) = committee.forward(geometries, moments: m)
                target = constraint.project(output.spins)
                residual = try largest(target, m)
                residuals.append(residual)
                if residuals.count >= 6 && !(residual < 2 * residuals[residuals.count - 6]) && alpha > 1.0 / 64 {
                    alpha /= 2
                    residuals = [residual]
                }
            }
            spinState = m
            // One more mixing step is the better estimate of m* for the next prediction.
            spinHistory.append(Array(target[..<owned]))
            if wantGradients {
                // Adjoint: λ = P(g + Jᵀλ), one backward pass per iteration; the pass that shows
                // convergence also gives the forces for its λ. Ghost nodes carry no cotangent.
                var lambda = [Vector3](repeating: .zero, count: m.count)
                if let p = adjointHistory.prediction(), p.count == owned {
                    lambda.replaceSubrange(..<owned, with: p)
                    lambda = constraint.project(lambda)
                    lambda.replaceSubrange(owned..., with: repeatElement(.zero, count: m.count - owned))
                }
                var mixer = AndersonMixer(depth: andersonDepth, mixing: mixing)
                var adjointResidual = Double.infinity
                while true {
                    guard lastIterations.adjoint < maxIterations else {
                        throw SpinMDError.notConverged("SpinMultiNet adjoint spin equation did not converge in \(maxIterations) iterations (largest |λ − P(∂E/∂m + Jᵀλ)| \(adjointResidual) eV/μB, tolerance \(adjointTolerance) eV/μB); raise 'max_iterations' or 'adjoint_tolerance_eV_per_uB', or use \"spins\": \"fixed\"")
                    }
                    lastIterations.adjoint += 1
                    let pass = committee.backward(tapes, energyCotangent: 1, spinCotangents: lambda, energyNodes: energyNodes)
                    var total = pass.mean.moments
                    try ghosts?.reverse(&total)
                    var next = constraint.project(total)
                    next.replaceSubrange(owned..., with: repeatElement(.zero, count: m.count - owned))
                    adjointResidual = try largest(next, lambda)
                    if adjointResidual < adjointTolerance {
                        grads = pass
                        adjointHistory.append(Array(next[..<owned]))
                        break
                    }
                    let mixed = try mixer.next(Array(lambda[..<owned]).flattened, Array(next[..<owned]).flattened,
                                               globalSum: ghosts.map { g in { try g.globalSum(&$0) } })
                    lambda.replaceSubrange(..<owned, with: Self.vectors(mixed))
                    lambda = constraint.project(lambda)
                }
            }
            flippedAtoms = constraint.flips(estimates: Array(estimates[..<owned]), moments: Array(m[..<owned]))
        }
        return (output, memberEnergies, grads)
    }

    /// The moments an evaluation reports: along the axis for collinear runs (scalars, or vectors
    /// along one axis), so a rotated collinear run reports the rotated moments; P·S for
    /// self-consistent runs (equal to m* within the tolerance); the network's S as it is for fixed
    /// canted input.
    package func reportedSpins(_ spins: [Vector3], constraint: SpinConstraint) -> [Vector3] {
        constraint.collinear || mode != .fixed ? constraint.project(spins) : spins
    }

    /// max over atoms of |aᵢ − bᵢ|.
    static func largestDifference(_ a: [Vector3], _ b: [Vector3]) -> Double {
        var r = 0.0
        for i in a.indices { r = max(r, (a[i] - b[i]).norm) }
        return r
    }

    /// max over atoms of √((1/K) Σₖ |Fₖᵢ − F̄ᵢ|²) [eV/Å]: the members' force spread.
    static func forceSpread(_ members: [[Vector3]]) -> Double {
        let k = Double(members.count)
        return (0..<members[0].count).map { i in
            let mean = (1 / k) * members.dropFirst().reduce(members[0][i]) { $0 + $1[i] }
            return (members.map { ($0[i] - mean).normSquared }.reduce(0, +) / k).squareRoot()
        }.max() ?? 0
    }
}
