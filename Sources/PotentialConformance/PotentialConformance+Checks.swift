import SpinMD
import SpinMDCore

/// The checks of `ConformanceCheck`, one function each: nil when the check passes, else what
/// differed.
extension PotentialConformance {
    func finiteDifferences(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        var check = FiniteDifferenceCheck()
        check.displacement = tolerances.displacement
        check.strain = tolerances.strain
        try potential.restore(from: nil)
        let report = try check.run(potential, system)
        if !(report.maxForceError <= tolerances.force * max(1, report.maxForce)) { return "\(report)" }
        if let e = report.maxVirialError, !(e <= tolerances.virial * max(1, report.maxVirial ?? 0)) { return "\(report)" }
        return nil
    }

    func virialSymmetry(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        guard let w = try evaluate(potential, system).virial else { return "no virial for a periodic system" }
        let asymmetry = (w - w.transpose).maxAbs
        return asymmetry <= tolerances.sum * max(1, w.maxAbs) ? nil : "|W − Wᵀ| = \(asymmetry) eV, |W| = \(w.maxAbs) eV"
    }

    func forceSum(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        guard let f = try evaluate(potential, system).forces else { return "no forces" }
        let total = f.reduce(Vector3.zero, +).norm, scale = f.map(\.norm).reduce(0, +)
        return total <= tolerances.sum * max(1, scale) ? nil : "|Σ F| = \(total) eV/Å, Σ|F| = \(scale) eV/Å"
    }

    func atomicEnergySum(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        let r = try evaluate(potential, system)
        guard let e = r.atomicEnergies else { return nil }  // not reported: nothing to check
        let difference = abs(e.reduce(0, +) - r.energy), scale = e.map(abs).reduce(0, +)
        return difference <= tolerances.sum * max(1, scale) ? nil : "|Σ Eᵢ − E| = \(difference) eV, Σ|Eᵢ| = \(scale) eV"
    }

    /// A random proper rotation, or (`improper`) a mirror times one; positions and cell rows
    /// rotated, moments transformed as axial vectors (`axial`).
    func rotation(_ potential: any Potential, _ system: AtomicSystem, improper: Bool) throws -> String? {
        var g = SeededGenerator(seed: seed + (improper ? 1 : 0))
        var r = g.nextRotation()
        if improper { r = Matrix3.diagonal(Vector3(1, 1, -1)) * r }
        let reference = try evaluate(potential, system)
        var rotated = system
        rotated.positions = system.positions.map { r.apply($0) }
        rotated.velocities = system.velocities.map { r.apply($0) }
        try rotated.cell.setMatrix(system.cell.matrix * r.transpose)
        rotated.initialMagneticMoments = system.initialMagneticMoments.map { .vector(Self.axial($0, r)) }
        return reference.transformed(by: r).mismatch(try evaluate(potential, rotated), tolerance: tolerances.symmetry)
    }

    /// Moments transformed as axial vectors, det(R)·R·m; collinear moments are taken along ẑ
    /// (`MagneticMoments.vectors()`), so the rotated run is the collinear run along det(R)·R·ẑ.
    ///
    /// NOTE: leaving collinear moments unchanged while the lattice rotates would also test that
    /// the spin axis is decoupled from the lattice (no spin-orbit coupling). SpinMultiNet does not
    /// have that property: its spin readout is equivariant, so collinear moments along a fixed ẑ
    /// give results that depend on the crystal's orientation (docs/architecture.md).
    static func axial(_ m: MagneticMoments, _ r: Matrix3) -> [Vector3] {
        m.vectors().map { r.determinant * r.apply($0) }
    }

    func translation(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        let reference = try evaluate(potential, system)
        var moved = system
        moved.positions = system.positions.map { $0 + Vector3(0.37, -1.21, 2.03) }
        return reference.mismatch(try evaluate(potential, moved), tolerance: tolerances.symmetry)
    }

    func permutation(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        var g = SeededGenerator(seed: seed + 2)
        var order = Array(0..<system.atomCount).shuffled(using: &g)
        if order == Array(0..<system.atomCount) { order.reverse() }
        let reference = try evaluate(potential, system)
        var permuted = system
        permuted.species = order.map { system.species[$0] }
        permuted.positions = order.map { system.positions[$0] }
        permuted.velocities = order.map { system.velocities[$0] }
        permuted.masses = order.map { system.masses[$0] }
        switch system.initialMagneticMoments {
        case let .collinear(m)?: permuted.initialMagneticMoments = .collinear(order.map { m[$0] })
        case let .vector(m)?: permuted.initialMagneticMoments = .vector(order.map { m[$0] })
        case nil: break
        }
        return reference.permuted(order).mismatch(try evaluate(potential, permuted), tolerance: tolerances.symmetry)
    }

