import SpinMDCore

extension LennardJones {
    /// Largest `cutoff_A` [Å] (3.5σ of xenon is 14 Å): with `neighbor.skin_A` ≤ 10 Å it keeps
    /// the list radius within `CellListBuilder.maximumRadius`.
    public static let maximumCutoff = 40.0

    /// Reads a `potential` object of type "lennard-jones":
    /// `{"type": "lennard-jones", "cutoff_A": 8.5, "truncation": "shifted", "switch_A": 7.5,
    ///   "species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}}`.
    public init(configuration c: ConfigObject) throws {
        let cutoff = try c.double("cutoff_A", NumberCheck(minimum: 0, minimumInclusive: false, maximum: Self.maximumCutoff,
                                                          expectation: "a positive number ≤ \(Self.maximumCutoff) (Å)"))
        let truncation = Truncation(rawValue: try c.choice("truncation", Truncation.allCases.map(\.rawValue), default: "shifted"))!
        let switchRadius = try c.optionalDouble("switch_A", .positive)
        if let r = switchRadius {
            guard truncation == .smooth else { throw c.error("switch_A", "only applies to \"truncation\": \"smooth\"") }
            guard r < cutoff else { throw c.error("switch_A", "must be below cutoff_A (\(cutoff) Å), got \(r)") }
        }
        let table = try c.object("species")
        var parameters: [Element: Parameters] = [:]
        for (symbol, _) in table.members {
            guard let e = Element(symbol: symbol) else { throw SpinMDError.unknownElement(symbol, location: table.location(symbol)) }
            let p = try table.object(symbol)
            parameters[e] = Parameters(epsilon: try p.double("epsilon_eV", .range(0, 100)), sigma: try p.double("sigma_A", .range(0.1, 20)))
            try p.finish()
        }
        guard !parameters.isEmpty else { throw c.error("species", "needs parameters for at least one element") }
        self.init(parameters: parameters, cutoff: cutoff, truncation: truncation, switchRadius: switchRadius)
    }
}
