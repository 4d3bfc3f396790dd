import SpinMDCore

/// All pairs (i, j, image) whose separation is within `radius`, in compressed-row form.
///
/// The separation vector of neighbor k of atom i is rⱼ − rᵢ + `shifts[shiftIndices[k]]` [Å],
/// where the positions are those the list was built from (or moved since, for a Verlet list).
/// A `half` list holds each unordered pair once (i < j, or i = j with a positive image); a
/// `full` list holds it from both sides. Each atom's neighbors come in two runs: first those
/// in the same image (no translation: `offsets[i]..<imageOffsets[i]`), then those across a
/// periodic boundary (`imageOffsets[i]..<offsets[i+1]`), so hot loops can skip the
/// translation for the large majority of pairs.
public struct NeighborList: Sendable {
    public enum Kind: Sendable { case half, full }

    /// One neighbor: atom index and index into `shifts`.
    public struct Entry: Equatable, Sendable {
        public var j: Int32
        public var shift: Int32
    }

    public let kind: Kind
    /// Radius the list was built with (cutoff + skin) [Å].
    public let radius: Double
    /// (atomCount + 1) start of each atom's neighbors.
    public var offsets: [Int]
    /// (atomCount) start of each atom's neighbors that carry a non-zero translation.
    public var imageOffsets: [Int]
    /// (pairCount) neighbor atom indices.
    public var neighbors: [Int32]
    /// (pairCount) indices into `shifts`.
    public var shiftIndices: [Int32]
    /// Cartesian image translations [Å].
    public var shifts: [Vector3]
    /// The same translations in lattice units (integer multiples of a, b, c).
    public var latticeShifts: [SIMD3<Int32>]

    public var atomCount: Int { offsets.count - 1 }
    public var pairCount: Int { neighbors.count }

    /// Neighbors of atom i with their translations (convenience for code off the hot path).
    public func neighbors(of i: Int) -> [Entry] {
        (offsets[i]..<offsets[i + 1]).map { Entry(j: neighbors[$0], shift: shiftIndices[$0]) }
    }

    /// Separation vector rⱼ − rᵢ + shift [Å] of neighbor k (an index into `neighbors`) of atom i.
    @inlinable public func separation(_ i: Int, _ k: Int, positions: [Vector3]) -> Vector3 {
        positions[Int(neighbors[k])] + shifts[Int(shiftIndices[k])] - positions[i]
    }
}
