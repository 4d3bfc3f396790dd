import SpinMD
import SpinMDCore
import SpinMultiNet

/// What the self-consistent spin update may change: each moment's magnitude along a fixed axis,
/// or the whole vector.
///
/// - Collinear input (MAGMOM-style scalars) keeps every moment on the global spin axis ẑ:
///   m ← (S·ẑ)ẑ, so small off-axis outputs cannot make the spins drift (docs/spinmultinet.md, "Spins as latent variables").
/// - Vector input whose non-zero moments all lie along one axis ê is the same collinear run
///   along ê (along ẑ it is the scalar run, bit for bit).
/// - Other vector input (canted, non-collinear) keeps the direction of every non-zero estimate
///   and relaxes its signed magnitude, mᵢ ← (Sᵢ·ûᵢ)ûᵢ; moments estimated as zero (O) stay zero.
///
/// NOTE: a choice the paper does not make. A model trained on collinear DFT has never seen a
/// moment turn, and its output is almost, but not exactly, parallel to its input: with free
/// directions the shipped model's spins turned together by 2·10⁻⁴ rad per iteration and never
/// converged (1000 iterations, 64-atom NiO). Fixing the directions is constrained-direction
/// non-collinear DFT (VASP's I_CONSTRAINED_M), with the magnitudes self-consistent. A moment
/// estimated as zero has no direction to keep; left free it turned the same way (a test model
/// stalled at |S − m| = 2·10⁻³ μB), so it keeps its estimate.
/// The projection is the same at every step, so the adjoint λ = P(∂E/∂m + Jᵀλ) keeps its form.
package struct SpinConstraint {
    /// (atomCount) unit axis of each moment; the zero vector for a moment held at zero.
    let axes: [Vector3]
    /// True when the input was collinear scalars (the output is reported the same way).
    let scalarInput: Bool
    /// True when every moment keeps one common axis (scalar input, or vectors along one axis).
    let collinear: Bool

    package init(estimates: MagneticMoments, spinAxis: Vector3) {
        switch estimates {
        case let .collinear(m):
            axes = [Vector3](repeating: spinAxis, count: m.count)
            scalarInput = true
            collinear = true
        case let .vector(v):
            scalarInput = false
            let reference = v.first { $0.normSquared > 0 }.map { $0 / $0.norm }
            if let e = reference, v.allSatisfy({ $0.cross(e).norm <= 1e-12 * $0.norm }) {
                axes = [Vector3](repeating: e, count: v.count)
                collinear = true
            } else {
                axes = v.map { $0.normSquared > 0 ? $0 / $0.norm : .zero }
                collinear = false
            }
        }
    }

    /// P·v: the part of each vector the update may change.
    func project(_ v: [Vector3]) -> [Vector3] {
        var out = v
        for i in out.indices { out[i] = out[i].dot(axes[i]) * axes[i] }
        return out
    }

    /// Atoms whose moment along their axis flipped from its estimate (`MagneticMoments.isFlip`).
    func flips(estimates: [Vector3], moments: [Vector3]) -> [Int] {
        estimates.indices.filter { i in MagneticMoments.isFlip(from: estimates[i].dot(axes[i]), to: moments[i].dot(axes[i])) }
    }
}
