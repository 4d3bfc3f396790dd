import Foundation
import SpinMD

/// SpinMultiNet as a spinmd `Potential`: energy, forces, virial, per-atom energies and predicted
/// moments, with spins fixed or relaxed self-consistently at every evaluation.
///
/// Self-consistent forces are total derivatives of E(R, m*(R)): with J = ∂S/∂m, g = ∂E/∂m and P
/// the projection that keeps collinear spins on their axis (identity for vectors), the adjoint
/// λ = P(g + Jᵀλ) is solved by an Anderson-accelerated fixed-point iteration, and
/// −dE/dR = −(∂E/∂R + λᵀ∂S/∂R) comes from one backward pass with cotangents (1, λ).
public final class SpinMultiNetPotential: Potential {
    public let model: SpinMultiNetModel
    public let mode: SpinMode
    public var name: String { "spinmultinet" }
    public var cutoff: Double { model.configuration.cutoff }
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

    public init(model: SpinMultiNetModel, mode: SpinMode = .defaultSelfConsistent) {
        self.model = model
        self.mode = mode
    }

    public func checkSupports(_ species: [Element]) throws {
        for s in Set(species) where model.speciesIndex(s) == nil {
            throw SpinMDError.unsupportedSpecies(potential: name, symbol: s.symbol)
        }
    }

    /// Restores the warm start (and forgets the adjoint's).
    public func setSpinState(_ state: [Vector3]?) { spinState = state; adjointState = nil }

    public var diagnosticNames: [String] {
        if case .selfConsistent = mode { return ["spin_iterations", "adjoint_iterations", "spin_flips"] }
        return []
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
                               speciesIndex: system.species.map { model.speciesIndex($0)! })
        // Self-consistent runs start from the previous step's spins.
        var m = estimates
        if case .selfConsistent = mode, let s = spinState, s.count == m.count { m = s }
        var (output, tape) = model.forward(graph, moments: m)
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
                (output, tape) = model.forward(graph, moments: m)
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
                    let g = model.backward(tape, energyCotangent: 1, spinCotangents: lambda).moments
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
        if request.contains(.forces) || request.contains(.virial) {
            let grads = model.backward(tape, energyCotangent: 1, spinCotangents: cotangent).edgeVectors
            var forces = [Vector3](repeating: .zero, count: system.atomCount)
            var virial = Matrix3.zero
            for k in 0..<graph.edgeCount {
                let g = grads[k]
                forces[graph.receivers[k]] += g
                forces[graph.senders[k]] -= g
                virial += Matrix3.outer(g, graph.vectors[k])
            }
            if request.contains(.forces) { result.forces = forces }
            if request.contains(.virial) { result.virial = -1 * virial.symmetricPart }
        }
        return result
    }
}
