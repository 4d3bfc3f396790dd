import SpinMD
import SpinMDCore
import SpinMultiNet

/// Builds the network's graph from the MD engine's neighbor list; it lives with the adapter so that
/// `SpinMultiNet` need not import `SpinMD`.
extension ModelGraph {
    /// The graph of `system` from a full neighbor list (pairs beyond `cutoff` are dropped).
    public init(system: AtomicSystem, neighbors list: NeighborList, cutoff: Double, speciesIndex: [Int]) {
        precondition(list.kind == .full)
        self.init(species: speciesIndex, receivers: [], senders: [], vectors: [])
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
