import SpinMDCore

/// A part of a run whose state a checkpoint must hold for `--resume` to continue bit for bit:
/// the integrator (with its Nosé–Hoover chain), the force evaluator's neighbor-list reference,
/// the potential's latent state, the random stream, and each output file's length.
///
/// Each part writes and restores its own named section of the `Checkpoint`; `RunState` collects
/// the parts of a run and is the one place checkpoints are captured and restored.
///
/// A resumed run evaluates the checkpoint's step again (for its forces), so a part whose state
/// an evaluation changes saves the state that evaluation started from; the repeated evaluation
/// then reproduces the original, state included, bit for bit.
public protocol Checkpointable: AnyObject {
    /// Name of its section, unique within a run (e.g. "integrator", "output.thermo.tsv").
    var checkpointSection: String { get }
    /// The state to save now; nil when there is none (e.g. before the first evaluation).
    func checkpointState() -> CheckpointSection?
    /// Restores the state saved by `checkpointState`. `section` is nil when the checkpoint holds
    /// none for this part; a part that cannot continue without it throws.
    /// - Throws: `CheckpointSection.Mismatch` when the section does not fit this part (it was
    ///   written by another input), or a `SpinMDError` for the part's own files.
    func restore(from section: CheckpointSection?) throws
}
