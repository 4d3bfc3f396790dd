import SpinMDCore

/// The state of an MD run beyond its atoms: the `Checkpointable` parts, each with its own
/// section. The one place a checkpoint is assembled (`capture`) and applied (`restore`).
public final class RunState {
    public private(set) var parts: [any Checkpointable] = []
    /// The settings of the run, recorded in every checkpoint.
    public var fingerprint = RunFingerprint(settings: [:])

    public init(_ parts: [any Checkpointable] = []) throws {
        for p in parts { try add(p) }
    }

    /// Adds a part.
    /// - Throws: `SpinMDError.unsupported` when another part saves the same section (two output
    ///   files of the same name in different directories).
    public func add(_ part: any Checkpointable) throws {
        guard !parts.contains(where: { $0.checkpointSection == part.checkpointSection }) else {
            throw SpinMDError.unsupported("two parts of the run save checkpoint section '\(part.checkpointSection)'; give the output files different names")
        }
        parts.append(part)
    }

    /// A checkpoint of `system` at `step` and `time` [fs] with every part's section.
    public func capture(step: Int, time: Double, system: AtomicSystem) -> Checkpoint {
        var c = Checkpoint(step: step, time: time, system: system)
        c.fingerprint = fingerprint
        for p in parts {
            if let s = p.checkpointState() { c.sections[p.checkpointSection] = s }
        }
        return c
    }

    /// Restores the atoms' positions, velocities, cell and masses into `system` (species and
    /// initial moments stay those of the input) and every part from its section.
    /// - Parameter path: the checkpoint file, for messages.
    /// - Throws: `SpinMDError.io` naming the checkpoint when a section does not fit its part.
    public func restore(_ checkpoint: Checkpoint, into system: inout AtomicSystem, path: String) throws {
        system.positions = checkpoint.system.positions
        system.velocities = checkpoint.system.velocities
        system.cell = checkpoint.system.cell
        system.masses = checkpoint.system.masses
        for p in parts {
            do { try p.restore(from: checkpoint.sections[p.checkpointSection]) } catch let e as CheckpointSection.Mismatch {
                throw SpinMDError.io(path: path, message: "section '\(p.checkpointSection)' \(e.message); it was written by another input")
            }
        }
    }
}