    func timeReversal(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        let reference = try evaluate(potential, system)
        var reversed = system
        reversed.velocities = system.velocities.map { -$0 }
        switch system.initialMagneticMoments {
        case let .collinear(m)?: reversed.initialMagneticMoments = .collinear(m.map { -$0 })
        case let .vector(m)?: reversed.initialMagneticMoments = .vector(m.map { -$0 })
        case nil: break
        }
        return reference.timeReversed().mismatch(try evaluate(potential, reversed), tolerance: tolerances.symmetry)
    }

    /// The dimer of the system's first two atoms at distances around the cutoff, along an
    /// oblique direction, in a periodic cube of edge 3 r_c (no image within the cutoff).
    func cutoffContinuity(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        let rc = potential.cutoff
        let direction = Vector3(0.48, 0.6, 0.64)  // unit length
        let cell = try Cell.orthorhombic(3 * rc, 3 * rc, 3 * rc)
        let center = Vector3(repeating: 1.5 * rc) - 0.5 * rc * direction
        func energy(_ d: Double) throws -> Double {
            var dimer = AtomicSystem(species: Array(system.species[0..<2]), positions: [center, center + d * direction], cell: cell)
            switch system.initialMagneticMoments {
            case let .collinear(m)?: dimer.initialMagneticMoments = .collinear(Array(m[0..<2]))
            case let .vector(m)?: dimer.initialMagneticMoments = .vector(Array(m[0..<2]))
            case nil: break
            }
            return try evaluate(potential, dimer).energy
        }
        let delta = tolerances.cutoffStep
        let inside = try energy(rc - delta), outside = try energy(rc + delta), far = try energy(rc + 0.5)
        let near = try energy(rc - min(1, 0.2 * rc))
        let jump = abs(inside - outside)
        if !(abs(outside - far) <= tolerances.sum * max(1, abs(far))) {
            return "a pair beyond the cutoff changes the energy: E(r_c + δ) − E(r_c + 0.5 Å) = \(outside - far) eV"
        }
        if !(abs(near - far) > tolerances.sum * max(1, abs(far))) {
            return "a pair inside the cutoff does not change the energy (E(r_c − 1 Å) = E(r_c + 0.5 Å) = \(far) eV): the check is vacuous"
        }
        if energyJumpsAtCutoff {
            return jump > tolerances.cutoffJump ? nil : "declared to jump at the cutoff, but |E(r_c − δ) − E(r_c + δ)| = \(jump) eV"
        }
        return jump <= tolerances.cutoffJump ? nil : "energy jumps by \(jump) eV across the cutoff r_c = \(rc) Å (δ = \(delta) Å)"
    }

    /// The system repeated `tolerances.supercell` times: image (i, j, k) holds atoms
    /// (i·n₂n₃ + j·n₃ + k)·N ..< +N.
    func supercell(_ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        let n = tolerances.supercell
        let reference = try evaluate(potential, system)
        var images: [Vector3] = []
        for i in 0..<n.x { for j in 0..<n.y { for k in 0..<n.z {
            images.append(Double(i) * system.cell.a + Double(j) * system.cell.b + Double(k) * system.cell.c)
        } } }
        let copies = images.count
        func repeated<T>(_ v: [T]) -> [T] { Array((0..<copies).map { _ in v }.joined()) }
        var big = AtomicSystem(species: repeated(system.species),
                               positions: images.flatMap { t in system.positions.map { $0 + t } },
                               cell: try Cell(matrix: Matrix3(rows: Double(n.x) * system.cell.a, Double(n.y) * system.cell.b, Double(n.z) * system.cell.c),
                                              pbc: system.cell.pbc),
                               velocities: repeated(system.velocities), masses: repeated(system.masses))
        switch system.initialMagneticMoments {
        case let .collinear(m)?: big.initialMagneticMoments = .collinear(repeated(m))
        case let .vector(m)?: big.initialMagneticMoments = .vector(repeated(m))
        case nil: break
        }
        return reference.replicated(copies).mismatch(try evaluate(potential, big), tolerance: tolerances.symmetry)
    }

    func threadDeterminism(_ system: AtomicSystem) throws -> String? {
        let one = try evaluate(try makePotential(1), system)
        let two = try makePotential(2)
        let first = try evaluate(two, system), second = try evaluate(two, system)
        guard first.isBitwiseEqual(to: second) else {
            return "two evaluations with 2 threads differ: " + (first.mismatch(second, tolerance: 0) ?? "in the bits")
        }
        return one.mismatch(first, tolerance: tolerances.symmetry).map { "1 vs 2 threads: \($0)" }
    }
}
