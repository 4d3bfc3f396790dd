import Foundation
import SpinMDCore

/// How a run ended and what it cost, printed as a LAMMPS-style performance summary.
public struct RunSummary {
    public enum Status: Equatable, Sendable {
        case completed, converged, notConverged(String)
        /// Stopped by SIGINT/SIGTERM after writing a checkpoint.
        case interrupted
        public var description: String {
            switch self {
            case .completed: "completed"
            case .converged: "converged"
            case .interrupted: "interrupted by a signal"
            case let .notConverged(why): why
            }
        }
    }

    public var status: Status
    public var task: Snapshot.Task
    public var steps: Int
    public var atomCount: Int
    /// MD timestep [fs] (nil for relaxations).
    public var timestep: Double?
    public var threads: Int
    /// Wall time of the step loop [s].
    public var loopSeconds: Double
    /// Time per phase [s]; "Other" is the loop time not in any phase.
    public var phases: Stopwatch
    public var neighborBuilds: Int
    public var forceEvaluations: Int
    public var finalSystem: AtomicSystem
    public var finalResult: PotentialResult
    /// Time taken by each output (observer), one line each.
    public var outputReport: [String] = []
    /// Relaxations: the final state in physical terms.
    public var relaxation: RelaxationReport?
    /// Orderings tasks: one relaxation per ordering, in input order.
    public var orderings: [OrderingOutcome] = []

    /// Adds the loop time, steps, evaluations, neighbour builds and phase times of `other`
    /// (runs done one after the other, e.g. the orderings of an orderings task).
    public mutating func addCost(of other: RunSummary) {
        loopSeconds += other.loopSeconds
        steps += other.steps
        forceEvaluations += other.forceEvaluations
        neighborBuilds += other.neighborBuilds
        for (phase, t) in other.phases.seconds { phases.add(phase, t) }
    }

    public var stepsPerSecond: Double { Double(steps) / max(loopSeconds, 1e-12) }
    public var atomStepsPerSecond: Double { stepsPerSecond * Double(atomCount) }
    /// Simulated ns per day of wall time.
    public var nanosecondsPerDay: Double? { timestep.map { $0 * 1e-6 * stepsPerSecond * 86400 } }

    /// The summary text.
    public var performanceReport: String {
        var out = String(format: "Loop time of %.4g s on %d thread%@ for %d steps with %d atoms\n\n",
                         loopSeconds, threads, threads == 1 ? "" : "s", steps, atomCount)
        if let ns = nanosecondsPerDay {
            out += String(format: "Performance: %.4g ns/day, %.4g hours/ns, %.4g steps/s, %.4g atom-steps/s\n",
                          ns, 24 / max(ns, 1e-30), stepsPerSecond, atomStepsPerSecond)
        } else {
            out += String(format: "Performance: %.4g steps/s, %.4g atom-steps/s, %d force evaluations\n",
                          stepsPerSecond, atomStepsPerSecond, forceEvaluations)
        }
        out += "\nSection |  time (s)  | %total\n--------+------------+-------\n"
        var accounted = 0.0
        for phase in Stopwatch.Phase.allCases where phase != .other {
            let t = phases.seconds[phase] ?? 0
            accounted += t
            out += row(phase.rawValue, t)
        }
        out += row(Stopwatch.Phase.other.rawValue, max(0, loopSeconds - accounted))
        out += "\nNeighbor list builds: \(neighborBuilds)\n"
        if !outputReport.isEmpty { out += "Output breakdown:\n" + outputReport.map { "  " + $0 + "\n" }.joined() }
        return out
    }

    private func row(_ name: String, _ t: Double) -> String {
        String(format: "%@ | %10.4f | %6.2f\n", name.padding(toLength: 7, withPad: " ", startingAt: 0), t, 100 * t / max(loopSeconds, 1e-12))
    }
}

/// One ordering of an orderings task: how its relaxation ended and what it found.
public struct OrderingOutcome: Sendable {
    public var name: String
    public var status: RunSummary.Status
    public var steps: Int
    public var report: RelaxationReport
    /// Moment signs that changed during the relaxation (collinear; `MagneticMoments.isFlip`).
    public var flippedMoments: Int
}
