import SpinMDCore

extension ModelConfiguration {
    /// Reads a model configuration (the file `spinmd model init --config` takes):
    /// `{"species": ["Ni", "O"], "cutoff_A": 5.0, "channels": 8, "l_max": 1, "layers": 2,
    ///   "radial_basis": 8, "moment_basis": 8, "moment_range_uB": 5.0, "hidden": 16,
    ///   "average_neighbors": 12, "moment_coupling": "normalized", "reference_energies_eV": {"Ni": -5.0, "O": -4.0}, "spin_blind": false}`.
    public init(input c: ConfigObject) throws {
        let elements = try c.elements("species")
        self.init(species: elements.map(\.atomicNumber))
        cutoff = try c.double("cutoff_A", default: cutoff, .positive)
        channels = try c.int("channels", default: channels, Self.within(Self.channelRange))
        lMax = try c.int("l_max", default: lMax, Self.within(Self.lMaxRange))
        layers = try c.int("layers", default: layers, Self.within(Self.layerRange))
        radialBasis = try c.int("radial_basis", default: radialBasis, Self.within(Self.radialBasisRange))
        momentBasis = try c.int("moment_basis", default: momentBasis, Self.within(Self.momentBasisRange))
        momentRange = try c.double("moment_range_uB", default: momentRange, .positive)
        hidden = try c.int("hidden", default: hidden, Self.within(Self.hiddenRange))
        averageNeighbors = try c.double("average_neighbors", default: averageNeighbors, .positive)
        if c.contains("moment_coupling") {
            momentCoupling = MomentCoupling(rawValue: try c.choice("moment_coupling", MomentCoupling.allCases.map(\.rawValue)))
        }
        if try c.bool("spin_blind", default: false) { spinBlind = true }
        if let refs = try c.optionalObject("reference_energies_eV") {
            for (k, e) in elements.enumerated() { referenceEnergies[k] = try refs.double(e.symbol, default: 0) }
            try refs.finish()
        }
        try c.finish()
    }

    /// A check for an integer range of `ModelConfiguration+Validation`.
    static func within(_ range: ClosedRange<Int>) -> NumberCheck { .range(Double(range.lowerBound), Double(range.upperBound)) }
}
