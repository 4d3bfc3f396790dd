import Foundation
import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

/// NVE with self-consistent spins must conserve energy as well as NVE with fixed spins: the
/// forces are the total derivative of E(R, m*(R)). Long: runs only with SPINMD_LONG_TESTS=1.
final class EnergyConservationTests: XCTestCase {
    func testNVEDriftWithSelfConsistentSpinsIsNoWorseThanWithFixedSpins() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SPINMD_LONG_TESTS"] == "1", "long test: set SPINMD_LONG_TESTS=1")
        // NOTE: 108-atom rhombohedral AFM-II NiO (3×3×3 of the 4-atom cell). On the 64-atom cubic
        // supercell this random model's symmetric fixed point is unstable once atoms move, so
        // the spin iteration wanders; a trained model is needed there.
        let start = try TestModels.nio(repeats: 3, rattle: 0.02)
        let model = try TestModels.magneticModel()
        func run(_ mode: SpinMode) throws -> (maxDeviation: Double, drift: Double, flips: Int) {
            let potential = SpinMultiNetPotential(model: model, mode: mode)
            let energies: [Double]
            do {
                energies = try Self.nveEnergies(potential, start: start, temperature: 100, seed: 5, steps: 300)
            } catch { print("FAILED", potential.lastIterations); throw error }
            let e0 = energies[0]
            let head = energies.prefix(50).reduce(0, +) / 50, tail = energies.suffix(50).reduce(0, +) / 50
            return (energies.map { abs($0 - e0) }.max()!, abs(tail - head), potential.flippedAtoms.count)
        }
        let fixed = try run(.fixed)
        let selfConsistent = try run(.selfConsistent(tolerance: 1e-8, adjointTolerance: 1e-8, maxIterations: 3000, mixing: 0.2))
        print("NVE 108-atom NiO at 100 K, 300 steps of 1 fs: fixed max|ΔE| \(fixed.maxDeviation) eV drift \(fixed.drift) eV; self-consistent max|ΔE| \(selfConsistent.maxDeviation) eV drift \(selfConsistent.drift) eV, flips \(selfConsistent.flips)")
        let kinetic = 1.5 * Double(start.atomCount) * Units.boltzmann * 100
        XCTAssertLessThan(selfConsistent.drift, max(2 * fixed.drift, 1e-5 * kinetic))
        XCTAssertLessThan(selfConsistent.maxDeviation, max(2 * fixed.maxDeviation, 1e-4 * kinetic))
    }

    /// The shipped committee on 64-atom AFM-II NiO at 300 K (issue 22): the largest deviation of
    /// the NVE energy with self-consistent spins at the default tolerances is at most 1.2× that
    /// with fixed spins + 0.1 meV/atom. 1000 steps of 1 fs; SPINMD_NVE_STEPS sets another length
    /// (5000 for the 5 ps run of docs/performance.md). Prints the drift per atom per ps.
    func testShippedModelConservesEnergyWithSelfConsistentSpins() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SPINMD_LONG_TESTS"] == "1", "long test: set SPINMD_LONG_TESTS=1")
        let steps = Int(ProcessInfo.processInfo.environment["SPINMD_NVE_STEPS"] ?? "") ?? 1000
        let inputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("inputs")
        let committee = try ModelFile.readCommittee(path: inputs.appendingPathComponent("models/tmo-pbeu.safetensors").path).committee
        committee.executor = ParallelExecutor()
        let start = try ExtendedXYZ.read(path: inputs.appendingPathComponent("structures/nio-afm2-64.extxyz").path)[0].system
        func run(_ mode: SpinMode) throws -> (maxDeviation: Double, driftPerPicosecond: Double) {
            let energies = try Self.nveEnergies(SpinMultiNetPotential(committee: committee, mode: mode), start: start, temperature: 300, seed: 7, steps: steps)
            // Least-squares slope of E(t) [eV/fs] → per atom per ps.
            let n = Double(energies.count), tMean = (n - 1) / 2, eMean = energies.reduce(0, +) / n
            var sxy = 0.0, sxx = 0.0
            for (t, e) in energies.enumerated() { sxy += (Double(t) - tMean) * (e - eMean); sxx += (Double(t) - tMean) * (Double(t) - tMean) }
            return (energies.map { abs($0 - energies[0]) }.max()!, sxy / sxx * 1000 / Double(start.atomCount))
        }
        let fixed = try run(.fixed), selfConsistent = try run(.defaultSelfConsistent)
        let atoms = Double(start.atomCount)
        print("NVE 64-atom NiO at 300 K, \(steps) steps of 1 fs, shipped committee: fixed max|ΔE| \(1000 * fixed.maxDeviation / atoms) meV/atom, drift \(1000 * fixed.driftPerPicosecond) meV/atom/ps; self-consistent max|ΔE| \(1000 * selfConsistent.maxDeviation / atoms) meV/atom, drift \(1000 * selfConsistent.driftPerPicosecond) meV/atom/ps")
        XCTAssertLessThanOrEqual(selfConsistent.maxDeviation, 1.2 * fixed.maxDeviation + 1e-4 * atoms)
    }

    /// Total energy [eV] at every step of an NVE run (Δt = 1 fs) of `start` with Maxwell–Boltzmann
    /// velocities at `temperature` [K].
    static func nveEnergies(_ potential: SpinMultiNetPotential, start: AtomicSystem, temperature: Double, seed: UInt64, steps: Int) throws -> [Double] {
        var s = start
        var g = SeededGenerator(seed: seed)
        MaxwellBoltzmann.assign(to: &s, temperature: temperature, generator: &g)
        let evaluator = ForceEvaluator(potential: potential, skin: 0.5)
        let integrator = NVEIntegrator(timestep: 1)
        var watch = Stopwatch()
        var result = try evaluator.compute(&s, request: EvaluationRequest.energyAndForces)
        var energies = [result.energy + s.kineticEnergy]
        for k in 1...steps {
            result = try integrator.step(&s, current: result, evaluator: evaluator, request: EvaluationRequest.energyAndForces, stepIndex: k, stopwatch: &watch)
            energies.append(result.energy + s.kineticEnergy)
        }
        return energies
    }
}
