import Foundation
import SpinMDCore

/// Rotation matrices of the real spherical harmonics: D^l(Q) with Y_l(Q·r̂) = D^l(Q)·Y_l(r̂).
///
/// Computed from the harmonics themselves (a least-squares fit on fixed sample directions,
/// exact to round-off since the map is linear), so it is consistent with `SphericalHarmonics`
/// by construction. Used to derive Clebsch–Gordan coefficients and in tests.
public enum WignerD {
    /// Fixed, well-spread sample directions (a golden-spiral set).
    static func samples(_ n: Int) -> [Vector3] {
        let golden = Double.pi * (3 - 5.0.squareRoot())
        return (0..<n).map { k in
            let z = 1 - 2 * (Double(k) + 0.5) / Double(n)
            let rho = (1 - z * z).squareRoot()
            let phi = golden * Double(k)
            return Vector3(rho * cos(phi), rho * sin(phi), z)
        }
    }

    /// D^l(Q), (2l+1) × (2l+1). For an improper Q (det −1) this is D^l of the rotation part times
    /// the parity (−1)^l, as the harmonics of a displacement transform.
    public static func matrix(l: Int, rotation q: Matrix3) -> DenseMatrix {
        let n = 2 * l + 1
        let sh = SphericalHarmonics(lMax: l)
        let points = samples(4 * n)
        // Rows: sample k; columns: m. Solve A·Dᵀ = B in the least-squares sense: (AᵀA) Dᵀ = AᵀB.
        var a = DenseMatrix(rows: points.count, columns: n), b = DenseMatrix(rows: points.count, columns: n)
        for (k, p) in points.enumerated() {
            let y0 = sh.values(p), y1 = sh.values(q.apply(p))
            for m in 0..<n {
                a[k, m] = y0[l * l + m]
                b[k, m] = y1[l * l + m]
            }
        }
        let at = a.transpose
        return DenseMatrix.solve(at * a, at * b).transpose
    }
}

