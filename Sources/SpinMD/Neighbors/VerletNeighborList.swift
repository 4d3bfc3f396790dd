import SpinMDCore

/// A neighbor list with a Verlet skin: built with radius cutoff + skin and reused until some
/// atom has moved more than skin/2 since the build, or the cell changed.
public struct VerletNeighborList: Sendable {
    public let cutoff: Double
    public let skin: Double
    public let kind: NeighborList.Kind
    public var builder = CellListBuilder()
    public private(set) var list: NeighborList?
    /// Number of builds so far.
    public private(set) var buildCount = 0
    /// Positions [Å] and cell of the last build.
    public private(set) var referencePositions: [Vector3] = []
    public private(set) var referenceCell: Cell?

    /// - Parameters: cutoff and skin [Å].
    public init(cutoff: Double, skin: Double, kind: NeighborList.Kind, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        precondition(cutoff > 0 && skin >= 0)
        builder = CellListBuilder(executor: executor)
        self.cutoff = cutoff
        self.skin = skin
        self.kind = kind
    }

    /// True when the list must be rebuilt for these positions and cell.
    public func needsRebuild(positions: [Vector3], cell: Cell) -> Bool {
        guard list != nil, let ref = referenceCell, ref == cell, referencePositions.count == positions.count else { return true }
        let limit = 0.25 * skin * skin
        let slices = builder.executor.threads
        var moved = [Bool](repeating: false, count: slices)
        positions.withUnsafeBufferPointer { r in
            referencePositions.withUnsafeBufferPointer { r0 in
                moved.withUnsafeMutableBufferPointer { flags in
                    builder.executor.forEachSlice(of: r.count, grain: 8192) { range in
                        let slot = range.lowerBound * slices / max(1, r.count)
                        for i in range where (r[i] - r0[i]).normSquared > limit { flags[slot] = true; return }
                    }
                }
            }
        }
        return moved.contains(true)
    }

    /// Rebuilds if needed; returns true when it did. Positions are wrapped into the cell on a
    /// rebuild (as LAMMPS remaps atoms when it re-neighbors).
    @discardableResult
    public mutating func update(_ system: inout AtomicSystem) -> Bool {
        guard needsRebuild(positions: system.positions, cell: system.cell) else { return false }
        system.wrapPositions()
        list = builder.build(positions: system.positions, cell: system.cell, radius: cutoff + skin, kind: kind)
        referencePositions = system.positions
        referenceCell = system.cell
        buildCount += 1
        return true
    }

    /// Rebuilds the list from a saved reference (positions and cell of an earlier build), so a
    /// resumed run has exactly the list, and so the summation order, of the run it continues.
    public mutating func restore(referencePositions positions: [Vector3], cell: Cell) {
        list = builder.build(positions: positions, cell: cell, radius: cutoff + skin, kind: kind)
        referencePositions = positions
        referenceCell = cell
        buildCount += 1
    }

}
