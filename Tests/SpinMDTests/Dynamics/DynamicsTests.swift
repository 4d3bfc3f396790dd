import XCTest
import SpinMD
@testable import SpinMDCore

final class DynamicsTests: XCTestCase {
    /// A warm argon crystal (108 atoms) with Maxwell–Boltzmann velocities.
    func warmArgon(temperature: Double = 60, seed: UInt64 = 11) -> AtomicSystem {
        var s = Fixtures.argonCrystal(a: 5.3, repeats: 3)
        var g = Fixtures.rng(seed)
        MaxwellBoltzmann.assign(to: &s, temperature: temperature, generator: &g)
        return s
    }

    func run(_ s: inout AtomicSystem, integrator: Integrator, steps: Int, record: (AtomicSystem, PotentialResult) -> Void = { _, _ in }) throws {
        try Fixtures.integrateArgon(&s, integrator: integrator, steps: steps, record: record)
    }

    func testMaxwellBoltzmannIsSeededAndDriftFree() {
        let a = warmArgon(), b = warmArgon()
        XCTAssertEqual(a.velocities, b.velocities)
        XCTAssertNotEqual(a.velocities, warmArgon(seed: 12).velocities)
        XCTAssertEqual(a.temperature, 60, accuracy: 1e-9)
        XCTAssertLessThan(a.totalMomentum.norm, 1e-12)
    }

    func testNVEEnergyDriftIsBoundedOverThousandsOfSteps() throws {
        var s = warmArgon()
        var energies: [Double] = []
        try run(&s, integrator: NVEIntegrator(timestep: 5), steps: 3000) { sys, r in energies.append(r.energy + sys.kineticEnergy) }
        let e0 = energies[0]
        let maxDeviation = energies.map { abs($0 - e0) }.max()!
        let kinetic = 1.5 * Double(s.atomCount) * Units.boltzmann * 60
        // Fluctuation and drift well below 0.1 % of the kinetic energy over 15 ps.
        XCTAssertLessThan(maxDeviation, 1e-3 * kinetic, "max |E − E0| = \(maxDeviation) eV")
        let drift = abs(energies.suffix(100).reduce(0, +) / 100 - energies.prefix(100).reduce(0, +) / 100)
        XCTAssertLessThan(drift, 2e-4 * kinetic)
        XCTAssertLessThan(s.totalMomentum.norm, 1e-10, "momentum is conserved")
    }

    func testVelocityVerletIsTimeReversible() throws {
        var s = warmArgon()
        let start = s.positions
        try run(&s, integrator: NVEIntegrator(timestep: 2), steps: 500)
        for i in 0..<s.atomCount { s.velocities[i] = -s.velocities[i] }
        try run(&s, integrator: NVEIntegrator(timestep: 2), steps: 500)
        var worst = 0.0
        for i in 0..<s.atomCount {
            // Compare modulo the lattice: positions may have been wrapped at a rebuild.
            var d = s.cell.fractional(s.positions[i] - start[i])
            d -= d.rounded(.toNearestOrEven)
            worst = max(worst, s.cell.cartesian(d).norm)
        }
        XCTAssertLessThan(worst, 1e-8, "positions return to the start after reversing velocities")
    }

    func testNoseHooverChainHoldsTemperatureAndConservesItsInvariant() throws {
        var s = warmArgon(temperature: 20)
        let target = 80.0
        let nhc = NoseHooverChain(temperature: target, damping: 100, degreesOfFreedom: s.degreesOfFreedom)
        let integrator = NVTIntegrator(timestep: 5, thermostat: nhc)
        var conserved: [Double] = [], temperatures: [Double] = []
        try run(&s, integrator: integrator, steps: 6000) { sys, r in
            conserved.append(r.energy + sys.kineticEnergy + integrator.extendedEnergy(sys))
            temperatures.append(sys.temperature)
        }
        let mean = temperatures.suffix(4000).reduce(0, +) / 4000
        XCTAssertEqual(mean, target, accuracy: 0.04 * target, "mean temperature after equilibration")
        let spread = conserved.max()! - conserved.min()!
        let kinetic = 1.5 * Double(s.atomCount) * Units.boltzmann * target
        XCTAssertLessThan(spread, 2e-3 * kinetic, "conserved quantity spread \(spread) eV")
        // The thermostat did real work: kinetic + potential alone changed a lot.
        XCTAssertGreaterThan(abs(integrator.extendedEnergy(s)), 100 * spread)
    }

    func testSeededRunIsReproducibleBitForBit() throws {
        func trajectory() throws -> [Vector3] {
            var s = warmArgon()
            let nhc = NoseHooverChain(temperature: 70, damping: 50, degreesOfFreedom: s.degreesOfFreedom)
            try run(&s, integrator: NVTIntegrator(timestep: 4, thermostat: nhc), steps: 200)
            return s.positions + s.velocities
        }
        XCTAssertEqual(try trajectory(), try trajectory())
    }
}
