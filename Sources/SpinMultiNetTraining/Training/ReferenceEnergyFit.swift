import Foundation
import SpinMDCore
import SpinMultiNet

/// Per-species reference energies by linear least squares, E_frame ≈ Σ_s n_s e_s.
///
/// Compositions of one family are often collinear (every NiO frame has as many Ni as O), so the
/// normal matrix AᵀA can be singular; the minimum-norm solution is taken then
/// (`DenseMatrix.minimumNormSolution`).
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
        return DenseMatrix.minimumNormSolution(symmetric: DenseMatrix(rows: s, columns: s, values: a), b)
    }
}
