import SpinMDCore

/// The time-even pair invariant of two moments that the edge embedding expands in Gaussians.
public enum MomentCoupling: String, Codable, CaseIterable, Sendable {
    /// mᵢ·mⱼ [μB²], Gaussians on [−R², R²] with R = `momentRange`.
    case dot
    /// The saturating product mᵢ·mⱼ / (√(mᵢ² + μ²) √(mⱼ² + μ²)) with μ = `saturation`,
    /// Gaussians on [−1, 1]: ≈ cos θᵢⱼ for moments well above μ, ≈ mᵢ·mⱼ/μ² for small ones.
    ///
    /// NOTE: a departure from the paper's plain product (docs/spinmultinet.md, "Moment bases"). mᵢ·mⱼ spans ±50 μB² in MnO and
    /// ±4 μB² in NiO, so one Gaussian grid either blurs the sign of a Ni–Ni pair or loses Mn–Mn
    /// pairs off its end (the first shipped model under-resolved the FM/AFM energy differences
    /// by 10–20 meV/atom). The saturating product separates parallel from antiparallel pairs of
    /// any transition metal and hardly changes when input magnitudes are randomised (training
    /// augmentation) or relaxed (self-consistent spins). μ is large on purpose: with μ = 0.1 μB
    /// (nearly a cosine) the tiny O moments (0–0.15 μB) gave O–M pairs features up to ±0.8,
    /// which the model learnt to read the ordering from, and which vanish when O starts at 0 μB.
    /// Magnitudes still enter through the node embedding of ‖mᵢ‖.
    case normalized

    /// μ of `.normalized` [μB].
    public static let saturation = 1.0
}
