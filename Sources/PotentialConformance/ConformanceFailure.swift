import SpinMDCore

/// One failed (or expectedly failed) check on one system.
public struct ConformanceFailure: CustomStringConvertible, Sendable {
    public var check: ConformanceCheck
    /// Which system of the battery, e.g. "system 1 (Ni2O2, vector moments)".
    public var system: String
    /// What differed, with numbers.
    public var message: String
    public var description: String { "\(check.rawValue) on \(system): \(message)" }
}

/// The outcome of `PotentialConformance.run()`.
public struct ConformanceReport: CustomStringConvertible, Sendable {
    /// Unexpected failures: the test asserts this is empty.
    public var failures: [ConformanceFailure] = []
    /// Failures of checks marked `ConformanceOption.expectedFailure` (known bugs).
    public var expectedFailures: [ConformanceFailure] = []
    /// "check on system" for every check that ran and passed.
    public var passed: [String] = []
    /// Checks skipped, with the reason.
    public var skipped: [String] = []
    public var description: String {
        (["\(passed.count) passed, \(failures.count) failed, \(expectedFailures.count) expected failures, \(skipped.count) skipped"]
            + failures.map { "FAIL \($0)" } + expectedFailures.map { "expected failure: \($0)" } + skipped.map { "skipped: \($0)" })
            .joined(separator: "\n")
    }
}
