import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// What the model predicts for one frame with a given spin input.
public struct FramePrediction: Sendable {
    /// Energy [eV].
    public var energy: Double
    /// (N, 3) forces −∂E/∂R [eV/Å] at fixed spin input (nil when not asked for).
    public var forces: [Vector3]?
    /// (N, 3) predicted moments S(R, m) [μB].
    public var spins: [Vector3]
    /// Stress (1/V) ∂E/∂ε [eV/Å³], ASE sign convention (periodic frames, when forces are asked for).
    public var stress: Matrix3?
}

/// The weighted loss terms of one frame (each already multiplied by its weight).
public struct LossTerms: Sendable, Equatable {
    public var energy = 0.0, forces = 0.0, moments = 0.0, stress = 0.0
    public var total: Double { energy + forces + moments + stress }
    public init() {}
    public static func + (a: LossTerms, b: LossTerms) -> LossTerms {
        var c = a
        c.energy += b.energy; c.forces += b.forces; c.moments += b.moments; c.stress += b.stress
        return c
    }
}

/// The multi-task loss of one frame (`LossWeights`) and its gradient with respect to the weights.
///
/// Energy and moment terms are first order: one backward pass with cotangents
/// (2w_E ΔE/N², 2w_M ΔSᵢ/N). The force and stress terms need the derivative of ∂E/∂R with respect
/// to the weights. With the residuals held fixed, their gradient is the directional derivative of
/// ∇_θE along the edge displacement
///
///     δvₖ = −(2w_F/3N)(ΔF_j − ΔF_i) + (2w_σ/9V) Δσ·vₖ      (edge k: i ← j, vₖ = r_j − r_i)
///
/// because Σₖ δvₖ·∂E/∂vₖ is exactly the force and stress part of the loss's first variation.
///
/// NOTE: that directional derivative (a Hessian-vector product) is taken by a central difference
/// of two exact weight gradients at v ± hδ, h·max|δv| = 10⁻⁴ Å (Pearlmutter, "Fast exact
/// multiplication by the Hessian", Neural Computation 6, 147 (1994), discusses this and the exact
/// R-operator). The truncation error is O(h²) ≈ 10⁻⁸ relative and round-off ≈ 10⁻¹¹ relative,
/// far below the noise of stochastic training; the gradient test checks the whole loss gradient
/// against finite differences in the weights. An exact forward-over-reverse pass would remove it.
public enum FrameLoss {
    /// Largest edge displacement of the central difference [Å].
    public static let displacementStep = 1e-4

    /// Loss terms and prediction of `frame` for spin input `inputs` and moment targets `targets`
    /// (vectors; nil: no moment term), adding ∂L/∂weights into `gradients` when it is given.
    public static func evaluate(_ model: SpinMultiNetModel, _ frame: LabelledFrame, inputs: [Vector3], targets: [Vector3]?,
                                weights w: LossWeights, gradients: UnsafeMutablePointer<[String: [Double]]>? = nil)
        -> (LossTerms, FramePrediction) {
        let graph = frame.graph
        let n = Double(frame.atomCount)
        let (output, tape) = model.forward(graph, moments: inputs)
        var prediction = FramePrediction(energy: output.energy, forces: nil, spins: output.spins, stress: nil)
        let needForces = frame.forces != nil || frame.stress != nil
        if needForces {
            let vbar = model.backward(tape, energyCotangent: 1, spinCotangents: nil).edgeVectors
            var forces = [Vector3](repeating: .zero, count: frame.atomCount)
            var sum = Matrix3.zero
            for k in 0..<graph.edgeCount {
                forces[graph.receivers[k]] += vbar[k]
                forces[graph.senders[k]] -= vbar[k]
                sum += Matrix3.outer(vbar[k], graph.vectors[k])
            }
            prediction.forces = forces
            if let v = frame.volume { prediction.stress = (1 / v) * sum.symmetricPart }
        }

        var terms = LossTerms()
        var energyCotangent = 0.0
        if let e = frame.energy {
            let d = (output.energy - e) / n
            terms.energy = w.energy * d * d
            energyCotangent = 2 * w.energy * d / n
        }
        var spinCotangents: [Vector3]? = nil
        if let t = targets, w.moments > 0 {
            var sum = 0.0
            spinCotangents = (0..<frame.atomCount).map { i in
                let d = output.spins[i] - t[i]
                sum += d.normSquared
                return (2 * w.moments / n) * d
            }
            terms.moments = w.moments * sum / n
        }
        var forceResidual: [Vector3]? = nil
        if let ref = frame.forces, let f = prediction.forces, w.forces > 0 {
            let r = (0..<frame.atomCount).map { f[$0] - ref[$0] }
            terms.forces = w.forces * r.reduce(0) { $0 + $1.normSquared } / (3 * n)
            forceResidual = r
        }
        var stressResidual: Matrix3? = nil
        if let ref = frame.stress, let s = prediction.stress, let volume = frame.volume, w.stress > 0 {
            var d = s - ref.symmetricPart
            if w.deviatoricStress { d = d - (d.trace / 3) * Matrix3.identity }
            var sq = 0.0
            for a in 0..<3 { for b in 0..<3 { sq += d[a, b] * d[a, b] } }
            terms.stress = w.stress * sq / 9
            stressResidual = (2 * w.stress / (9 * volume)) * d
        }
        guard let gradients else { return (terms, prediction) }

        _ = model.backward(tape, energyCotangent: energyCotangent, spinCotangents: spinCotangents, weightGradients: &gradients.pointee)
        if forceResidual != nil || stressResidual != nil {
            let c = 2 * w.forces / (3 * n)
            let delta: [Vector3] = (0..<graph.edgeCount).map { k in
                var d = Vector3.zero
                if let r = forceResidual { d -= c * (r[graph.senders[k]] - r[graph.receivers[k]]) }
                if let s = stressResidual { d += s.apply(graph.vectors[k]) }
                return d
            }
            let largest = delta.map(\.norm).max() ?? 0
            if largest > 0 {
                let h = displacementStep / largest
                for sign in [1.0, -1.0] {
                    var displaced = graph
                    for k in 0..<graph.edgeCount { displaced.vectors[k] += (sign * h) * delta[k] }
                    let (_, t) = model.forward(displaced, moments: inputs)
                    _ = model.backward(t, energyCotangent: sign / (2 * h), spinCotangents: nil, weightGradients: &gradients.pointee)
                }
            }
        }
        return (terms, prediction)
    }
}
