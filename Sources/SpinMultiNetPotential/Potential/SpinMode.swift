import SpinMultiNet
import SpinMDCore

/// How the spin input of SpinMultiNet is chosen at each MD or relaxation step.
public enum SpinMode: Equatable, Sendable {
    /// The initial estimates are the spin input at every step (the paper's protocol).
    case fixed
    /// The spin input is relaxed to the fixed point m* = S(R, m*) at every step, starting from
    /// an extrapolation of the previous steps' solutions (`SolutionHistory`), with linear mixing
    /// m ← m + α(S − m); the adjoint is Anderson-accelerated.
    /// - tolerance: largest |S(R, m) − m| per atom [μB] accepted as converged.
    /// - adjointTolerance: largest |λ − P(∂E/∂m + Jᵀλ)| per atom [eV/μB] accepted as converged.
    case selfConsistent(tolerance: Double, adjointTolerance: Double, maxIterations: Int, mixing: Double)

    /// |S − m| ≤ 10⁻⁴ μB and an adjoint to 10⁻⁴ eV/μB: forces within 10⁻⁶ eV/Å of those of fully
    /// converged spins for the shipped model in MD of NiO (docs/spinmultinet.md, "Tolerances").
    public static let defaults = (tolerance: 1e-4, adjointTolerance: 1e-4, maxIterations: 200, mixing: 1.0)
    public static let defaultSelfConsistent = SpinMode.selfConsistent(tolerance: defaults.tolerance, adjointTolerance: defaults.adjointTolerance,
                                                                      maxIterations: defaults.maxIterations, mixing: defaults.mixing)
}
