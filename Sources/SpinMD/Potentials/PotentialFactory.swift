import Foundation
import SpinMDCore

/// Reads an input file's `potential` section and makes the potential it names. Potentials
/// outside the core (SpinMultiNet) register themselves here, so the core never imports them.
public enum PotentialFactory {
    /// Reads and checks a potential's configuration object (every key but `type`, which the
    /// factory reads) and returns how to build the potential; `baseDirectory` resolves relative paths.
    public typealias Reader = (_ configuration: ConfigObject, _ baseDirectory: String) throws -> PotentialSettings.Builder

    /// NOTE: registration happens at start-up, but a library host may register from any thread,
    /// so every access to the table goes through `lock`.
    nonisolated(unsafe) private static var table: [String: Reader] = [
        "lennard-jones": { c, _ in
            let lj = try LennardJones(configuration: c)
            return { executor in PairPotential(lj, name: "lennard-jones", executor: executor) }
        },
    ]

    private static let lock = NSLock()
    private static var readers: [String: Reader] { lock.withLock { table } }

    /// Adds (or replaces) a potential type.
    public static func register(_ type: String, _ reader: @escaping Reader) { lock.withLock { table[type] = reader } }

    /// Types `spinmd run` knows.
    public static var types: [String] { readers.keys.sorted() }

    /// Reads the `potential` section with its type's reader. A type no reader is registered for
    /// (yet) is read when the potential is built, so that a program linking only the core can
    /// still load inputs for other potentials; an unknown type is reported there.
    public static func read(_ c: ConfigObject, baseDirectory: String = ".") throws -> PotentialSettings {
        guard let type = try? c.optionalString("type"), readers[type] != nil else {
            return PotentialSettings(section: c) { executor in try readSection(c, baseDirectory: baseDirectory)(executor) }
        }
        return PotentialSettings(section: c, build: try readSection(c, baseDirectory: baseDirectory))
    }

    /// Reads the section and builds the potential at once.
    public static func make(_ c: ConfigObject, executor: ParallelExecutor, baseDirectory: String = ".") throws -> any Potential {
        try read(c, baseDirectory: baseDirectory).makePotential(executor: executor)
    }

    private static func readSection(_ c: ConfigObject, baseDirectory: String) throws -> PotentialSettings.Builder {
        let type = try c.choice("type", types)
        let build = try readers[type]!(c, baseDirectory)
        try c.finish()
        return build
    }
}
