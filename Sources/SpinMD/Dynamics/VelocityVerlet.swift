import SpinMDCore

/// Velocity Verlet (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982)): the one
/// place in spinmd that moves atoms in MD. Kick (½Δt) – drift (Δt) – force – kick (½Δt).
public final class VelocityVerlet {
    /// Timestep Δt [fs].
    public let timestep: Double
    /// Threads for the element-wise updates of large systems.
    public var executor: ParallelExecutor
    /// When set, every drift is checked against them before the forces are evaluated at the
    /// new positions (a runaway step never reaches the potential or an output).
    public var runawayLimits: RunawayLimits?
    /// Fixed directions of constrained atoms (`MotionConstraints`): every kick leaves their
    /// velocities in the directions the atoms may move along, so they never drift.
    public var constraints: MotionConstraints.Projection?

    public init(timestep: Double, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        self.timestep = timestep
        self.executor = executor
    }

    /// v += (Δt_kick) · F/m.
    /// - Parameters: forces (atomCount, 3) [eV/Å]; dt [fs].
    public func kick(_ system: inout AtomicSystem, forces: [Vector3], dt: Double) {
        let n = system.atomCount
        system.velocities.withUnsafeMutableBufferPointer { v in
            system.masses.withUnsafeBufferPointer { m in
                forces.withUnsafeBufferPointer { f in
                    executor.forEachSlice(of: n) { range in
                        for i in range { v[i] += (dt * Units.accelerationFactor / m[i]) * f[i] }
                    }
                }
            }
        }
        constraints?.apply(&system.velocities)
    }

    /// r += Δt · v.
    public func drift(_ system: inout AtomicSystem, dt: Double) {
        let n = system.atomCount
        system.positions.withUnsafeMutableBufferPointer { r in
            system.velocities.withUnsafeBufferPointer { v in
                executor.forEachSlice(of: n) { range in
                    for i in range { r[i] += dt * v[i] }
                }
            }
        }
    }

    /// Throws unless every mass is positive and finite: a zero mass would give infinite
    /// accelerations, a negative one a runaway.
    public static func checkMasses(_ system: AtomicSystem) throws {
        if let i = system.masses.firstIndex(where: { !($0 > 0 && $0 <= AtomicSystem.maximumMass) }) {
            throw SpinMDError.unsupported("atom \(i + 1) (\(system.species[i].symbol)) has mass \(system.masses[i]) amu; masses must be in (0, \(AtomicSystem.maximumMass)] amu (check the structure file's masses column)")
        }
    }

    /// One full step from a state whose forces are `current`; returns the result at the new positions.
    public func step(_ system: inout AtomicSystem, current: PotentialResult, evaluator: ForceEvaluator,
                     request: EvaluationRequest, stepIndex: Int, stopwatch: inout Stopwatch) throws -> PotentialResult {
        stopwatch.measure(.integration) {
            kick(&system, forces: current.forces!, dt: 0.5 * timestep)
            drift(&system, dt: timestep)
        }
        try runawayLimits?.checkDrift(system, dt: timestep, step: stepIndex)
        let next = try evaluator.compute(&system, request: request.union(.forces), step: stepIndex)
        stopwatch.measure(.integration) { kick(&system, forces: next.forces!, dt: 0.5 * timestep) }
        return next
    }
}
