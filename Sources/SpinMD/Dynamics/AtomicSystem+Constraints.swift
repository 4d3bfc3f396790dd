import SpinMDCore

extension AtomicSystem {
    /// The projection out of the fixed directions of `constraints` (nil when nothing is fixed),
    /// refusing a system in which nothing can move (`what` names the task for the message).
    func constraintProjection(cell: Matrix3, what: String) throws -> MotionConstraints.Projection? {
        guard let c = constraints, !c.isEmpty else { return nil }
        guard !c.fixesEverything else { throw SpinMDError.unsupported("every atom is fixed (\(c.source)): \(what) has nothing to move") }
        return c.projection(cell: cell)
    }
}
