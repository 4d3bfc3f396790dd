import SpinMD
import SpinMDCore
import SpinMultiNet

/// Draws the spin input and moment targets of a training frame (docs/training.md, "Spin augmentation").
struct SpinInputSampler {
    var augmentation: TrainingConfiguration.Augmentation

    /// Inputs and targets along ẑ (collinear) or as given, without augmentation.
    static func plain(_ f: LabelledFrame) -> (inputs: [Vector3], targets: [Vector3]?, axis: Vector3?) {
        let z = MagneticMoments.spinAxis
        return (f.initialMoments.vectors(axis: z), f.moments?.vectors(axis: z), f.isCollinear ? z : nil)
    }

    /// Randomised inputs and the matching targets (same rotation).
    func draw(_ f: LabelledFrame, _ g: inout SeededGenerator) -> (inputs: [Vector3], targets: [Vector3]?, axis: Vector3?) {
        var (inputs, targets, axis) = Self.plain(f)
        if augmentation.magnitudes {
            let (lower, upper) = augmentation.magnitudeRange
            // NOTE: an atom estimated at 0 μB (O in a TMO) has no sign of its own; it takes the
            // direction of its converged moment, but only in half of the draws (per frame) —
            // in the other half it keeps its estimate, 0. Always giving it the converged
            // direction let the model read the ordering from the O moments (in FM and AFM-I they
            // follow their neighbours, in AFM-II they vanish) and put AFM-I 14 meV/atom too low
            // whenever O started at 0 (fixed spins, or the first self-consistent iteration).
            let zeroStaysZero = g.nextUniform() < 0.5
            let r = augmentation.zeroMomentRange
            for i in 0..<inputs.count {
                let m0 = inputs[i].norm, t = targets.map { $0[i].norm } ?? m0
                if m0 == 0, zeroStaysZero { continue }
                // NOTE: with `zero_moment_range_uB` the other half spans ±r with a random sign,
                // so the model learns that the moment of such an atom returns to its target from
                // any small estimate. Without it the inputs stayed within 1.2·|m| ≈ 0.2 μB, and a
                // model trained on large rattles mapped O inputs of 0.3–2 μB to about themselves
                // plus 0.15 with falling energy: a spurious self-consistent state 300 meV/atom low.
                if m0 == 0, r > 0 {
                    let magnitude = max(r, upper * t) * g.nextUniform()
                    let sign: Double = g.nextUniform() < 0.5 ? -1 : 1
                    let direction = t > 0 ? targets![i] / t : (axis ?? MagneticMoments.spinAxis)
                    inputs[i] = sign * magnitude * direction
                    continue
                }
                let lo = lower * min(m0, t), hi = upper * max(m0, t)
                let magnitude = lo + (hi - lo) * g.nextUniform()
                var direction = m0 > 0 ? inputs[i] / m0 : Vector3.zero
                if m0 == 0, let t = targets?[i], t.norm > 0 { direction = t / t.norm }
                inputs[i] = magnitude * direction
            }
        }
        if augmentation.spinAxis {
            if let along = axis {
                var e = Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian())
                e /= e.norm
                inputs = inputs.map { $0.dot(along) * e }
                targets = targets?.map { $0.dot(along) * e }
                axis = e
            } else {
                let r = g.nextRotation()
                inputs = inputs.map { r.apply($0) }
                targets = targets?.map { r.apply($0) }
            }
        }
        return (inputs, targets, axis)
    }
}
