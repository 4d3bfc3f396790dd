import SpinMultiNet
import SpinMDCore

/// Weights of the multi-task loss of one frame (docs/training.md, "Loss"):
///
///     L = w_E ((E − E_ref)/N)² + w_F/(3N) Σᵢ |Fᵢ − F_refᵢ|² + w_M/N Σᵢ |Sᵢ − m_refᵢ|² + w_σ/9 Σ_ab Δσ_ab²
///
/// in eV, Å and μB (stress in eV/Å³). A frame without a label contributes nothing to its term;
/// a batch's loss is the mean over its frames.
public struct LossWeights: Sendable, Equatable, Codable {
    /// Weight of the squared energy-per-atom error [1/(eV/atom)²].
    public var energy = 10.0
    /// Weight of the mean squared force component error [1/(eV/Å)²].
    public var forces = 1.0
    /// Weight of the mean squared moment error per atom [1/μB²].
    public var moments = 1.0
    /// Weight of the mean squared stress component error [1/(eV/Å³)²].
    public var stress = 0.0
    /// Fit only the traceless part of the stress (the hydrostatic part of plane-wave DFT stress
    /// carries the basis-set (Pulay) error; docs/dft-pipeline.md, "Protocol").
    public var deviatoricStress = true

    public init() {}
}
