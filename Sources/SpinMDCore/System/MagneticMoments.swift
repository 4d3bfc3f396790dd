/// Per-atom magnetic moments [μB]: collinear (a signed magnitude along one global spin axis,
/// VASP's MAGMOM) or vectors (non-collinear).
public enum MagneticMoments: Equatable, Sendable {
    /// (atomCount) signed moments [μB] along the global spin axis.
    case collinear([Double])
    /// (atomCount, 3) moment vectors [μB].
    case vector([Vector3])

    public var count: Int {
        switch self { case let .collinear(m): m.count; case let .vector(m): m.count }
    }

    /// Moments as vectors; collinear ones lie along `axis` (default ẑ).
    public func vectors(axis: Vector3 = Vector3(0, 0, 1)) -> [Vector3] {
        switch self {
        case let .collinear(m): m.map { $0 * axis }
        case let .vector(v): v
        }
    }
}
