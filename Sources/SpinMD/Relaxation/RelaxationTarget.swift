import SpinMDCore

/// The generalized coordinates a relaxer moves: atoms only, or atoms and cell.
public protocol RelaxationTarget: AnyObject {
    /// (degreeCount, 3) generalized coordinates.
    var coordinates: [Vector3] { get }
    /// (degreeCount) inertia of each generalized coordinate [amu].
    var inertia: [Double] { get }
    /// Moves to new generalized coordinates and evaluates there.
    func setCoordinates(_ x: [Vector3]) throws
    /// (degreeCount, 3) generalized forces at the current coordinates [eV per coordinate unit];
    /// for atoms these are eV/Å. Fixed directions of constrained atoms are projected out, so a
    /// relaxer that moves along these forces keeps fixed atoms in place.
    var forces: [Vector3] { get }
    /// The quantity being minimised [eV]: the energy, or the enthalpy E + PV with a cell.
    var objective: Double { get }
    /// The physical state and its last evaluation.
    var system: AtomicSystem { get }
    var result: PotentialResult { get }
}

extension RelaxationTarget {
    /// Largest norm of a generalized force row (ASE's `fmax`) [eV/Å].
    public var maxForce: Double { forces.map(\.norm).max() ?? 0 }
}

/// Fixed-cell relaxation: the coordinates are the atomic positions.
public final class PositionTarget: RelaxationTarget {
    public private(set) var system: AtomicSystem
    public private(set) var result: PotentialResult
    let evaluator: ForceEvaluator
    let request: EvaluationRequest
    let constraints: MotionConstraints.Projection?
    public private(set) var evaluationCount = 0
    public private(set) var forces: [Vector3]

    public init(system: AtomicSystem, evaluator: ForceEvaluator, request: EvaluationRequest = [.energy, .forces, .virial]) throws {
        self.system = system
        self.evaluator = evaluator
        self.request = request.union([.energy, .forces])
        constraints = try system.constraintProjection(cell: system.cell.matrix, what: "a fixed-cell relaxation")
        result = try evaluator.compute(&self.system, request: self.request)
        forces = constraints?.applied(to: result.forces!) ?? result.forces!
    }

    public var coordinates: [Vector3] { system.positions }
    public var inertia: [Double] { system.masses }
    public var objective: Double { result.energy }

    public func setCoordinates(_ x: [Vector3]) throws {
        system.positions = x
        evaluationCount += 1
        result = try evaluator.compute(&system, request: request, step: evaluationCount)
        forces = constraints?.applied(to: result.forces!) ?? result.forces!
    }
}
