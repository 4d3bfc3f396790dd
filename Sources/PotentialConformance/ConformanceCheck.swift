import SpinMDCore

/// One property every `Potential` must have, checked by `PotentialConformance`.
///
/// Tolerances are relative to a scale max(1, largest |value|) of the quantity compared, in the
/// quantity's units (eV, eV/Å, eV, μB); their values are `ConformanceTolerances`' defaults.
public enum ConformanceCheck: String, CaseIterable, Sendable {
    /// Forces F = −∇E and virial W = −∂E/∂ε against central finite differences of the energy
    /// (displacements of ±10⁻⁵ Å, strains of ±10⁻⁶ applied to positions and cell together):
    /// |F − F_fd| ≤ 10⁻⁶ and |W − W_fd| ≤ 10⁻⁵ of their scales (`FiniteDifferenceCheck`). The virial
    /// is checked for fully periodic systems only.
    case finiteDifferences
    /// The virial is symmetric (a consequence of rotation invariance): |W − Wᵀ| ≤ 10⁻¹⁰·max(1, |W|).
    case virialSymmetry
    /// Σᵢ Fᵢ = 0 (translation invariance): |Σ F| ≤ 10⁻¹⁰·max(1, Σ|Fᵢ|).
    case forceSum
    /// Σᵢ Eᵢ = E when per-atom energies are reported: |Σ Eᵢ − E| ≤ 10⁻¹⁰·max(1, Σ|Eᵢ|).
    case atomicEnergySum
    /// A random proper rotation R of positions and cell: E unchanged, F → R·F, W → R·W·Rᵀ, and
    /// moments (input and predicted) → R·m, collinear ones taken along ẑ (so the rotated system
    /// has vector moments along R·ẑ). Agreement to 10⁻⁹ of each quantity's scale.
    case rotation
    /// An improper rotation (a mirror times a random rotation), det R = −1: as `rotation`, with
    /// vector moments transformed as the axial vectors they are, m → det(R)·R·m.
    case reflection
    /// A translation of every atom by the same (non-lattice) vector: nothing changes (10⁻⁹).
    case translation
    /// A random permutation of the atoms with their species, masses and moments: E unchanged,
    /// forces, per-atom energies and moments permuted the same way (10⁻⁹).
    case permutation
    /// Time reversal, every moment negated (systems with moments only): E and F unchanged,
    /// predicted moments negated (10⁻⁹).
    case timeReversal
    /// Two atoms (the species and moments of a system's first two atoms) a distance r_c ∓ δ apart,
    /// δ = 10⁻⁶ Å: the energy jumps by at most 10⁻⁸ eV (a continuous E with |F| < 5·10⁻³ eV/Å at r_c
    /// passes); beyond r_c the pair adds nothing (E(r_c + δ) = E(r_c + 0.5 Å) to 10⁻¹⁰), and inside
    /// it does (E(r_c − 1 Å) differs, so the check is not vacuous). With
    /// `ConformanceOption.energyJumpsAtCutoff` the jump must instead exceed 10⁻⁸ eV.
    case cutoffContinuity
    /// A periodic system repeated n₁×n₂×n₃ times (2×2×2 by default): E and W times n₁n₂n₃,
    /// forces, per-atom energies and moments replicated (10⁻⁹).
    case supercell
    /// Two evaluations with two threads give the same bits (E, F, W, per-atom energies, moments),
    /// and one thread agrees with two to 10⁻⁹ of each scale.
    case threadDeterminism
}
