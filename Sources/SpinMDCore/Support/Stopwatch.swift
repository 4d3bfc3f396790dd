import Foundation

/// Wall-clock time spent in each phase of a run, for the performance summary.
public struct Stopwatch: Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        case force = "Force", neighbor = "Neigh", integration = "Integ", output = "Output", other = "Other"
    }

    /// Seconds accumulated per phase.
    public private(set) var seconds: [Phase: Double] = [:]

    public init() {}

    /// Monotonic time [s].
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
    }

    /// Runs `body` and charges its wall time to `phase`.
    @inline(__always)
    public mutating func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = Stopwatch.now()
        defer { seconds[phase, default: 0] += Stopwatch.now() - start }
        return try body()
    }

    public mutating func add(_ phase: Phase, _ s: Double) { seconds[phase, default: 0] += s }
}
