import Foundation

/// A triclinic simulation cell: three lattice vectors [Å] (rows of `matrix`, ASE's convention)
/// and which of them are periodic.
///
/// Fractional coordinates s relate to Cartesian ones by r = sᵀ·H (r = s₀a + s₁b + s₂c).
/// A non-periodic direction still carries a vector; it only bounds nothing.
public struct Cell: Equatable, Sendable {
    /// Rows are the lattice vectors a, b, c [Å].
    public private(set) var matrix: Matrix3
    /// Periodicity along a, b, c.
    public var pbc: [Bool]
    /// Inverse of `matrix` [1/Å] (columns are the reciprocal vectors without 2π).
    public private(set) var inverse: Matrix3

    /// - Throws: `SpinMDError.invalidCell` when the vectors are not linearly independent.
    public init(matrix: Matrix3, pbc: [Bool] = [true, true, true]) throws {
        precondition(pbc.count == 3)
        let det = matrix.determinant
        guard det.isFinite, abs(det) > 1e-12 else {
            throw SpinMDError.invalidCell("lattice vectors \(matrix) are linearly dependent (volume \(det) Å³)")
        }
        self.matrix = matrix
        self.pbc = pbc
        self.inverse = matrix.inverse
    }

    /// An orthorhombic cell with edge lengths [Å].
    public static func orthorhombic(_ a: Double, _ b: Double, _ c: Double, pbc: [Bool] = [true, true, true]) throws -> Cell {
        try Cell(matrix: .diagonal(Vector3(a, b, c)), pbc: pbc)
    }

    /// A cell from lengths [Å] and angles α, β, γ [degrees], with a ∥ x and b in the xy-plane.
    public init(lengths: Vector3, anglesDegrees: Vector3, pbc: [Bool] = [true, true, true]) throws {
        let (ca, cb, cg) = (cos(anglesDegrees.x * .pi / 180), cos(anglesDegrees.y * .pi / 180), cos(anglesDegrees.z * .pi / 180))
        let sg = sin(anglesDegrees.z * .pi / 180)
        let a = Vector3(lengths.x, 0, 0)
        let b = Vector3(lengths.y * cg, lengths.y * sg, 0)
        let cx = cb, cy = (ca - cb * cg) / sg
        let cz = (1 - cx * cx - cy * cy).squareRoot()
        let c = lengths.z * Vector3(cx, cy, cz)
        try self.init(matrix: Matrix3(rows: a, b, c), pbc: pbc)
    }

    /// Replaces the lattice vectors, keeping periodicity.
    public mutating func setMatrix(_ m: Matrix3) throws { self = try Cell(matrix: m, pbc: pbc) }

    /// |det H| [Å³].
    public var volume: Double { abs(matrix.determinant) }
    public var a: Vector3 { matrix.rows.0 }
    public var b: Vector3 { matrix.rows.1 }
    public var c: Vector3 { matrix.rows.2 }
    /// |a|, |b|, |c| [Å].
    public var lengths: Vector3 { Vector3(a.norm, b.norm, c.norm) }
    /// α (b,c), β (a,c), γ (a,b) [degrees].
    public var anglesDegrees: Vector3 {
        func angle(_ u: Vector3, _ v: Vector3) -> Double { acos(max(-1, min(1, u.dot(v) / (u.norm * v.norm)))) * 180 / .pi }
        return Vector3(angle(b, c), angle(a, c), angle(a, b))
    }

    /// Distances between opposite faces [Å]: V/|b×c|, V/|c×a|, V/|a×b|. A sphere of radius r fits
    /// in the cell without touching a periodic image of its centre only if r < min/2.
    public var faceDistances: Vector3 {
        let v = volume
        return Vector3(v / b.cross(c).norm, v / c.cross(a).norm, v / a.cross(b).norm)
    }

    /// Fractional coordinates of a Cartesian position.
    @inlinable public func fractional(_ r: Vector3) -> Vector3 { inverse.leftApply(r) }
    /// Cartesian position [Å] of fractional coordinates.
    @inlinable public func cartesian(_ s: Vector3) -> Vector3 { matrix.leftApply(s) }

    /// The position mapped into [0, 1) along every periodic direction.
    public func wrap(_ r: Vector3) -> Vector3 {
        let s = fractional(r)
        var n = Vector3.zero
        for k in 0..<3 where pbc[k] { n[k] = s[k].rounded(.down) }
        // By whole lattice translations: an atom inside the cell keeps its position to the bit
        // (a fixed atom stays fixed). Round-off may leave a fractional coordinate at −ε or 1;
        // the cell lists clamp those.
        return n == .zero ? r : r - cartesian(n)
    }

    /// The same lattice rotated so that a ∥ x and b lies in the xy-plane (the frame AMBER and
    /// LAMMPS require), and the rotation R (positions map as r' = R·r).
    public func standardOrientation() -> (cell: Cell, rotation: Matrix3) {
        let e1 = a / a.norm
        let bPerp = b - b.dot(e1) * e1
        let e2 = bPerp / bPerp.norm
        var e3 = e1.cross(e2)
        if matrix.determinant < 0 { e3 = -e3 }  // keep c on the +z side for left-handed cells
        let rotation = Matrix3(rows: e1, e2, e3)
        let rotated = Matrix3(rows: rotation.apply(a), rotation.apply(b), rotation.apply(c))
        return (try! Cell(matrix: rotated, pbc: pbc), rotation)
    }
}
