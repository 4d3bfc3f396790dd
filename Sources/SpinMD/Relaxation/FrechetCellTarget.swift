import SpinMDCore

/// Variable-cell relaxation towards a hydrostatic target pressure, with the cell degrees of
/// freedom of ASE's `FrechetCellFilter`.
///
/// The cell is H = H₀·Fᵀ (rows are lattice vectors) with deformation gradient F = exp(X). The
/// generalized coordinates are the undeformed positions sᵢ = F⁻¹rᵢ (N rows) and the three rows
/// of N·X; the generalized forces are Fᵀfᵢ and −(1/N)·∂H/∂X, where H = E + P·V is the enthalpy
/// and ∂H/∂F = (P·V·I − W)·F⁻ᵀ with W the virial. The exact derivative of exp (its Fréchet
/// derivative) makes the cell forces the true gradient, so `fmax` covers the cell rows with the
/// same meaning as for atoms (eV/Å per generalized coordinate).
///
/// Fixed atoms keep their undeformed positions sᵢ and so follow the cell's deformation (as
/// with ASE's `FrechetCellFilter` and `FixAtoms`). sᵢ = H₀ᵀ·(fractional coordinates), so a
/// fixed lattice direction (POSCAR selective dynamics) holds its fractional coordinate here
/// too; a fixed Cartesian direction has no such meaning in a deforming cell and is refused.
public final class FrechetCellTarget: RelaxationTarget {
    public private(set) var system: AtomicSystem
    public private(set) var result: PotentialResult
    /// Target pressure P [eV/Å³].
    public let pressure: Double
    let referenceCell: Matrix3
    let evaluator: ForceEvaluator
    let request: EvaluationRequest
    /// Fixed directions in the undeformed coordinates (from the reference cell).
    let constraints: MotionConstraints.Projection?
    private var logDeformation = Matrix3.zero  // X
    private var deformation = Matrix3.identity  // F = exp(X)
    /// Inertia of the cell rows [amu] (mean atomic mass; NOTE: ASE's FIRE uses unit masses for
    /// everything, LAMMPS has no such filter; this keeps atoms and cell on one time scale).
    let cellInertia: Double

    /// - Parameter pressure: target pressure [eV/Å³].
    public init(system: AtomicSystem, evaluator: ForceEvaluator, pressure: Double,
                request: EvaluationRequest = [.energy, .forces, .virial]) throws {
        self.system = system
        self.pressure = pressure
        self.evaluator = evaluator
        self.request = request.union([.energy, .forces, .virial])
        referenceCell = system.cell.matrix
        cellInertia = system.masses.reduce(0, +) / Double(max(1, system.atomCount))
        if let c = system.constraints, c.frame == .cartesian, !c.fixesWholeAtomsOnly {
            throw SpinMDError.unsupported("atoms fixed along Cartesian directions (\(c.source)) cannot be held in a relaxation of the cell; fix whole atoms, give the fixed directions along lattice vectors (POSCAR selective dynamics), or relax with a fixed cell")
        }
        constraints = system.isConstrained ? system.constraints!.projection(cell: system.cell.matrix) : nil
        result = try evaluator.compute(&self.system, request: self.request)
        forces = generalizedForces()
    }

    var factor: Double { Double(system.atomCount) }

    public var coordinates: [Vector3] {
        let inv = deformation.inverse
        var x = system.positions.map { inv.apply($0) }
        for k in 0..<3 { x.append(factor * logDeformation[k]) }
        return x
    }

    public var inertia: [Double] { system.masses + [Double](repeating: cellInertia, count: 3) }

    public var objective: Double { result.energy + pressure * system.cell.volume }

    /// Generalized forces at the current coordinates (computed once per evaluation).
    public private(set) var forces: [Vector3] = []

    func generalizedForces() -> [Vector3] {
        let f = deformation
        let ft = f.transpose
        var g = result.forces!.map { ft.apply($0) }
        constraints?.apply(&g)
        let w = result.virial!
        let dHdF = ((pressure * system.cell.volume) * Matrix3.identity - w) * f.inverse.transpose
        var cellForce = Matrix3.zero
        for k in 0..<3 {
            for l in 0..<3 {
                var e = Matrix3.zero
                e[k, l] = 1
                let dF = MatrixExponential.frechetDerivative(of: logDeformation, direction: e)
                var s = 0.0
                for a in 0..<3 { s += dHdF[a].dot(dF[a]) }
                cellForce[k, l] = -s / factor
            }
        }
        for k in 0..<3 { g.append(cellForce[k]) }
        return g
    }

    public func setCoordinates(_ x: [Vector3]) throws {
        let n = system.atomCount
        logDeformation = Matrix3(rows: x[n] / factor, x[n + 1] / factor, x[n + 2] / factor)
        deformation = MatrixExponential.exp(logDeformation)
        try system.cell.setMatrix(referenceCell * deformation.transpose)
        for i in 0..<n { system.positions[i] = deformation.apply(x[i]) }
        result = try evaluator.compute(&system, request: request)
        forces = generalizedForces()
    }
}
