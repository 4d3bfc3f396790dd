import Foundation
import SpinMDCore

/// The geometry-only edge features of one graph: what every spin iteration and every committee
/// member of one force evaluation shares, so it is computed once per evaluation.
///
/// Directed edges come in reverse pairs (i ← j with rⱼ − rᵢ, and j ← i with the negated vector).
/// Everything the radial MLP sees is symmetric in the pair — |r| and the moment coupling
/// q(mᵢ, mⱼ) = q(mⱼ, mᵢ) — so the MLP runs once per pair and both directed edges read its
/// output. The pair's length and radial basis are those of its first edge (its reverse differs
/// at most by round-off), so the radial derivative of the pair goes to the first edge's vector.
/// An edge without a reverse in the graph (only possible at the cutoff, where the envelope
/// vanishes) is a pair of one.
public final class EdgeGeometry: Sendable {
    public let graph: ModelGraph
    /// Highest harmonic order and Bessel count these features were built for.
    public let lMax: Int, radialCount: Int
    public let cutoff: Double
    /// Number of pairs (≤ edge count).
    public let pairCount: Int
    /// (pairCount, 2) directed edges of each pair; the second is −1 for a pair of one.
    public let pairEdges: [Int32]
    /// (pairCount) length |r| of the pair's first edge [Å].
    public let lengths: [Double]
    /// (pairCount, radialCount) Bessel basis × envelope e_n(r) and de_n/dr [1/Å^{3/2}, 1/Å^{5/2}].
    public let radial: [Double], radialDerivatives: [Double]
    /// (pairCount) envelope f(r) and df/dr [1, 1/Å].
    public let envelope: [Double], envelopeDerivative: [Double]
    /// (edgeCount, (lMax+1)²) harmonics Y(r̂) of every directed edge and ∂Y/∂r [1/Å].
    public let harmonics: [Double], harmonicGradients: [Vector3]

    public var harmonicCount: Int { (lMax + 1) * (lMax + 1) }

    /// Pairs are found serially; the radial basis and harmonics are computed on `executor`'s threads.
    public init(graph: ModelGraph, lMax: Int, radialBasis: RadialBasis, executor: ParallelExecutor = ParallelExecutor(threads: 1)) {
        self.graph = graph
        self.lMax = lMax
        radialCount = radialBasis.count
        cutoff = radialBasis.cutoff
        let e = graph.edgeCount, Nb = radialBasis.count, Y = (lMax + 1) * (lMax + 1)
        // Pair every edge with its reverse: edges are searched among the receiver-j edges
        // (contiguous when sorted by receiver, else all edges).
        var pairs: [Int32] = []
        pairs.reserveCapacity(e + 2)
        var partner = [Int32](repeating: -1, count: e)
        let sorted = zip(graph.receivers, graph.receivers.dropFirst()).allSatisfy { $0 <= $1 }
        var start = [Int](repeating: 0, count: graph.nodeCount + 1)
        if sorted {
            for r in graph.receivers { start[r + 1] += 1 }
            for i in 0..<graph.nodeCount { start[i + 1] += start[i] }
        }
        for k in 0..<e where partner[k] == -1 {
            let i = graph.receivers[k], j = graph.senders[k], v = graph.vectors[k]
            let range = sorted ? start[j]..<start[j + 1] : 0..<e
            var best = -1, bestDistance = 1e-9 * max(1, v.norm)
            for q in range where q != k && partner[q] == -1 && graph.receivers[q] == j && graph.senders[q] == i {
                let d = (graph.vectors[q] + v).norm
                if d <= bestDistance { best = q; bestDistance = d }
            }
            pairs.append(Int32(k))
            pairs.append(Int32(best))
            partner[k] = Int32(best)
            if best >= 0 { partner[best] = Int32(k) }
        }
        pairEdges = pairs
        let pairCount = pairs.count / 2
        self.pairCount = pairCount
        var lengths = [Double](repeating: 0, count: pairCount)
        var radial = [Double](repeating: 0, count: pairCount * Nb), radialDerivatives = radial
        var envelope = [Double](repeating: 0, count: pairCount), envelopeDerivative = envelope
        lengths.withUnsafeMutableBufferPointer { lp in
            envelope.withUnsafeMutableBufferPointer { fp in
                envelopeDerivative.withUnsafeMutableBufferPointer { dfp in
                    radial.withUnsafeMutableBufferPointer { rp in
                        radialDerivatives.withUnsafeMutableBufferPointer { dp in
                            executor.forEachSlice(of: pairCount, grain: 512) { range in
                                for p in range {
                                    let r = graph.vectors[Int(pairs[2 * p])].norm
                                    lp[p] = r
                                    (fp[p], dfp[p]) = radialBasis.evaluate(r, values: rp.baseAddress! + p * Nb, derivatives: dp.baseAddress! + p * Nb)
                                }
                            }
                        }
                    }
                }
            }
        }
        self.lengths = lengths
        self.radial = radial
        self.radialDerivatives = radialDerivatives
        self.envelope = envelope
        self.envelopeDerivative = envelopeDerivative
        var harmonics = [Double](repeating: 0, count: e * Y)
        var gradients = [Vector3](repeating: .zero, count: e * Y)
        let sh = SphericalHarmonics(lMax: lMax)
        harmonics.withUnsafeMutableBufferPointer { hp in
            gradients.withUnsafeMutableBufferPointer { gp in
                executor.forEachSlice(of: e, grain: 1024) { range in
                    for k in range { sh.evaluate(graph.vectors[k], values: hp.baseAddress! + k * Y, gradients: gp.baseAddress! + k * Y) }
                }
            }
        }
        self.harmonics = harmonics
        harmonicGradients = gradients
    }

    /// Forces −∂E/∂rᵢ [eV/Å] and virial −Σ_edges sym(g ⊗ r) [eV] from the edge-vector gradients
    /// g = ∂E/∂r_ij of the graph (a full neighbour list).
    public func forcesAndVirial(_ grads: [Vector3], atomCount: Int) -> (forces: [Vector3], virial: Matrix3) {
        var forces = [Vector3](repeating: .zero, count: atomCount)
        var virial = Matrix3.zero
        for k in 0..<graph.edgeCount {
            let g = grads[k]
            forces[graph.receivers[k]] += g
            forces[graph.senders[k]] -= g
            virial += Matrix3.outer(g, graph.vectors[k])
        }
        return (forces, -1 * virial.symmetricPart)
    }
}
