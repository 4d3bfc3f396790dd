import SpinMD
import SpinMDCore
import SpinMultiNet

/// The last converged solutions of a per-step equation (self-consistent spins m*, or their
/// adjoint λ) and the extrapolation that predicts the next one.
///
/// The prediction is the polynomial through the last K + 1 solutions evaluated one step ahead,
/// xₙ ≈ Σ_{j=1}^{K+1} (−1)^{j+1} C(K+1, j) xₙ₋ⱼ (order K = 0 is the previous solution). Along an
/// MD trajectory the solutions are smooth functions of time, so the error falls by about
/// (ω·Δt)^{K+1}; but extrapolation also amplifies the solutions' own convergence error by
/// Σ|coefficients| = 2^{K+1} − 1, and FIRE steps are not smooth. So the order is chosen anew
/// at every step: the one that would have predicted the newest solution best from the ones
/// before it. This is the predictor half of the predictor–corrector schemes used for induced
/// dipoles in polarisable force fields (J. Kolafa, J. Comput. Chem. 25, 335 (2004)).
/// NOTE: unlike Kolafa's always-stable predictor–corrector, every step is still converged to
/// the stated tolerance; the predictor only decides how many iterations that takes.
struct SolutionHistory: Equatable {
    /// Highest extrapolation order.
    static let maxOrder = 4
    /// Oldest first, at most maxOrder + 1 solutions (each atomCount vectors).
    private(set) var solutions: [[Vector3]] = []
    /// Order of the next prediction.
    private(set) var order = 0

    /// The extrapolation of the stored solutions, nil when there are none.
    func prediction() -> [Vector3]? { solutions.isEmpty ? nil : Self.extrapolate(solutions, order: min(order, solutions.count - 1)) }

    /// Stores a converged solution and chooses the order for the next prediction.
    mutating func append(_ x: [Vector3]) {
        if let last = solutions.last, last.count != x.count { solutions = [] }
        if solutions.count >= 2 {
            var best = 0, bestError = Double.infinity
            for k in 0...min(Self.maxOrder, solutions.count - 1) {
                let p = Self.extrapolate(solutions, order: k)
                var e = 0.0
                for i in x.indices { e = max(e, (p[i] - x[i]).norm) }
                if e < bestError { best = k; bestError = e }
            }
            order = best
        } else {
            order = solutions.count  // the second solution allows a linear extrapolation
        }
        solutions.append(x)
        if solutions.count > Self.maxOrder + 1 { solutions.removeFirst() }
    }

    mutating func reset() { solutions = []; order = 0 }

    /// Renumbers the atoms of every stored solution: atom k of the result is atom `order[k]` of
    /// the stored ones (the caller re-sorted its atoms).
    mutating func renumber(_ order: [Int]) {
        solutions = solutions.map { x in order.map { x[$0] } }
    }

    /// The order-K extrapolation from the last K + 1 of `s`.
    static func extrapolate(_ s: [[Vector3]], order k: Int) -> [Vector3] {
        var out = [Vector3](repeating: .zero, count: s[s.count - 1].count)
        var binomial = 1.0
        for j in 1...(k + 1) {
            binomial = binomial * Double(k + 2 - j) / Double(j)  // C(k+1, j)
            let c = (j % 2 == 1 ? 1.0 : -1.0) * binomial
            let x = s[s.count - j]
            for i in out.indices { out[i] += c * x[i] }
        }
        return out
    }

    /// [order, solution count, atom count, solutions (oldest first, 3·atomCount each)].
    var serialized: [Double] {
        [Double(order), Double(solutions.count), Double(solutions.first?.count ?? 0)] + solutions.flatMap(\.flattened)
    }

    /// Reads `serialized` from `v` at `offset` and advances it; nil if malformed.
    init?(serialized v: [Double], offset: inout Int) {
        guard offset + 3 <= v.count else { return nil }
        let order = v[offset], count = v[offset + 1], atoms = v[offset + 2]
        guard order >= 0, order <= Double(Self.maxOrder), count >= 0, count <= Double(Self.maxOrder + 1), atoms >= 0, atoms < 1e9,
              order == order.rounded(), count == count.rounded(), atoms == atoms.rounded() else { return nil }
        let n = Int(atoms), k = Int(count)
        guard offset + 3 + 3 * n * k <= v.count else { return nil }
        var at = offset + 3
        var solutions: [[Vector3]] = []
        for _ in 0..<k {
            solutions.append((0..<n).map { i in Vector3(v[at + 3 * i], v[at + 3 * i + 1], v[at + 3 * i + 2]) })
            at += 3 * n
        }
        self.order = Int(order)
        self.solutions = solutions
        offset = at
    }

    init() {}
}
