import SpinMDCore

/// How a potential departs from the default expectations of `PotentialConformance`.
public enum ConformanceOption: Sendable {
    /// The energy jumps at the cutoff by design (e.g. Lennard-Jones with `plain` truncation):
    /// `cutoffContinuity` then requires the jump.
    case energyJumpsAtCutoff
    /// The check does not apply to this potential; the reason is reported.
    case skip(ConformanceCheck, because: String)
    /// A known bug: the check's failures are reported as expected, and a pass is a failure (so
    /// the mark is removed once the bug is fixed).
    case expectedFailure(ConformanceCheck, because: String)
}
