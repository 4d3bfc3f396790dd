/// A small dense row-major matrix of Doubles, for the one-off computations of the model's
/// constants (rotation matrices of harmonics, Clebsch–Gordan coefficients). Not for hot loops.
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
    /// pivot is zero (A singular). The one dense solver of the package: small systems only.
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
}
