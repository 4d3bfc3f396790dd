import Foundation
import SpinMDCore

/// Coupling coefficients of real spherical harmonics: the tensor C[m₁, m₂, m₃] with
/// Σ C[m₁,m₂,m₃] (D¹Q)_{m₁m₁'} (D²Q)_{m₂m₂'} (D³Q)_{m₃m₃'} = C[m₁',m₂',m₃'] for every rotation Q,
/// so that (x ⊗ y)_{m₃} = Σ_{m₁m₂} C[m₁,m₂,m₃] x_{m₁} y_{m₂} transforms as order l₃.
///
/// Computed, not tabulated: C spans the one-dimensional null space of
/// Σ_k (D(Q_k) − I)ᵀ(D(Q_k) − I) over a few random rotations Q_k, with D = D¹⊗D²⊗D³ built from
/// `WignerD`; found by inverse iteration. Normalised to Σ C² = 2l₃ + 1 (each output
/// component has unit norm on average) with the sign fixed by the first non-zero entry being
/// positive. Conventions therefore follow `SphericalHarmonics` exactly, whatever they are.
public enum ClebschGordan {
    nonisolated(unsafe) private static var cache: [SIMD3<Int>: [Double]] = [:]
    private static let lock = NSLock()

    /// C for (l₁, l₂, l₃), flat with index (m₁·(2l₂+1) + m₂)·(2l₃+1) + m₃ (m counted from 0);
    /// nil unless |l₁ − l₂| ≤ l₃ ≤ l₁ + l₂.
    public static func coefficients(_ l1: Int, _ l2: Int, _ l3: Int) -> [Double]? {
        guard l3 >= abs(l1 - l2) && l3 <= l1 + l2 else { return nil }
        let key = SIMD3(l1, l2, l3)
        lock.lock()
        defer { lock.unlock() }
        if let c = cache[key] { return c }
        let c = compute(l1, l2, l3)
        cache[key] = c
        return c
    }

    static func compute(_ l1: Int, _ l2: Int, _ l3: Int) -> [Double] {
        let (n1, n2, n3) = (2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1)
        let n = n1 * n2 * n3
        var generator = SeededGenerator(seed: 20_240_903)
        // G = Σ_k (D_k − I)ᵀ(D_k − I) = Σ_k (2I − D_k − D_kᵀ) for orthogonal D_k = D¹⊗D²⊗D³.
        var gram = DenseMatrix(rows: n, columns: n)
        for _ in 0..<3 {
            let q = generator.nextRotation()
            let d1 = WignerD.matrix(l: l1, rotation: q), d2 = WignerD.matrix(l: l2, rotation: q), d3 = WignerD.matrix(l: l3, rotation: q)
            for a in 0..<n1 { for b in 0..<n2 { for c in 0..<n3 {
                let row = (a * n2 + b) * n3 + c
                for a2 in 0..<n1 { for b2 in 0..<n2 { let dab = d1[a, a2] * d2[b, b2]; for c2 in 0..<n3 {
                    let col = (a2 * n2 + b2) * n3 + c2
                    let d = dab * d3[c, c2]
                    gram.values[row * n + col] -= d
                    gram.values[col * n + row] -= d
                } } }
                gram.values[row * n + row] += 2
            } } }
        }
        // Inverse iteration towards the null vector (the next eigenvalue is of order one).
        for i in 0..<n { gram.values[i * n + i] += 1e-12 }
        var c = DenseMatrix(rows: n, columns: 1, values: (0..<n).map { _ in generator.nextGaussian() })
        for _ in 0..<3 {
            c = DenseMatrix.solve(gram, c)
            let norm = (c.values.reduce(0) { $0 + $1 * $1 }).squareRoot()
            c.values = c.values.map { $0 / norm }
        }
        let sign: Double = (c.values.first { abs($0) > 1e-9 } ?? 1) < 0 ? -1 : 1
        let scale = Double(n3).squareRoot() * sign
        return c.values.map { v in let x = v * scale; return abs(x) < 1e-13 ? 0 : x }
    }
}
