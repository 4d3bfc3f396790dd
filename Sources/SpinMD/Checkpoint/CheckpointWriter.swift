import SpinMDCore

/// Writes spinmd checkpoints during MD on its trigger (and when a run is interrupted).
/// Scheduled last among the observers, so a checkpoint never precedes output of its own step
/// (and the output files' recorded lengths include that step).
public final class CheckpointWriter: Observer {
    public let trigger: Trigger
    public let path: String
    /// The run's parts whose sections each checkpoint holds.
    public let state: RunState
    /// Step of the last checkpoint written.
    public private(set) var lastStep: Int?

    public init(path: String, trigger: Trigger, state: RunState) {
        self.path = path
        self.trigger = trigger
        self.state = state
    }

    public func observe(_ s: Snapshot) throws {
        guard lastStep != s.step else { return }
        try s.requireFinite([.cell, .positions, .velocities, .energies], writing: path)
        try state.capture(step: s.step, time: s.time, system: s.system).write(to: path)
        lastStep = s.step
    }
}
