import SpinMDCore

/// An input file's `potential` section as read by `PotentialFactory`: how to build the potential,
/// and the section itself for located errors found when the potential meets the structure.
public struct PotentialSettings {
    /// Builds the potential on `executor`'s threads (reading model files, if any).
    public typealias Builder = (_ executor: ParallelExecutor) throws -> any Potential

    /// The `potential` object of the input file.
    public let section: ConfigObject
    let build: Builder

    public init(section: ConfigObject, build: @escaping Builder) {
        self.section = section
        self.build = build
    }

    public func makePotential(executor: ParallelExecutor) throws -> any Potential { try build(executor) }
}
