import SpinMDCore

/// Hyper-parameters of a SpinMultiNet model (everything but the weights).
public struct ModelConfiguration: Equatable, Sendable, Codable {
    /// Elements the model knows, in the order of the one-hot embedding.
    public var species: [Int]
    /// Interaction cutoff [Å].
    public var cutoff: Double = 5.0
    /// Channels per irrep block.
    public var channels: Int = 8
    /// Highest angular order of features and of edge harmonics.
    public var lMax: Int = 1
    /// Interaction layers.
    public var layers: Int = 2
    /// Bessel functions of the radial basis.
    public var radialBasis: Int = 8
    /// Gaussians for |mᵢ| (node) and mᵢ·mⱼ (edge) embeddings.
    public var momentBasis: Int = 8
    /// Largest |m| [μB] the moment Gaussians cover (m·m covers ±its square).
    public var momentRange: Double = 5.0
    /// Hidden width of the radial (edge-weight) MLP and of the energy readout.
    public var hidden: Int = 16
    /// Messages are summed over neighbours and divided by this.
    public var averageNeighbors: Double = 12.0
    /// Per-species reference energies [eV], same order as `species`.
    public var referenceEnergies: [Double]
    /// How the edge embedding sees a pair of moments: `.dot` (Gaussians of mᵢ·mⱼ [μB²] on
    /// ±momentRange²) or `.normalized` (Gaussians of a saturating product on [−1, 1]). nil (absent
    /// from older files) means `.dot`.
    public var momentCoupling: MomentCoupling?
    /// A spin-blind ablation: the model ignores its spin input (every moment is taken as 0), so
    /// it sees structure only. nil (absent from older files) means false.
    public var spinBlind: Bool?

    public init(species: [Int], referenceEnergies: [Double]? = nil) {
        self.species = species
        self.referenceEnergies = referenceEnergies ?? Array(repeating: 0, count: species.count)
    }

    /// The edge moment invariant in use.
    public var coupling: MomentCoupling { momentCoupling ?? .dot }

    /// The irrep blocks of hidden features: every (l, p, t) with l ≤ lMax.
    public var hiddenIrreps: [Irrep] {
        (0...lMax).flatMap { l in [1, -1].flatMap { p in [1, -1].map { t in Irrep(l: l, parity: p, timeParity: t) } } }
    }
}
