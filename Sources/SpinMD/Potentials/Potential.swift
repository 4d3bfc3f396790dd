import SpinMDCore

/// What a caller asks a potential to compute in one `evaluate` call.
public struct EvaluationRequest: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let energy = EvaluationRequest(rawValue: 1 << 0)
    public static let forces = EvaluationRequest(rawValue: 1 << 1)
    /// The virial tensor (and so stress and pressure).
    public static let virial = EvaluationRequest(rawValue: 1 << 2)
    public static let atomicEnergies = EvaluationRequest(rawValue: 1 << 3)
    public static let magneticMoments = EvaluationRequest(rawValue: 1 << 4)
    public static let energyAndForces: EvaluationRequest = [.energy, .forces]
    public static let all: EvaluationRequest = [.energy, .forces, .virial, .atomicEnergies, .magneticMoments]
}

/// What a potential returns: the energy always, the rest when requested and available.
public struct PotentialResult: Sendable {
    /// Potential energy [eV].
    public var energy: Double
    /// (atomCount, 3) forces −∂E/∂r [eV/Å].
    public var forces: [Vector3]?
    /// Virial W = −∂E/∂ε at ε = 0 for a homogeneous strain ε of positions and cell [eV]
    /// (LAMMPS's sign: positive for repulsion). The stress (ASE sign) is −W/V.
    public var virial: Matrix3?
    /// (atomCount) per-atom energies [eV] summing to `energy`.
    public var atomicEnergies: [Double]?
    /// Predicted magnetic moments [μB], from spin-aware potentials.
    public var magneticMoments: MagneticMoments?
    /// Values of the potential's `diagnosticNames` for this evaluation (e.g. iteration counts).
    public var diagnostics: [Double] = []

    public init(energy: Double, forces: [Vector3]? = nil, virial: Matrix3? = nil,
                atomicEnergies: [Double]? = nil, magneticMoments: MagneticMoments? = nil) {
        self.energy = energy
        self.forces = forces
        self.virial = virial
        self.atomicEnergies = atomicEnergies
        self.magneticMoments = magneticMoments
    }

    /// Potential part of the stress, ASE sign convention (positive = tensile) [eV/Å³].
    public func stress(volume: Double) -> Matrix3? { virial.map { (-1 / volume) * $0 } }
}

/// An interatomic potential.
///
/// One `evaluate` call computes everything asked for, together. Forces are exactly −∂E/∂r of
/// the same energy and the virial includes the periodic images. A potential states its cutoff,
/// the neighbor list it wants, and which species it has parameters for; it throws a typed error
/// for what it cannot do. Potentials are reference types because some carry state from one step
/// to the next (e.g. warm-started spins); that latent state is saved in checkpoints, section
/// "potential" (`Checkpointable`; stateless potentials save nothing).
public protocol Potential: Checkpointable {
    /// Short name for logs, e.g. "lennard-jones".
    var name: String { get }
    /// Interaction cutoff [Å].
    var cutoff: Double { get }
    /// The neighbor list this potential consumes.
    var neighborKind: NeighborList.Kind { get }
    /// Throws `SpinMDError.unsupportedSpecies` for an element without parameters.
    func checkSupports(_ species: [Element]) throws
    /// Evaluates the request for `system`, whose pairs within `cutoff` are all in `neighbors`
    /// (which may hold more, up to its skin).
    func evaluate(_ system: AtomicSystem, neighbors: NeighborList, request: EvaluationRequest) throws -> PotentialResult
    /// True when `evaluate` returns magnetic moments (spin-aware potentials).
    var predictsMagneticMoments: Bool { get }
    /// Names (with units) of the per-evaluation numbers in `PotentialResult.diagnostics`; the
    /// thermo log adds them as columns.
    var diagnosticNames: [String] { get }
}

extension Potential {
    public var predictsMagneticMoments: Bool { false }
    public var diagnosticNames: [String] { [] }
    public var checkpointSection: String { "potential" }
    public func checkpointState() -> CheckpointSection? { nil }
    /// Stateless: nothing to restore. Potentials with latent state start afresh from nil.
    public func restore(from section: CheckpointSection?) throws {}
}
