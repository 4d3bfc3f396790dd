import SpinMDCore
import SpinMultiNet

/// Anderson acceleration of a fixed-point iteration x = g(x) (Anderson, J. ACM 12, 547 (1965);
/// the "type II" form of Walker & Ni, SIAM J. Numer. Anal. 49, 1715 (2011)): the next iterate
/// mixes the last `depth` iterates to minimise the linearised residual, then takes a step of
/// `mixing` along it. With depth 0 it is plain linear mixing x ← x + α(g(x) − x).
struct AndersonMixer {
    let depth: Int
    let mixing: Double
    private var previousX: [Double]?
    private var previousF: [Double]?
    private var dx: [[Double]] = []
    private var df: [[Double]] = []

    init(depth: Int, mixing: Double) {
        self.depth = depth
        self.mixing = mixing
    }

    /// The next iterate from x and g(x). With `globalSum`, x and g(x) are one process's part of
    /// vectors distributed over several, and their inner products are summed over all of them.
    mutating func next(_ x: [Double], _ gx: [Double], globalSum: ((inout [Double]) throws -> Void)? = nil) rethrows -> [Double] {
        let f = zip(gx, x).map { $0 - $1 }
        if let px = previousX, let pf = previousF, depth > 0 {
            dx.append(zip(x, px).map { $0 - $1 })
            df.append(zip(f, pf).map { $0 - $1 })
            if dx.count > depth { dx.removeFirst(); df.removeFirst() }
        }
        previousX = x
        previousF = f
        var out = zip(x, f).map { $0 + mixing * $1 }
        let m = df.count
        guard m > 0 else { return out }
        // γ = argmin |f − ΔF·γ|² from the normal equations (ΔFᵀΔF + εI)γ = ΔFᵀf.
        var products = [Double](repeating: 0, count: m * m + m)
        for i in 0..<m {
            for j in 0..<m { products[i * m + j] = dot(df[i], df[j]) }
            products[m * m + i] = dot(df[i], f)
        }
        try globalSum?(&products)
        var a = DenseMatrix(rows: m, columns: m), b = DenseMatrix(rows: m, columns: 1)
        for i in 0..<m {
            for j in 0..<m { a[i, j] = products[i * m + j] }
            b[i, 0] = products[m * m + i]
        }
        let scale = (0..<m).map { a[$0, $0] }.max() ?? 0
        guard scale > 0 else { return out }
        for i in 0..<m { a[i, i] += 1e-12 * scale }
        guard let gamma = DenseMatrix.solution(a, b)?.values else { return out }
        for k in 0..<m {
            let g = gamma[k]
            for q in out.indices { out[q] -= g * (dx[k][q] + mixing * df[k][q]) }
        }
        return out
    }

    private func dot(_ u: [Double], _ v: [Double]) -> Double {
        var s = 0.0
        for i in u.indices { s += u[i] * v[i] }
        return s
    }
}
