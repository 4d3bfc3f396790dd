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

    /// |S − m| ≤ 10⁻⁵ μB and an adjoint to 10⁻⁵ eV/μB: forces within ~10⁻⁵ eV/Å of the exact total
    /// derivative for the shipped model (docs/spinmultinet.md says how that was measured).
    public static let defaults = (tolerance: 1e-5, adjointTolerance: 1e-5, maxIterations: 200, mixing: 1.0)
    public static let defaultSelfConsistent = SpinMode.selfConsistent(tolerance: defaults.tolerance, adjointTolerance: defaults.adjointTolerance,
                                                                      maxIterations: defaults.maxIterations, mixing: defaults.mixing)

    /// Self-consistent spins with both tolerances set to `tolerance` (tests and tight checks).
    public static func selfConsistent(tolerance: Double, maxIterations: Int, mixing: Double) -> SpinMode {
        .selfConsistent(tolerance: tolerance, adjointTolerance: tolerance, maxIterations: maxIterations, mixing: mixing)
    }
}
