import SpinMDCore

/// Step sizes and tolerances of the `PotentialConformance` checks. Tolerances are relative to
/// max(1, largest |value|) of the quantity compared (see `ConformanceCheck` for each check).
public struct ConformanceTolerances: Sendable {
    /// Finite-difference displacement [Å] and strain step.
    public var displacement = 1e-5
    public var strain = 1e-6
    /// Largest |F − F_fd| and |W − W_fd| (relative).
    public var force = 1e-6
    public var virial = 1e-5
    /// Sum rules: Σ F = 0, Σ Eᵢ = E, W = Wᵀ (relative; round-off).
    public var sum = 1e-10
    /// Symmetry operations, supercells and 1 vs 2 threads (relative).
    public var symmetry = 1e-9
    /// Distance either side of the cutoff [Å] and largest energy jump across it [eV].
    public var cutoffStep = 1e-6
    public var cutoffJump = 1e-8
    /// Repeats of the `supercell` check.
    public var supercell = SIMD3<Int>(2, 2, 2)

    public init() {}

    /// The defaults: for potentials evaluated in closed form.
    public static let standard = ConformanceTolerances()

    /// For potentials with an inner iteration converged to ~10⁻¹³ (self-consistent spins): steps of
    /// 10⁻⁴ Å and 10⁻⁵ strain keep the convergence noise below the step, and forces and virial agree
    /// to 2·10⁻⁶ and 2·10⁻⁵; sums and symmetries to 10⁻⁹.
    public static var iterative: ConformanceTolerances {
        var t = ConformanceTolerances()
        t.displacement = 1e-4
        t.strain = 1e-5
        t.force = 2e-6
        t.virial = 2e-5
        t.sum = 1e-9
        return t
    }
}
