import CSpinMD
import SpinMD
import SpinMDCore

/// Reads and checks a caller's `spinmd_system` into an `AtomicSystem`, so that nothing the
/// caller passes can reach a precondition of the engine (which would abort the host process).
enum SystemInput {
    /// Most atoms one call takes (the arrays' sizes are multiplied by 3 and 8 bytes).
    static let maximumAtomCount = 100_000_000
    /// Largest |initial moment| component [μB].
    static let maximumMoment = 1e3

    /// - Parameters: cutoff: the model's cutoff [Å]; radius: the neighbour-list radius [Å], which
    ///   the cell must allow.
    /// - Throws: `LibraryError` naming the field and the atom.
    static func read(_ s: spinmd_system, cutoff: Double, radius: Double) throws -> AtomicSystem {
        let n = Int(s.atom_count)
        guard n >= 1, n <= maximumAtomCount else { throw LibraryError.invalidArgument("atom_count is \(s.atom_count); expected 1 to \(maximumAtomCount)") }
        guard let z = s.atomic_numbers, let r = s.positions, let h = s.cell, let p = s.pbc else {
            throw LibraryError.invalidArgument("atomic_numbers, positions, cell and pbc must not be NULL")
        }
        let species = try species(z, count: n)
        let positions = try positions(r, count: n, species: species)
        let pbc = try (0..<3).map { k in
            guard p[k] == 0 || p[k] == 1 else { throw LibraryError.invalidArgument("pbc[\(k)] is \(p[k]); expected 0 or 1") }
            return p[k] == 1
        }
        var rows = (0..<3).map { k in Vector3(h[3 * k], h[3 * k + 1], h[3 * k + 2]) }
        guard rows.allSatisfy(\.isFinite) else { throw LibraryError(SPINMD_ERROR_GEOMETRY, "the cell has a non-finite entry") }
        completeNonPeriodicVectors(&rows, pbc: pbc, positions: positions, cutoff: cutoff)
        let cell = try Cell(matrix: Matrix3(rows: rows[0], rows[1], rows[2]), pbc: pbc)
        if let (i, problem) = CellListBuilder.firstInvalidPosition(positions, cell: cell) {
            throw LibraryError(SPINMD_ERROR_GEOMETRY, "atom \(i + 1) (\(species[i].symbol)) \(problem)")
        }
        do {
            try CellListBuilder.checkRadius(radius, cell: cell, what: "the neighbour-list radius (the model's cutoff \(cutoff) Å + skin \(radius - cutoff) Å)")
        } catch {
            throw LibraryError(SPINMD_ERROR_GEOMETRY, "\(error)")
        }
        return AtomicSystem(species: species, positions: positions, cell: cell,
                            initialMagneticMoments: try moments(s.initial_moments, components: s.moment_components, count: n))
    }

    /// The elements of the atomic numbers `z` of `n` atoms.
    static func species(_ z: UnsafePointer<Int32>, count n: Int) throws -> [Element] {
        try (0..<n).map { i in
            guard let e = Element(atomicNumber: Int(z[i])) else {
                throw LibraryError(SPINMD_ERROR_UNSUPPORTED_SPECIES, "atom \(i + 1) has atomic number \(z[i]), which is no element")
            }
            return e
        }
    }

    /// The (n, 3) positions at `r` [Å]: finite, and each coordinate within `bound`.
    static func positions(_ r: UnsafePointer<Double>, count n: Int, species: [Element], within bound: Double = .infinity) throws -> [Vector3] {
        try (0..<n).map { i in
            let v = Vector3(r[3 * i], r[3 * i + 1], r[3 * i + 2])
            let atom = "atom \(i + 1) (\(species[i].symbol))"
            guard v.isFinite else { throw LibraryError(SPINMD_ERROR_GEOMETRY, "\(atom) has a non-finite position (\(v.x), \(v.y), \(v.z)) Å") }
            guard max(v.x.magnitude, v.y.magnitude, v.z.magnitude) <= bound else {
                throw LibraryError(SPINMD_ERROR_GEOMETRY, "\(atom) has position (\(v.x), \(v.y), \(v.z)) Å, beyond \(bound) Å")
            }
            return v
        }
    }

    /// The initial moments at `m`: (N) collinear values (`components` 1) or (N, 3) vectors
    /// (`components` 3) [μB].
    static func moments(_ m: UnsafePointer<Double>?, components: Int32, count n: Int) throws -> MagneticMoments {
        guard let m else {
            throw LibraryError.invalidArgument("initial_moments is NULL: SpinMultiNet needs initial magnetic moments (a sign pattern and rough magnitudes, as VASP's MAGMOM)")
        }
        func check(_ x: Double, _ i: Int) throws {
            guard x.isFinite, abs(x) <= maximumMoment else { throw LibraryError.invalidArgument("initial moment of atom \(i + 1) is \(x) μB; expected a finite value within ±\(maximumMoment) μB") }
        }
        switch components {
        case 1:
            for i in 0..<n { try check(m[i], i) }
            return .collinear(Array(UnsafeBufferPointer(start: m, count: n)))
        case 3:
            for i in 0..<3 * n { try check(m[i], i / 3) }
            return .vector((0..<n).map { Vector3(m[3 * $0], m[3 * $0 + 1], m[3 * $0 + 2]) })
        default:
            throw LibraryError.invalidArgument("moment_components is \(components); expected 1 (collinear, along z) or 3 (vectors)")
        }
    }

    /// Gives each non-periodic direction whose vector is zero (ASE's cell of a molecule or a
    /// slab) a vector orthogonal to the others, longer than the structure plus twice the cutoff.
    static func completeNonPeriodicVectors(_ rows: inout [Vector3], pbc: [Bool], positions: [Vector3], cutoff: Double) {
        let missing = (0..<3).filter { !pbc[$0] && rows[$0].normSquared == 0 }
        guard !missing.isEmpty else { return }
        var low = positions[0], high = positions[0]
        for r in positions {
            low = Vector3(min(low.x, r.x), min(low.y, r.y), min(low.z, r.z))
            high = Vector3(max(high.x, r.x), max(high.y, r.y), max(high.z, r.z))
        }
        let extent = high - low
        let length = max(extent.x, extent.y, extent.z) + 2 * cutoff + 1
        let axes = [Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, 0, 1)]
        for k in missing {
            let others = (0..<3).filter { $0 != k && rows[$0].normSquared > 0 }.map { rows[$0] }
            let direction: Vector3
            switch others.count {
            case 2: direction = others[0].cross(others[1])
            case 1: direction = axes.map { others[0].cross($0) }.max { $0.normSquared < $1.normSquared }!
            default: direction = axes[k]
            }
            rows[k] = (length / direction.norm) * direction
        }
    }
}
