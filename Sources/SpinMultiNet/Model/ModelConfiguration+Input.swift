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
        channels = try c.int("channels", default: channels, .range(1, 512))
        lMax = try c.int("l_max", default: lMax, .range(1, 4))
        layers = try c.int("layers", default: layers, .range(1, 10))
        radialBasis = try c.int("radial_basis", default: radialBasis, .range(1, 64))
        momentBasis = try c.int("moment_basis", default: momentBasis, .range(2, 64))
        momentRange = try c.double("moment_range_uB", default: momentRange, .positive)
        hidden = try c.int("hidden", default: hidden, .range(1, 1024))
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
}
