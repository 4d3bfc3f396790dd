/// The state that integrators, relaxers and potentials share: atoms in a cell.
///
/// Velocities rather than momenta are stored (momenta are derived: p = m·v), because the
/// integrators and the trajectory format both work with velocities.
public struct AtomicSystem: Sendable {
    /// (atomCount) chemical species.
    public var species: [Element]
    /// (atomCount, 3) positions [Å]. Not wrapped between neighbor-list rebuilds.
    public var positions: [Vector3]
    /// (atomCount, 3) velocities [Å/fs].
    public var velocities: [Vector3]
    /// (atomCount) masses [amu].
    public var masses: [Double]
    /// Largest mass spinmd takes [amu] (10⁶: far above any atom or coarse-grained bead, far
    /// below where momenta m·v overflow).
    public static let maximumMass = 1e6
    public var cell: Cell
    /// Initial estimates of the magnetic moments (the spin input of a spin-aware potential), if given.
    public var initialMagneticMoments: MagneticMoments?
    /// Atoms held fixed (whole or along some directions), if any.
    public var constraints: MotionConstraints?

    public init(species: [Element], positions: [Vector3], cell: Cell, velocities: [Vector3]? = nil,
                masses: [Double]? = nil, initialMagneticMoments: MagneticMoments? = nil) {
        precondition(species.count == positions.count)
        self.species = species
        self.positions = positions
        self.cell = cell
        self.velocities = velocities ?? Array(repeating: .zero, count: positions.count)
        self.masses = masses ?? species.map(\.mass)
        self.initialMagneticMoments = initialMagneticMoments
    }

    public var atomCount: Int { positions.count }

    /// (atomCount, 3) momenta [amu·Å/fs].
    public var momenta: [Vector3] { zip(masses, velocities).map { $0 * $1 } }

    /// Kinetic energy [eV].
    public var kineticEnergy: Double {
        var twice = 0.0
        for i in 0..<atomCount { twice += masses[i] * velocities[i].normSquared }
        return 0.5 * twice * Units.kineticEnergyFactor
    }

    /// True when some direction of some atom is fixed (`constraints`).
    public var isConstrained: Bool { constraints.map { !$0.isEmpty } ?? false }

    /// Number of degrees of freedom used for the temperature: 3N minus the fixed directions,
    /// minus 3 for the centre of mass when nothing is fixed (its momentum is then conserved
    /// and kept at zero, as LAMMPS does); with fixed atoms the centre of mass is not conserved
    /// and nothing more is removed (as ASE's `get_temperature` with `FixAtoms`). At least 1.
    public var degreesOfFreedom: Int {
        if let c = constraints, !c.isEmpty { return max(1, 3 * atomCount - c.fixedDirectionCount) }
        return max(1, 3 * atomCount - (atomCount > 1 ? 3 : 0))
    }

    /// Instantaneous temperature [K] from the kinetic energy and `degreesOfFreedom`.
    public var temperature: Double { 2 * kineticEnergy / (Double(degreesOfFreedom) * Units.boltzmann) }

    /// Total momentum [amu·Å/fs].
    public var totalMomentum: Vector3 {
        var p = Vector3.zero
        for i in 0..<atomCount { p += masses[i] * velocities[i] }
        return p
    }

    /// Subtracts the centre-of-mass velocity from every atom.
    public mutating func removeCenterOfMassVelocity() {
        let m = masses.reduce(0, +)
        let vcm = totalMomentum / m
        for i in 0..<atomCount { velocities[i] -= vcm }
    }

    /// Maps every position into the cell along periodic directions.
    public mutating func wrapPositions() {
        for i in 0..<atomCount { positions[i] = cell.wrap(positions[i]) }
    }

    /// Chemical formula in order of first appearance, e.g. "Ni2O2".
    public var formula: String { Self.formula(of: species) }

    /// Chemical formula of a list of elements, in order of first appearance.
    public static func formula(of species: [Element]) -> String {
        var order: [String] = []
        var count: [String: Int] = [:]
        for s in species {
            if count[s.symbol] == nil { order.append(s.symbol) }
            count[s.symbol, default: 0] += 1
        }
        return order.map { count[$0]! == 1 ? $0 : "\($0)\(count[$0]!)" }.joined()
    }
}
