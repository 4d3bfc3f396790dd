import SpinMDCore

/// Compares a potential's analytic forces and virial with central finite differences of its
/// energy. Usable on any `Potential`; the tests run it on every potential spinmd ships.
public struct FiniteDifferenceCheck {
    /// Displacement [Å] and strain step.
    public var displacement = 1e-5
    public var strain = 1e-6

    public init() {}

    /// Largest deviations found.
    public struct Report: CustomStringConvertible {
        /// max |F_analytic − F_fd| over atoms and components [eV/Å].
        public var maxForceError: Double
        /// max |F| for scale [eV/Å].
        public var maxForce: Double
        /// max |W_analytic − W_fd| over components [eV], nil when not checked.
        public var maxVirialError: Double?
        public var maxVirial: Double?
        public var description: String {
            "force error \(maxForceError) eV/Å (max |F| \(maxForce))" + (maxVirialError.map { ", virial error \($0) eV (max |W| \(maxVirial ?? 0))" } ?? "")
        }
    }

    /// Energy of `system` with a fresh neighbor list [eV].
    public static func energy(_ potential: any Potential, _ system: AtomicSystem) throws -> Double {
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: potential.cutoff, kind: potential.neighborKind)
        return try potential.evaluate(system, neighbors: list, request: .energy).energy
    }

    /// Checks forces on `atoms` (all when nil) and, if `checkVirial`, the virial.
    public func run(_ potential: any Potential, _ system: AtomicSystem, atoms: [Int]? = nil, checkVirial: Bool = true) throws -> Report {
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: potential.cutoff, kind: potential.neighborKind)
        let analytic = try potential.evaluate(system, neighbors: list, request: [.energy, .forces, .virial])
        let forces = analytic.forces!
        var maxError = 0.0
        for i in atoms ?? Array(0..<system.atomCount) {
            for a in 0..<3 {
                var plus = system, minus = system
                plus.positions[i][a] += displacement
                minus.positions[i][a] -= displacement
                let fd = -(try Self.energy(potential, plus) - Self.energy(potential, minus)) / (2 * displacement)
                maxError = max(maxError, abs(fd - forces[i][a]))
            }
        }
        var report = Report(maxForceError: maxError, maxForce: forces.map { max(abs($0.x), abs($0.y), abs($0.z)) }.max() ?? 0)
        if checkVirial, let w = analytic.virial, system.cell.pbc.allSatisfy({ $0 }) {
            var maxW = 0.0
            for a in 0..<3 {
                for b in 0..<3 {
                    func strained(_ h: Double) throws -> Double {
                        var e = Matrix3.identity
                        e[a, b] += 0.5 * h
                        e[b, a] += 0.5 * h
                        var s = system
                        s.positions = s.positions.map { e.apply($0) }
                        try s.cell.setMatrix(system.cell.matrix * e.transpose)
                        return try Self.energy(potential, s)
                    }
                    let fd = -(try strained(strain) - strained(-strain)) / (2 * strain)
                    maxW = max(maxW, abs(fd - w[a, b]))
                }
            }
            report.maxVirialError = maxW
            report.maxVirial = w.maxAbs
        }
        return report
    }
}
