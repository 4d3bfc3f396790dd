import CSpinMD
import SpinMDCore
import SpinMultiNet

/// The network's graph of a caller that owns the neighbour list and ghost atoms
/// (`spinmd_local_system`), and where each edge's forces go among the caller's atoms.
///
/// With every ghost's owner known (one process), the graph is the periodic system of the local
/// atoms: an edge to a ghost becomes an edge to its owner, with the ghost's vector. Otherwise
/// its nodes are the local atoms, then every ghost within the cutoff of a local atom (the inner
/// ghosts, whose features a local atom's second layer reads), then the ghosts those inner atoms
/// see; edges are received by local and inner ghost atoms only.
struct LocalGraph {
    var graph: ModelGraph
    /// (node) the caller's atom index of each node: locals first, in order.
    var atoms: [Int]
    /// (edge) the caller's atoms that receive and send each edge: its force goes to them.
    var receiverAtoms: [Int], senderAtoms: [Int]
    /// Whether ghosts were folded onto their owners (no ghost nodes).
    var folded: Bool

    /// - Throws: `LibraryError` for inconsistent lists.
    init(_ s: spinmd_local_system, positions r: [Vector3], speciesIndex: [Int], cutoff: Double) throws {
        let nl = Int(s.local_count), n = r.count, listed = Int(s.list_count)
        let offsets = s.neighbor_offsets!, neighbors = s.neighbors!
        let rc2 = cutoff * cutoff
        func list(_ i: Int) throws -> Range<Int> {
            guard i < listed else {
                throw LibraryError.invalidArgument("atom \(i + 1) (a ghost within the cutoff of a local atom) has no neighbour list: give full lists of the ghost atoms too (LAMMPS: a full list with ghost neighbours), or ghost_owner")
            }
            return Int(offsets[i])..<Int(offsets[i + 1])
        }
        var owner: [Int]?
        if let o = s.ghost_owner {
            let map = (0..<(n - nl)).map { Int(o[$0]) }
            if map.allSatisfy({ $0 >= 0 && $0 < nl }) { owner = map }
        }
        folded = owner != nil || n == nl
        graph = ModelGraph(species: [], receivers: [], senders: [], vectors: [])
        receiverAtoms = []
        senderAtoms = []
        if folded {
            atoms = Array(0..<nl)
            for i in 0..<nl {
                for k in try list(i) {
                    let j = Int(neighbors[k]), v = r[j] - r[i]
                    guard j != i, v.normSquared < rc2 else { continue }
                    graph.receivers.append(i)
                    graph.senders.append(j < nl ? j : owner![j - nl])
                    graph.vectors.append(v)
                    receiverAtoms.append(i)
                    senderAtoms.append(j)
                }
            }
        } else {
            var node = [Int](repeating: -1, count: n)
            atoms = Array(0..<nl)
            for i in 0..<nl { node[i] = i }
            func nodeIndex(_ a: Int) -> Int {
                if node[a] < 0 { node[a] = atoms.count; atoms.append(a) }
                return node[a]
            }
            // Inner ghosts: within the cutoff of a local atom.
            for i in 0..<nl {
                for k in try list(i) {
                    let j = Int(neighbors[k])
                    if j >= nl, (r[j] - r[i]).normSquared < rc2 { _ = nodeIndex(j) }
                }
            }
            let receivers = atoms
            for a in receivers {
                for k in try list(a) {
                    let j = Int(neighbors[k]), v = r[j] - r[a]
                    guard j != a, v.normSquared < rc2 else { continue }
                    graph.receivers.append(node[a])
                    graph.senders.append(nodeIndex(j))
                    graph.vectors.append(v)
                    receiverAtoms.append(a)
                    senderAtoms.append(j)
                }
            }
        }
        graph.species = atoms.map { speciesIndex[$0] }
    }
}
