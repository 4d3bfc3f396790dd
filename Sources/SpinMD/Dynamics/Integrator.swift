import SpinMDCore

/// An MD integrator: advances the system by one timestep and says what it adds to the
/// conserved energy. Every integrator is composed around `VelocityVerlet`. Its extended
/// variables (a thermostat's) are saved in checkpoints, section "integrator".
public protocol Integrator: Checkpointable {
    var verlet: VelocityVerlet { get }
    /// Advances one step; `current` holds the forces at the current positions. Returns the
    /// potential result at the new positions.
    func step(_ system: inout AtomicSystem, current: PotentialResult, evaluator: ForceEvaluator,
              request: EvaluationRequest, stepIndex: Int, stopwatch: inout Stopwatch) throws -> PotentialResult
    /// Energy of the extended (thermostat) variables [eV]; kinetic + potential + this is the
    /// conserved quantity. Zero for NVE.
    func extendedEnergy(_ system: AtomicSystem) -> Double
    /// Short name for logs.
    var ensembleName: String { get }
}

extension Integrator {
    public var timestep: Double { verlet.timestep }
    public var checkpointSection: String { "integrator" }
}

/// Microcanonical (NVE) dynamics: plain velocity Verlet.
public final class NVEIntegrator: Integrator {
    public let verlet: VelocityVerlet
    public init(timestep: Double, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        verlet = VelocityVerlet(timestep: timestep, executor: executor)
    }
    public var ensembleName: String { "nve" }
    public func step(_ system: inout AtomicSystem, current: PotentialResult, evaluator: ForceEvaluator,
                     request: EvaluationRequest, stepIndex: Int, stopwatch: inout Stopwatch) throws -> PotentialResult {
        try verlet.step(&system, current: current, evaluator: evaluator, request: request, stepIndex: stepIndex, stopwatch: &stopwatch)
    }
    public func extendedEnergy(_ system: AtomicSystem) -> Double { 0 }
    /// Velocity Verlet has no state beyond the atoms.
    public func checkpointState() -> CheckpointSection? { nil }
    public func restore(from section: CheckpointSection?) throws {}
}

/// Canonical (NVT) dynamics: a Nosé–Hoover chain half-step, a velocity Verlet step, and
/// another chain half-step (the Trotter splitting of Martyna, Tuckerman, Tobias & Klein,
/// Mol. Phys. 87, 1117 (1996)).
public final class NVTIntegrator: Integrator {
    public let verlet: VelocityVerlet
    public let thermostat: NoseHooverChain

    public init(timestep: Double, thermostat: NoseHooverChain, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        verlet = VelocityVerlet(timestep: timestep, executor: executor)
        self.thermostat = thermostat
    }

    public var ensembleName: String { "nvt" }

    public func step(_ system: inout AtomicSystem, current: PotentialResult, evaluator: ForceEvaluator,
                     request: EvaluationRequest, stepIndex: Int, stopwatch: inout Stopwatch) throws -> PotentialResult {
        stopwatch.measure(.integration) { thermostat.halfStep(&system, dt: verlet.timestep) }
        let next = try verlet.step(&system, current: current, evaluator: evaluator, request: request, stepIndex: stepIndex, stopwatch: &stopwatch)
        stopwatch.measure(.integration) { thermostat.halfStep(&system, dt: verlet.timestep) }
        return next
    }

    public func extendedEnergy(_ system: AtomicSystem) -> Double { thermostat.energy }

    /// Arrays "thermostat_positions" ξ_k and "thermostat_velocities" v_ξk [1/fs] (chain length each).
    public func checkpointState() -> CheckpointSection? {
        CheckpointSection(arrays: ["thermostat_positions": thermostat.positions, "thermostat_velocities": thermostat.velocities])
    }

    public func restore(from section: CheckpointSection?) throws {
        let n = thermostat.masses.count
        guard let p = try? section?.array("thermostat_positions", count: n), let v = try? section?.array("thermostat_velocities", count: n) else {
            throw CheckpointSection.Mismatch("has no Nosé–Hoover chain of length \(n)")
        }
        thermostat.positions = p
        thermostat.velocities = v
    }
}
