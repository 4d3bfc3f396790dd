/// How the spin input of SpinMultiNet is chosen at each MD or relaxation step.
public enum SpinMode: Equatable, Sendable {
    /// The initial estimates are the spin input at every step (the paper's protocol).
    case fixed
    /// The spin input is relaxed to the fixed point m* = S(R, m*) at every step, warm-started
    /// from the previous step, with linear mixing m ← m + α(S − m) (the adjoint is Anderson-accelerated).
    /// - tolerance: largest |S − m| per atom [μB] at convergence.
    case selfConsistent(tolerance: Double, maxIterations: Int, mixing: Double)

    public static let defaultSelfConsistent = SpinMode.selfConsistent(tolerance: 1e-6, maxIterations: 200, mixing: 0.5)
}
