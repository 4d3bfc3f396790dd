/// All pairs (i, j, image) whose separation is within `radius`, in compressed-row form.
///
/// The separation vector of entry e of atom i is rⱼ − rᵢ + `shifts[e.shift]` [Å], where the
/// positions are those the list was built from (or moved since, for a Verlet list). A `half`
/// list holds each unordered pair once (i < j, or i = j with a positive image); a `full` list
/// holds it from both sides.
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
    /// (atomCount + 1) start of each atom's neighbors in `entries`.
    public var offsets: [Int]
    /// Neighbors of all atoms, atom by atom.
    public var entries: [Entry]
    /// Cartesian image translations [Å], indexed by `Entry.shift`.
    public var shifts: [Vector3]
    /// The same translations in lattice units (integer multiples of a, b, c).
    public var latticeShifts: [SIMD3<Int32>]

    public var atomCount: Int { offsets.count - 1 }
    public var pairCount: Int { entries.count }

    /// Neighbors of atom i.
    public func neighbors(of i: Int) -> ArraySlice<Entry> { entries[offsets[i]..<offsets[i + 1]] }
}
