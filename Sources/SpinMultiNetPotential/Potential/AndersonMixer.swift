import SpinMDCore

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

    /// The next iterate from x and g(x).
    mutating func next(_ x: [Double], _ gx: [Double]) -> [Double] {
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
        var a = [Double](repeating: 0, count: m * m), b = [Double](repeating: 0, count: m)
        for i in 0..<m {
            for j in 0..<m { a[i * m + j] = dot(df[i], df[j]) }
            b[i] = dot(df[i], f)
        }
        let scale = (0..<m).map { a[$0 * m + $0] }.max() ?? 0
        guard scale > 0 else { return out }
        for i in 0..<m { a[i * m + i] += 1e-12 * scale }
        guard let gamma = solve(a, b, m) else { return out }
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

    /// Gaussian elimination with partial pivoting; nil if singular.
    private func solve(_ a0: [Double], _ b0: [Double], _ n: Int) -> [Double]? {
        var a = a0, b = b0
        for c in 0..<n {
            var p = c
            for r in c..<n where abs(a[r * n + c]) > abs(a[p * n + c]) { p = r }
            guard abs(a[p * n + c]) > 0 else { return nil }
            if p != c {
                for j in 0..<n { a.swapAt(c * n + j, p * n + j) }
                b.swapAt(c, p)
            }
            for r in 0..<n where r != c {
                let f = a[r * n + c] / a[c * n + c]
                if f == 0 { continue }
                for j in c..<n { a[r * n + j] -= f * a[c * n + j] }
                b[r] -= f * b[c]
            }
        }
        return (0..<n).map { b[$0] / a[$0 * n + $0] }
    }
}
