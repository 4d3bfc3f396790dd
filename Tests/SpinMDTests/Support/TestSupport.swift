import Foundation
@testable import SpinMD
@testable import SpinMDCore

/// Reusable fixtures for the property tests.
enum Fixtures {
    static let argon = Element(symbol: "Ar")!
    static let ni = Element(symbol: "Ni")!
    static let o = Element(symbol: "O")!

    /// LJ argon, ε = 0.0104 eV, σ = 3.4 Å.
    static func argonLJ(cutoff: Double = 8.5, truncation: LennardJones.Truncation = .smooth, threads: Int = 1) -> PairPotential<LennardJones> {
        PairPotential(LennardJones(parameters: [argon: .init(epsilon: 0.0104, sigma: 3.4)], cutoff: cutoff, truncation: truncation,
                                   switchRadius: 0.8 * cutoff),
                      name: "lennard-jones", executor: ParallelExecutor(threads: threads))
    }

    /// Two-species LJ for Ni/O test systems (parameters only for testing geometry code).
    static func nickelOxideLJ(cutoff: Double = 5.0) -> PairPotential<LennardJones> {
        PairPotential(LennardJones(parameters: [ni: .init(epsilon: 0.02, sigma: 2.3), o: .init(epsilon: 0.01, sigma: 2.8)],
                                   cutoff: cutoff, truncation: .smooth),
                      name: "lennard-jones", executor: ParallelExecutor(threads: 1))
    }

    /// Argon fcc crystal with `repeats` conventional cells at lattice constant a [Å].
    static func argonCrystal(a: Double = 5.26, repeats: Int = 3) -> AtomicSystem {
        try! CrystalBuilder.cubic(.fcc, a: a, species: [argon], repeats: SIMD3(repeating: repeats))
    }

    /// The 4-atom rhombohedral AFM-II NiO cell (fcc primitive cell doubled along [111]),
    /// a = 4.17 Å; its angles are about 33.6°.
    static func nioRhombohedral(a: Double = 4.17) -> AtomicSystem {
        let h = 0.5 * a
        let v1 = Vector3(h, h, 0), v2 = Vector3(0, h, h), v3 = Vector3(h, 0, h)
        let cell = try! Cell(matrix: Matrix3(rows: v1 + v2, v2 + v3, v1 + v3))
        // Cell vectors are sums of two fcc primitive vectors; the Ni planes alternate along [111].
        let positions = [Vector3.zero, v1 + v2 + v3, 0.5 * (v1 + v2 + v3), 1.5 * (v1 + v2 + v3)]
        return AtomicSystem(species: [ni, ni, o, o], positions: positions, cell: cell,
                            initialMagneticMoments: .collinear([2, -2, 0, 0]))
    }

    /// Runs `steps` MD steps of LJ argon (skin 1 Å), calling `record` at the start and after every step.
    static func integrateArgon(_ s: inout AtomicSystem, integrator: Integrator, steps: Int,
                               record: (AtomicSystem, PotentialResult) -> Void) throws {
        let evaluator = ForceEvaluator(potential: argonLJ(), skin: 1.0)
        var watch = Stopwatch()
        var result = try evaluator.compute(&s, request: [.energy, .forces])
        record(s, result)
        for k in 1...steps {
            result = try integrator.step(&s, current: result, evaluator: evaluator, request: [.energy, .forces], stepIndex: k, stopwatch: &watch)
            record(s, result)
        }
    }

    /// Random generator with a fixed seed.
    static func rng(_ seed: UInt64 = 42) -> SeededGenerator { SeededGenerator(seed: seed) }

    /// Random displacements of standard deviation `sigma` [Å].
    static func rattle(_ s: inout AtomicSystem, sigma: Double, seed: UInt64 = 7) {
        var g = rng(seed)
        for i in 0..<s.atomCount { s.positions[i] += sigma * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
    }
}
