/// Atoms held fixed, whole or along some directions, in MD and in relaxations.
///
/// Two frames, as the files that carry them define them:
/// - `.lattice`: POSCAR `Selective dynamics` flags. A fixed direction k holds the fractional
///   coordinate along lattice vector k (VASP's meaning, and ASE's `FixScaled`); the atom moves
///   in the plane of the other two lattice vectors.
/// - `.cartesian`: extxyz `move_mask` (ASE's `FixAtoms` with one flag per atom, `FixCartesian`
///   with three) and input.json `fixed_atoms`; a fixed direction k holds the Cartesian coordinate k.
///
/// A fixed direction is removed from the forces the integrator and FIRE see and from the
/// velocities, and from the degrees of freedom of the temperature (`AtomicSystem.degreesOfFreedom`).
public struct MotionConstraints: Equatable, Sendable {
    public enum Frame: String, Sendable { case cartesian, lattice }

    /// (atomCount) bit k set: direction k (x, y, z, or lattice vector a, b, c) fixed; 7 = atom fixed.
    public var fixedMask: [UInt8]
    public var frame: Frame
    /// Where they come from, for the run log, e.g. "POSCAR selective dynamics".
    public var source: String

    public init(fixedMask: [UInt8], frame: Frame, source: String) {
        precondition(fixedMask.allSatisfy { $0 < 8 })
        self.fixedMask = fixedMask
        self.frame = frame
        self.source = source
    }

    /// Whole atoms fixed (every direction of each listed atom).
    public init(fixedAtoms: some Sequence<Int>, atomCount: Int, source: String) {
        var mask = [UInt8](repeating: 0, count: atomCount)
        for i in fixedAtoms { mask[i] = 7 }
        self.init(fixedMask: mask, frame: .cartesian, source: source)
    }

    /// Number of fixed directions, summed over atoms (the degrees of freedom they remove).
    public var fixedDirectionCount: Int { fixedMask.reduce(0) { $0 + $1.nonzeroBitCount } }
    /// Atoms fixed in every direction.
    public var fixedAtomCount: Int { fixedMask.reduce(0) { $0 + ($1 == 7 ? 1 : 0) } }
    /// True when every constrained atom is fixed whole (then the frame does not matter).
    public var fixesWholeAtomsOnly: Bool { fixedMask.allSatisfy { $0 == 0 || $0 == 7 } }
    public var isEmpty: Bool { fixedMask.allSatisfy { $0 == 0 } }
    /// True when no atom can move in any direction.
    public var fixesEverything: Bool { fixedMask.allSatisfy { $0 == 7 } }

    /// One line for the run log, e.g. "16 of 64 atoms fixed (POSCAR selective dynamics)".
    public var summary: String {
        let partial = fixedMask.reduce(0) { $0 + ($1 != 0 && $1 != 7 ? 1 : 0) }
        var s = "\(fixedAtomCount) of \(fixedMask.count) atoms fixed"
        if partial > 0 { s += ", \(partial) fixed along some \(frame == .lattice ? "lattice" : "Cartesian") directions" }
        return s + " (\(source))"
    }

    /// The projection onto the directions the atoms may move along, with the lattice vectors
    /// of `cell` (rows [Å]) for the `.lattice` frame.
    public func projection(cell: Matrix3) -> Projection {
        var indices: [Int] = []
        var matrices: [Matrix3] = []
        // Normal of the plane of constant fractional coordinate k: column k of H⁻¹.
        let normals = frame == .lattice ? cell.inverse.transpose : .identity
        for (i, mask) in fixedMask.enumerated() where mask != 0 {
            // P = I − Σ u·uᵀ over an orthonormal basis u of the fixed normals (Gram–Schmidt).
            var basis: [Vector3] = []
            for k in 0..<3 where mask & (1 << k) != 0 {
                var u = normals[k]
                for b in basis { u -= u.dot(b) * b }
                basis.append(u / u.norm)
            }
            var p = Matrix3.identity
            for u in basis { p = p - Matrix3.outer(u, u) }
            if mask == 7 { p = .zero }  // exactly zero, not round-off
            indices.append(i)
            matrices.append(p)
        }
        return Projection(indices: indices, matrices: matrices)
    }

    /// P_i applied to the rows of constrained atoms; every other row is left as it is.
    public struct Projection: Sendable {
        /// Constrained atoms and their projectors (symmetric, idempotent).
        public let indices: [Int]
        public let matrices: [Matrix3]

        /// Projects (atomCount, 3) rows (forces [eV/Å] or velocities [Å/fs]) in place.
        public func apply(_ rows: inout [Vector3]) {
            for (i, p) in zip(indices, matrices) { rows[i] = p.apply(rows[i]) }
        }

        public func applied(to rows: [Vector3]) -> [Vector3] {
            var r = rows
            apply(&r)
            return r
        }
    }
}
