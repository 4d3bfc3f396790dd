import Foundation
import SpinMDCore
import SpinMultiNet

/// Per-species reference energies by linear least squares, E_frame ≈ Σ_s n_s e_s.
///
/// Compositions of one family are often collinear (every NiO frame has as many Ni as O), so the
/// normal matrix AᵀA can be singular; the minimum-norm solution is taken then (eigen-
/// decomposition by cyclic Jacobi rotations, eigenvalues below 10⁻¹⁰ of the largest dropped).
/// Energy differences between frames, and so the fit's residuals, do not depend on that choice.
public enum ReferenceEnergyFit {
    /// - Parameters:
    ///   - counts: (frames, species) atoms of each species per frame.
    ///   - energies: (frames) total energies [eV].
    /// - Returns: (species) reference energies [eV].
    public static func fit(counts: [[Double]], energies: [Double]) -> [Double] {
        let s = counts.first?.count ?? 0
        var a = [Double](repeating: 0, count: s * s), b = [Double](repeating: 0, count: s)
        for (row, e) in zip(counts, energies) {
            for p in 0..<s {
                b[p] += row[p] * e
                for q in 0..<s { a[p * s + q] += row[p] * row[q] }
            }
        }
        let (values, vectors) = symmetricEigen(a, size: s)
        let largest = values.map(abs).max() ?? 0
        var x = [Double](repeating: 0, count: s)
        for k in 0..<s where values[k] > 1e-10 * largest {
            // x += v_k (v_kᵀ b) / λ_k
            var dot = 0.0
            for p in 0..<s { dot += vectors[p * s + k] * b[p] }
            for p in 0..<s { x[p] += vectors[p * s + k] * dot / values[k] }
        }
        return x
    }

    /// Eigenvalues and eigenvectors (columns of a row-major matrix) of a symmetric matrix.
    static func symmetricEigen(_ matrix: [Double], size n: Int) -> ([Double], [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for p in 0..<n { v[p * n + p] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += a[p * n + q] * a[p * n + q] } }
            if off < 1e-30 * max(1, a.map { $0 * $0 }.reduce(0, +)) { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where a[p * n + q] != 0 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {  // A ← A·J
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {  // A ← Jᵀ·A
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}
