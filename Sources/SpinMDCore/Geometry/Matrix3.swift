/// A real 3×3 matrix stored by rows. For a cell, row i is lattice vector i (ASE's convention).
public struct Matrix3: Equatable, Sendable, CustomStringConvertible {
    public var rows: (Vector3, Vector3, Vector3)

    public init(rows r0: Vector3, _ r1: Vector3, _ r2: Vector3) { rows = (r0, r1, r2) }

    /// Row-major 9 numbers.
    public init(_ values: [Double]) {
        precondition(values.count == 9)
        rows = (Vector3(values[0], values[1], values[2]),
                Vector3(values[3], values[4], values[5]),
                Vector3(values[6], values[7], values[8]))
    }

    public static let zero = Matrix3(rows: .zero, .zero, .zero)
    public static let identity = Matrix3(rows: Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, 0, 1))
    public static func diagonal(_ d: Vector3) -> Matrix3 {
        Matrix3(rows: Vector3(d.x, 0, 0), Vector3(0, d.y, 0), Vector3(0, 0, d.z))
    }

    public subscript(row: Int) -> Vector3 {
        get { switch row { case 0: rows.0; case 1: rows.1; default: rows.2 } }
        set { switch row { case 0: rows.0 = newValue; case 1: rows.1 = newValue; default: rows.2 = newValue } }
    }
    public subscript(row: Int, column: Int) -> Double {
        get { self[row][column] }
        set { var r = self[row]; r[column] = newValue; self[row] = r }
    }

    /// Row-major 9 numbers.
    /// Whether every element is finite (no NaN, no infinity).
    public var isFinite: Bool { rows.0.isFinite && rows.1.isFinite && rows.2.isFinite }
    public var flat: [Double] { [rows.0.x, rows.0.y, rows.0.z, rows.1.x, rows.1.y, rows.1.z, rows.2.x, rows.2.y, rows.2.z] }

    public var transpose: Matrix3 {
        Matrix3(rows: Vector3(rows.0.x, rows.1.x, rows.2.x),
                Vector3(rows.0.y, rows.1.y, rows.2.y),
                Vector3(rows.0.z, rows.1.z, rows.2.z))
    }
    public var determinant: Double { rows.0.dot(rows.1.cross(rows.2)) }
    public var trace: Double { rows.0.x + rows.1.y + rows.2.z }

    /// Inverse; the caller guarantees a non-zero determinant.
    public var inverse: Matrix3 {
        let det = determinant
        let c0 = rows.1.cross(rows.2), c1 = rows.2.cross(rows.0), c2 = rows.0.cross(rows.1)
        // Columns of the inverse are the cross products / det.
        return Matrix3(rows: c0 / det, c1 / det, c2 / det).transpose
    }

    /// Matrix–vector product M·v.
    @inlinable public func apply(_ v: Vector3) -> Vector3 {
        Vector3(rows.0.dot(v), rows.1.dot(v), rows.2.dot(v))
    }
    /// Row-vector product vᵀ·M (a combination of the rows): for a cell, fractional → Cartesian.
    @inlinable public func leftApply(_ v: Vector3) -> Vector3 {
        rows.0 * v.x + rows.1 * v.y + rows.2 * v.z
    }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        Matrix3(rows: b.leftApply(a.rows.0), b.leftApply(a.rows.1), b.leftApply(a.rows.2))
    }
    public static func + (a: Matrix3, b: Matrix3) -> Matrix3 { Matrix3(rows: a.rows.0 + b.rows.0, a.rows.1 + b.rows.1, a.rows.2 + b.rows.2) }
    public static func - (a: Matrix3, b: Matrix3) -> Matrix3 { Matrix3(rows: a.rows.0 - b.rows.0, a.rows.1 - b.rows.1, a.rows.2 - b.rows.2) }
    public static func * (s: Double, a: Matrix3) -> Matrix3 { Matrix3(rows: s * a.rows.0, s * a.rows.1, s * a.rows.2) }
    public static func += (a: inout Matrix3, b: Matrix3) { a = a + b }

    /// Outer product u vᵀ.
    public static func outer(_ u: Vector3, _ v: Vector3) -> Matrix3 { Matrix3(rows: u.x * v, u.y * v, u.z * v) }

    /// Largest absolute entry.
    public var maxAbs: Double { flat.map(abs).max()! }
    /// Symmetric part ½(M + Mᵀ).
    public var symmetricPart: Matrix3 { 0.5 * (self + transpose) }

    public var description: String {
        "[" + [rows.0, rows.1, rows.2].map { "[\($0.x), \($0.y), \($0.z)]" }.joined(separator: ", ") + "]"
    }

    public static func == (a: Matrix3, b: Matrix3) -> Bool { a.flat == b.flat }
}
