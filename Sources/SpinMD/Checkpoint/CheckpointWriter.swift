import SpinMDCore

/// Writes spinmd checkpoints during MD on its trigger (and when a run is interrupted).
/// Scheduled last among the observers, so a checkpoint never precedes output of its own step.
public final class CheckpointWriter: Observer {
    public let trigger: Trigger
    public let path: String
    let integrator: any Integrator
    let evaluator: ForceEvaluator
    let generator: SeededGenerator?
    /// Step of the last checkpoint written.
    public private(set) var lastStep: Int?

    public init(path: String, trigger: Trigger, integrator: any Integrator, evaluator: ForceEvaluator, generator: SeededGenerator?) {
        self.path = path
        self.trigger = trigger
        self.integrator = integrator
        self.evaluator = evaluator
        self.generator = generator
    }

    public func observe(_ s: Snapshot) throws {
        guard lastStep != s.step else { return }
        var c = Checkpoint(step: s.step, time: s.time, system: s.system)
        if let nvt = integrator as? NVTIntegrator {
            c.thermostatPositions = nvt.thermostat.positions
            c.thermostatVelocities = nvt.thermostat.velocities
        }
        c.generator = generator
        let list = evaluator.neighbors
        if let cell = list.referenceCell {
            c.neighborReferencePositions = list.referencePositions
            c.neighborReferenceCell = cell
        }
        if let state = evaluator.potential.latentState { c.arrays["potential_state"] = state }
        try c.write(to: path)
        lastStep = s.step
    }
}
