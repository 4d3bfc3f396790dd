import SpinMD
import SpinMDCore
import SpinMultiNet

/// Errors of the four trained properties over a set of frames: energy per atom [eV/atom], force
/// components [eV/Å], moments [μB] (the signed value along the spin axis for collinear data, each
/// component for vectors) and stress components [eV/Å³].
public struct PropertyErrors: Sendable, Equatable {
    public var energy = ErrorStatistics()
    public var forces = ErrorStatistics()
    public var moments = ErrorStatistics()
    public var stress = ErrorStatistics()
    /// Frames added.
    public var frames = 0

    public init() {}

    public mutating func merge(_ o: PropertyErrors) {
        energy.merge(o.energy); forces.merge(o.forces); moments.merge(o.moments); stress.merge(o.stress)
        frames += o.frames
    }

    /// Adds frame-level errors (energy, stress) of one frame.
    mutating func addFrame(_ p: FramePrediction, _ f: LabelledFrame) {
        frames += 1
        if let e = f.energy { energy.add((p.energy - e) / Double(f.atomCount)) }
        if let s = f.stress, let ps = p.stress {
            for a in 0..<3 { for b in 0..<3 { stress.add(ps[a, b] - s[a, b]) } }
        }
    }

    /// Adds the force and moment errors of atom i. `targets` are the moment targets as vectors
    /// along `axis` (collinear) or as given.
    mutating func addAtom(_ i: Int, _ p: FramePrediction, _ f: LabelledFrame, targets: [Vector3]?, axis: Vector3?) {
        if let ref = f.forces, let pf = p.forces {
            let d = pf[i] - ref[i]
            forces.add(d.x); forces.add(d.y); forces.add(d.z)
        }
        if let t = targets {
            if let axis {
                moments.add(p.spins[i].dot(axis) - t[i].dot(axis))
            } else {
                let d = p.spins[i] - t[i]
                moments.add(d.x); moments.add(d.y); moments.add(d.z)
            }
        }
    }
}
