import SpinMDCore

/// Makes the potential an input file's `potential` object names. Potentials outside the core
/// (SpinMultiNet) register themselves here, so the core never imports them.
public enum PotentialFactory {
    /// Builds a potential from its configuration object; `baseDirectory` resolves relative paths.
    public typealias Maker = (_ configuration: ConfigObject, _ executor: ParallelExecutor, _ baseDirectory: String) throws -> any Potential

    nonisolated(unsafe) private static var makers: [String: Maker] = [
        "lennard-jones": { c, executor, _ in PairPotential(try LennardJones(configuration: c), name: "lennard-jones", executor: executor) },
    ]

    /// Adds (or replaces) a potential type.
    public static func register(_ type: String, _ maker: @escaping Maker) { makers[type] = maker }

    /// Types `spinmd run` knows.
    public static var types: [String] { makers.keys.sorted() }

    public static func make(_ c: ConfigObject, executor: ParallelExecutor, baseDirectory: String = ".") throws -> any Potential {
        let type = try c.choice("type", types)
        let potential = try makers[type]!(c, executor, baseDirectory)
        try c.finish()
        return potential
    }
}
