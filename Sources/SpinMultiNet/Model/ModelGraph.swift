import SpinMD

/// The input of one model evaluation: atoms as nodes and every ordered pair within the cutoff
/// as a directed edge (receiver i ← sender j), with its vector rⱼ − rᵢ (+ image shift) [Å].
public struct ModelGraph: Sendable {
    /// (nodeCount) index of each atom's element in the model's species list.
    public var species: [Int]
    /// (edgeCount) receiving atom i and sending atom j of each edge.
    public var receivers: [Int]
    public var senders: [Int]
    /// (edgeCount, 3) rⱼ − rᵢ + shift [Å].
    public var vectors: [Vector3]

    public var nodeCount: Int { species.count }
    public var edgeCount: Int { vectors.count }

    public init(species: [Int], receivers: [Int], senders: [Int], vectors: [Vector3]) {
        self.species = species
        self.receivers = receivers
        self.senders = senders
        self.vectors = vectors
    }

    /// The graph of `system` from a full neighbor list (pairs beyond `cutoff` are dropped).
    public init(system: AtomicSystem, neighbors list: NeighborList, cutoff: Double, speciesIndex: [Int]) {
        precondition(list.kind == .full)
        species = speciesIndex
        receivers = []; senders = []; vectors = []
        let rc2 = cutoff * cutoff
        for i in 0..<system.atomCount {
            for k in list.offsets[i]..<list.offsets[i + 1] {
                let d = list.separation(i, k, positions: system.positions)
                if d.normSquared < rc2 {
                    receivers.append(i)
                    senders.append(Int(list.neighbors[k]))
                    vectors.append(d)
                }
            }
        }
    }
}
