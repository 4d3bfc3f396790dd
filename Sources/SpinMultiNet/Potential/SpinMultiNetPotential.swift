import Foundation
import SpinMD

/// SpinMultiNet as a spinmd `Potential`: energy, forces, virial, per-atom energies and predicted
/// moments, with spins fixed or relaxed self-consistently at every evaluation.
///
/// Self-consistent forces are total derivatives of E(R, m*(R)): with J = ∂S/∂m, g = ∂E/∂m and P
/// the projection that keeps collinear spins on their axis (identity for vectors), the adjoint
/// λ = P(g + Jᵀλ) is solved by an Anderson-accelerated fixed-point iteration, and
/// −dE/dR = −(∂E/∂R + λᵀ∂S/∂R) comes from one backward pass with cotangents (1, λ).
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
    public let spinAxis = Vector3(0, 0, 1)
    /// Spin input of the last evaluation (the warm start of the next), Cartesian [μB].
    public private(set) var spinState: [Vector3]?
    /// Adjoint λ of the last evaluation (the warm start of the next adjoint solve).
    private var adjointState: [Vector3]?
    /// Fixed-point and adjoint iterations of the last evaluation.
    public private(set) var lastIterations = (spins: 0, adjoint: 0)
    /// Atoms whose converged moment has the opposite sign to (or lost) its initial estimate,
    /// in the last evaluation (collinear runs; |m| below 0.3 μB counts as lost).
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

    /// Restores the warm start (and forgets the adjoint's).
    public func setSpinState(_ state: [Vector3]?) { spinState = state; adjointState = nil }

    public var diagnosticNames: [String] {
        var names: [String] = []
        if case .selfConsistent = mode { names += ["spin_iterations", "adjoint_iterations", "spin_flips"] }
        if committee.members.count > 1 { names += ["committee_energy_std_eV_per_atom", "committee_force_std_max_eV_per_A"] }
        return names
    }

    /// [atom count, spins (3N), adjoint (3N, when solved)]: the warm starts of the next step.
    public var latentState: [Double]? {
        spinState.map { [Double($0.count)] + $0.flattened + (adjointState?.flattened ?? []) }
    }

    public func restoreLatentState(_ state: [Double]?) {
        guard let v = state, let first = v.first else { spinState = nil; adjointState = nil; return }
        let n = Int(first)
        func vectors(_ from: Int) -> [Vector3] { (0..<n).map { i in Vector3(v[from + 3 * i], v[from + 3 * i + 1], v[from + 3 * i + 2]) } }
        spinState = vectors(1)
        adjointState = v.count >= 1 + 6 * n ? vectors(1 + 3 * n) : nil
    }

    public func evaluate(_ system: AtomicSystem, neighbors: NeighborList, request: EvaluationRequest) throws -> PotentialResult {
        try checkSupports(system.species)
        guard let initial = system.initialMagneticMoments else {
            throw SpinMDError.unsupported("SpinMultiNet needs initial magnetic moments: give 'initial_magmoms' in the input (a MAGMOM string such as \"2*2 2*-2 4*0\") or in the structure file")
        }
        let estimates = initial.vectors(axis: spinAxis)
        let collinear: Bool
        if case .collinear = initial { collinear = true } else { collinear = false }
        func project(_ v: [Vector3]) -> [Vector3] { collinear ? v.map { $0.dot(spinAxis) * spinAxis } : v }

        let graph = ModelGraph(system: system, neighbors: neighbors, cutoff: cutoff,
                               speciesIndex: system.species.map { committee.speciesIndex($0)! })
        // Self-consistent runs start from the previous step's spins.
        var m = estimates
        if case .selfConsistent = mode, let s = spinState, s.count == m.count { m = s }
        var (output, tapes, memberEnergies) = committee.forward(graph, moments: m)
        var cotangent: [Vector3]? = nil
        lastIterations = (0, 0)
        if case let .selfConsistent(tolerance, maxIterations, mixing) = mode {
            var converged = false
            // NOTE: plain mixing for the spins: it only settles on stable fixed points, where
            // Anderson acceleration also finds unstable ones and can hop between branches from
            // one MD step to the next (seen: 50× the NVE drift). The adjoint is a linear problem
            // with one solution, so it is accelerated.
            var mixer = AndersonMixer(depth: 0, mixing: mixing)
            for k in 1...maxIterations {
                let target = project(output.spins)
                let residual = zip(target, m).map { ($0 - $1).norm }.max() ?? 0
                if residual < tolerance { converged = true; lastIterations.spins = k - 1; break }
                m = project(Self.vectors(mixer.next(m.flattened, target.flattened)))
                (output, tapes, memberEnergies) = committee.forward(graph, moments: m)
            }
            guard converged else {
                throw SpinMDError.unsupported("SpinMultiNet spins did not converge in \(maxIterations) iterations (tolerance \(tolerance) μB); raise 'max_iterations', lower 'mixing', or use \"spins\": \"fixed\"")
            }
            spinState = m
            if request.contains(.forces) || request.contains(.virial) {
                // Adjoint: λ = P(g + Jᵀλ), one backward pass per iteration.
                var lambda = adjointState.flatMap { $0.count == m.count ? $0 : nil } ?? [Vector3](repeating: .zero, count: m.count)
                var adjointConverged = false
                var mixer = AndersonMixer(depth: andersonDepth, mixing: mixing)
                for k in 1...maxIterations {
                    let g = committee.backward(tapes, energyCotangent: 1, spinCotangents: lambda).mean.moments
                    let target = project(g)
                    let scale = max(1, target.map(\.norm).max() ?? 0)
                    let residual = zip(target, lambda).map { ($0 - $1).norm }.max() ?? 0
                    if residual < tolerance * scale { adjointConverged = true; lastIterations.adjoint = k; break }
                    lambda = project(Self.vectors(mixer.next(lambda.flattened, target.flattened)))
                }
                guard adjointConverged else {
                    throw SpinMDError.unsupported("SpinMultiNet adjoint spin equation did not converge in \(maxIterations) iterations")
                }
                cotangent = lambda
                adjointState = lambda
            }
            flippedAtoms = collinear ? zip(estimates, m).enumerated().compactMap { i, pair in
                let (e, s) = (pair.0.dot(spinAxis), pair.1.dot(spinAxis))
                return abs(e) >= 0.3 && (s * e < 0 || abs(s) < 0.3) ? i : nil
            } : []
        }

        var result = PotentialResult(energy: output.energy)
        if case .selfConsistent = mode {
            result.diagnostics = [Double(lastIterations.spins), Double(lastIterations.adjoint), Double(flippedAtoms.count)]
        }
        if request.contains(.atomicEnergies) { result.atomicEnergies = output.atomicEnergies }
        let spins = project(output.spins)
        result.magneticMoments = collinear ? .collinear(spins.map { $0.dot(spinAxis) }) : .vector(spins)
        var memberForces: [[Vector3]] = []
        if request.contains(.forces) || request.contains(.virial) {
            let grads = committee.backward(tapes, energyCotangent: 1, spinCotangents: cotangent)
            let (forces, virial) = Self.forcesAndVirial(grads.mean.edgeVectors, graph: graph, atomCount: system.atomCount)
            if request.contains(.forces) { result.forces = forces }
            if request.contains(.virial) { result.virial = virial }
            if grads.members.count > 1 {
                memberForces = grads.members.map { Self.forcesAndVirial($0.edgeVectors, graph: graph, atomCount: system.atomCount).forces }
            }
        }
        if committee.members.count > 1 {
            let k = Double(memberEnergies.count)
            let energySpread = (memberEnergies.map { ($0 - output.energy) * ($0 - output.energy) }.reduce(0, +) / k).squareRoot()
            result.diagnostics += [energySpread / Double(system.atomCount), memberForces.isEmpty ? .nan : Self.forceSpread(memberForces)]
        }
        return result
    }

    /// Forces −∂E/∂rᵢ [eV/Å] and virial −Σ_edges sym(g ⊗ r) [eV] from the edge-vector gradients
    /// g = ∂E/∂r_ij of a full neighbour list.
    static func forcesAndVirial(_ grads: [Vector3], graph: ModelGraph, atomCount: Int) -> (forces: [Vector3], virial: Matrix3) {
        var forces = [Vector3](repeating: .zero, count: atomCount)
        var virial = Matrix3.zero
        for k in 0..<graph.edgeCount {
            let g = grads[k]
            forces[graph.receivers[k]] += g
            forces[graph.senders[k]] -= g
            virial += Matrix3.outer(g, graph.vectors[k])
        }
        return (forces, -1 * virial.symmetricPart)
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
