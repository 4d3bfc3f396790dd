import XCTest
import SpinMD
import PotentialConformance
import SpinMDCore

/// Lennard-Jones with every truncation through the conformance battery (docs/architecture.md,
/// "Conformance battery").
final class LennardJonesConformanceTests: XCTestCase {
    /// Argon and Ni/O parameters, so one potential covers both systems (and mixed pairs).
    func lennardJones(_ truncation: LennardJones.Truncation, threads: Int) -> PairPotential<LennardJones> {
        let parameters: [Element: LennardJones.Parameters] = [Fixtures.argon: .init(epsilon: 0.0104, sigma: 3.4),
                                                              Fixtures.ni: .init(epsilon: 0.02, sigma: 2.3), Fixtures.o: .init(epsilon: 0.01, sigma: 2.8)]
        return PairPotential(LennardJones(parameters: parameters, cutoff: 7.0, truncation: truncation, switchRadius: 5.6),
                             name: "lennard-jones", executor: ParallelExecutor(threads: threads))
    }

    /// Rattled fcc argon in a sheared (triclinic) cell, and the rattled thin rhombohedral NiO
    /// cell (two species, collinear moments the potential ignores).
    func systems() throws -> [AtomicSystem] {
        var argon = Fixtures.argonCrystal(repeats: 2)
        Fixtures.rattle(&argon, sigma: 0.15)
        try argon.cell.setMatrix(Matrix3(rows: argon.cell.a, argon.cell.b + Vector3(0.7, 0, 0), argon.cell.c + Vector3(0.2, -0.4, 0)))
        var nio = Fixtures.nioRhombohedral()
        Fixtures.rattle(&nio, sigma: 0.05)
        return [argon, nio]
    }

    func assertConforms(_ battery: PotentialConformance, file: StaticString = #filePath, line: UInt = #line) {
        let report = battery.run()
        XCTAssertTrue(report.failures.isEmpty, "\(report)", file: file, line: line)
        XCTAssertFalse(report.passed.isEmpty, file: file, line: line)
    }

    func testPlainTruncationConforms() throws {
        assertConforms(PotentialConformance(makePotential: { self.lennardJones(.plain, threads: $0) }, systems: try systems(), options: [.energyJumpsAtCutoff]))
    }

    func testShiftedTruncationConforms() throws {
        assertConforms(PotentialConformance(makePotential: { self.lennardJones(.shifted, threads: $0) }, systems: try systems()))
    }

    func testSmoothTruncationConforms() throws {
        assertConforms(PotentialConformance(makePotential: { self.lennardJones(.smooth, threads: $0) }, systems: try systems()))
    }

    /// Lennard-Jones with its result changed by `perturb` (a potential the battery must reject).
    final class Perturbed: Potential {
        let inner: PairPotential<LennardJones>
        let perturb: (AtomicSystem, inout PotentialResult) -> Void
        init(_ inner: PairPotential<LennardJones>, _ perturb: @escaping (AtomicSystem, inout PotentialResult) -> Void) {
            self.inner = inner
            self.perturb = perturb
        }
        var name: String { "perturbed" }
        var cutoff: Double { inner.cutoff }
        var neighborKind: NeighborList.Kind { inner.neighborKind }
        func checkSupports(_ species: [Element]) throws { try inner.checkSupports(species) }
        func evaluate(_ system: AtomicSystem, neighbors: NeighborList, request: EvaluationRequest) throws -> PotentialResult {
            var r = try inner.evaluate(system, neighbors: neighbors, request: request)
            perturb(system, &r)
            return r
        }
    }

    /// The battery can fail: a potential whose forces are off by a few percent fails the
    /// finite-difference check and nothing else.
    func testTheBatteryCatchesWrongForces() throws {
        let report = PotentialConformance(makePotential: { Perturbed(self.lennardJones(.smooth, threads: $0)) { _, r in r.forces = r.forces?.map { 1.03 * $0 } } },
                                          systems: try systems()).run()
        XCTAssertEqual(Set(report.failures.map(\.check)), [.finiteDifferences], "\(report)")
    }

    /// An external field, E + g·Σ xᵢ with consistent forces, passes the finite differences but
    /// breaks translation and rotation invariance and Σ F = 0.
    func testTheBatteryCatchesAnExternalField() throws {
        let inField: (AtomicSystem, inout PotentialResult) -> Void = { system, r in
            r.energy += 0.01 * system.positions.map(\.x).reduce(0, +)
            r.forces = r.forces?.map { $0 - Vector3(0.01, 0, 0) }
            r.atomicEnergies = nil
            r.virial = nil
        }
        let report = PotentialConformance(makePotential: { Perturbed(self.lennardJones(.smooth, threads: $0), inField) }, systems: try systems(),
                                          options: [.skip(.virialSymmetry, because: "no virial")]).run()
        let failed = Set(report.failures.map(\.check))
        XCTAssertTrue(failed.isSuperset(of: [.forceSum, .rotation, .translation]), "\(report)")
        XCTAssertFalse(failed.contains(.finiteDifferences), "\(report)")
    }
}
