import SpinMDCore

/// The run's random-number stream (initial velocities today), shared by reference so its
/// position is part of the run state: a resumed run continues the same stream.
public final class RandomStream: Checkpointable {
    public var generator: SeededGenerator

    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    public var checkpointSection: String { "generator" }

    /// Words "xoshiro256" (the generator's four state words).
    public func checkpointState() -> CheckpointSection? {
        let s = generator.state
        return CheckpointSection(words: ["xoshiro256": [s.0, s.1, s.2, s.3]])
    }

    /// Without a section the stream stays where it is (seeded from the input).
    public func restore(from section: CheckpointSection?) throws {
        guard let section else { return }
        let w = try section.words("xoshiro256", count: 4)
        generator.state = (w[0], w[1], w[2], w[3])
    }
}
