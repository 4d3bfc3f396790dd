/// Per-atom magnetic moments [μB]: collinear (a signed magnitude along one global spin axis,
/// VASP's MAGMOM) or vectors (non-collinear).
public enum MagneticMoments: Equatable, Sendable {
    /// (atomCount) signed moments [μB] along the global spin axis.
    case collinear([Double])
    /// (atomCount, 3) moment vectors [μB].
    case vector([Vector3])

    /// The global spin axis ẑ: collinear moments are signed magnitudes along it.
    public static let spinAxis = Vector3(0, 0, 1)

    /// Smallest |m| [μB] that counts as a magnetic moment when flips are counted.
    public static let flipThreshold = 0.3

    /// Whether a moment flipped from `start` to `end` (signed, along its axis [μB]): it started at
    /// |m| ≥ `flipThreshold` and ended with the opposite sign, or below the threshold (lost).
    public static func isFlip(from start: Double, to end: Double) -> Bool {
        abs(start) >= flipThreshold && (start * end < 0 || abs(end) < flipThreshold)
    }

    public var count: Int {
        switch self { case let .collinear(m): m.count; case let .vector(m): m.count }
    }

    /// Moments as vectors; collinear ones lie along `axis` (default the spin axis ẑ).
    public func vectors(axis: Vector3 = spinAxis) -> [Vector3] {
        switch self {
        case let .collinear(m): m.map { $0 * axis }
        case let .vector(v): v
        }
    }
}
