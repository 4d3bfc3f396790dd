/// A small dense row-major matrix of Doubles, and the package's dense solvers: for the one-off
/// computations of the model's constants (rotation matrices of harmonics, Clebsch–Gordan
/// coefficients), the Anderson mixer's small least-squares systems and the reference-energy fit.
/// Not for hot loops.
public struct DenseMatrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]? = nil) {
        self.rows = rows
        self.columns = columns
        self.values = values ?? [Double](repeating: 0, count: rows * columns)
        precondition(self.values.count == rows * columns)
    }

    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    public var transpose: DenseMatrix {
        var t = DenseMatrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    public static func * (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
        precondition(a.columns == b.rows)
        var c = DenseMatrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for k in 0..<a.columns {
                let aik = a[i, k]
                if aik == 0 { continue }
                for j in 0..<b.columns { c.values[i * b.columns + j] += aik * b.values[k * b.columns + j] }
            }
        }
        return c
    }

    /// Solves A·X = B for a regular square A (`solution`); a singular A is a programming error.
    public static func solve(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix {
        guard let x = solution(a, b) else { preconditionFailure("DenseMatrix.solve: singular matrix") }
        return x
    }

    /// Solves A·X = B for square A by Gauss–Jordan elimination with partial pivoting; nil when a
    /// pivot is zero (A singular).
    public static func solution(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix? {
        precondition(a.rows == a.columns && b.rows == a.rows)
        let n = a.rows
        var m = a, x = b
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(m[r, col]) > abs(m[pivot, col]) { pivot = r }
            guard abs(m[pivot, col]) > 0 else { return nil }
            if pivot != col {
                for j in 0..<n { let t = m[col, j]; m[col, j] = m[pivot, j]; m[pivot, j] = t }
                for j in 0..<x.columns { let t = x[col, j]; x[col, j] = x[pivot, j]; x[pivot, j] = t }
            }
            let d = m[col, col]
            for r in 0..<n where r != col {
                let f = m[r, col] / d
                if f == 0 { continue }
                for j in col..<n { m[r, j] -= f * m[col, j] }
                for j in 0..<x.columns { x[r, j] -= f * x[col, j] }
            }
        }
        for r in 0..<n { for j in 0..<x.columns { x[r, j] /= m[r, r] } }
        return x
    }

    /// The minimum-norm solution x (n) of A·x = b for a symmetric positive semi-definite A
    /// (n, n), e.g. the normal equations of a least-squares fit that may be singular:
    /// eigen-decomposition by cyclic Jacobi rotations, eigenvalues below 10⁻¹⁰ of the largest dropped.
    public static func minimumNormSolution(symmetric a: DenseMatrix, _ b: [Double]) -> [Double] {
        precondition(a.rows == a.columns && b.count == a.rows)
        let s = a.rows
        let (values, vectors) = symmetricEigen(a.values, size: s)
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
