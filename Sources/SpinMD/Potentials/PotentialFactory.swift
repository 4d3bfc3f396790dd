/// Makes the potential an input file's `potential` object names.
public enum PotentialFactory {
    /// Types `spinmd run` knows.
    public static let types = ["lennard-jones"]

    public static func make(_ c: ConfigObject, executor: ParallelExecutor) throws -> any Potential {
        let type = try c.choice("type", types)
        let potential: any Potential
        switch type {
        default:
            potential = PairPotential(try LennardJones(configuration: c), name: "lennard-jones", executor: executor)
        }
        try c.finish()
        return potential
    }
}
