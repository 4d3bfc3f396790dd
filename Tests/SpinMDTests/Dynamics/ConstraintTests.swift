import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// Fixed atoms (`MotionConstraints`) in MD, FIRE and cell relaxation, tested by what they must
/// guarantee: fixed coordinates do not change at all, the rest moves as before (energy
/// conserved, thermostat at its temperature counted over the free degrees of freedom).
final class ConstraintTests: XCTestCase {
    /// 108-atom argon with the atoms of the lowest layer (z < 1 Å) fixed whole and those of the
    /// next layer fixed along z only.
    func slabLikeArgon() -> AtomicSystem {
        var s = Fixtures.argonCrystal(a: 5.3, repeats: 3)
        let mask = s.positions.map { r -> UInt8 in r.z < 1 ? 7 : (r.z < 3 ? 4 : 0) }
        s.constraints = MotionConstraints(fixedMask: mask, frame: .cartesian, source: "test")
        return s
    }

    func run(_ s: inout AtomicSystem, integrator: Integrator, steps: Int, record: (AtomicSystem, PotentialResult) -> Void) throws {
        integrator.verlet.constraints = s.constraints!.projection(cell: s.cell.matrix)
        try Fixtures.integrateArgon(&s, integrator: integrator, steps: steps, record: record)
    }

    func testProjectionRemovesExactlyTheFixedDirections() throws {
        let cell = Matrix3(rows: Vector3(5, 0.3, -0.2), Vector3(1.1, 4.6, 0.4), Vector3(-0.7, 0.9, 6.2))
        var g = Fixtures.rng(3)
        for frame in [MotionConstraints.Frame.lattice, .cartesian] {
            let masks: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7]
            let c = MotionConstraints(fixedMask: masks, frame: frame, source: "test")
            XCTAssertEqual(c.fixedDirectionCount, 12)
            let p = c.projection(cell: cell)
            let v = masks.map { _ in Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
            let once = p.applied(to: v)
            XCTAssertEqual(once[0], v[0], "a free atom is untouched")
            XCTAssertEqual(once[7], .zero, "a fixed atom gets exactly zero")
            let inverse = try Cell(matrix: cell).inverse
            for (i, mask) in masks.enumerated() {
                // The component along every fixed direction (fractional for the lattice frame) is zero.
                let along = frame == .lattice ? inverse.leftApply(once[i]) : once[i]
                for k in 0..<3 where mask & (1 << k) != 0 { XCTAssertEqual(along[k], 0, accuracy: 1e-14, "\(frame) atom \(i) direction \(k)") }
                // What is left of a free direction is unchanged: P is a projection (idempotent, symmetric).
                let twice = p.applied(to: once)
                XCTAssertLessThan((twice[i] - once[i]).norm, 1e-14)
                let w = Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian())
                var pw = [Vector3](repeating: .zero, count: masks.count)
                pw[i] = w
                p.apply(&pw)
                XCTAssertEqual(once[i].dot(w), v[i].dot(pw[i]), accuracy: 1e-13)
            }
        }
    }

    func testFixedAtomsStayPutAndNVEConservesEnergy() throws {
        var s = slabLikeArgon()
        let start = s.positions
        var g = Fixtures.rng(5)
        MaxwellBoltzmann.assign(to: &s, temperature: 60, generator: &g)
        let fixedWhole = (0..<s.atomCount).filter { s.constraints!.fixedMask[$0] == 7 }
        let fixedZ = (0..<s.atomCount).filter { s.constraints!.fixedMask[$0] == 4 }
        XCTAssertEqual(fixedWhole.count, 18)
        XCTAssertEqual(fixedZ.count, 18)
        XCTAssertEqual(s.degreesOfFreedom, 3 * 108 - 3 * 18 - 18)
        XCTAssertEqual(s.temperature, 60, accuracy: 1e-9, "scaled with the free degrees of freedom")
        for i in fixedWhole { XCTAssertEqual(s.velocities[i], .zero) }
        for i in fixedZ { XCTAssertEqual(s.velocities[i].z, 0) }
        var energies: [Double] = []
        try run(&s, integrator: NVEIntegrator(timestep: 5), steps: 1000) { sys, r in energies.append(r.energy + sys.kineticEnergy) }
        for i in fixedWhole { XCTAssertEqual(s.positions[i], start[i], "atom \(i) is fixed") }
        for i in fixedZ {
            XCTAssertEqual(s.positions[i].z, start[i].z, "atom \(i) is fixed along z")
            XCTAssertGreaterThan(abs(s.positions[i].x - start[i].x) + abs(s.positions[i].y - start[i].y), 1e-3, "atom \(i) moves in x, y")
        }
        let kinetic = 0.5 * Double(s.degreesOfFreedom) * Units.boltzmann * 60
        let deviation = energies.map { abs($0 - energies[0]) }.max()!
        XCTAssertLessThan(deviation, 1e-3 * kinetic, "max |E − E0| = \(deviation) eV")
    }

    func testThermostatHoldsTheTemperatureOfTheFreeDegreesOfFreedom() throws {
        var s = slabLikeArgon()
        var g = Fixtures.rng(9)
        MaxwellBoltzmann.assign(to: &s, temperature: 20, generator: &g)
        let target = 80.0
        let nhc = NoseHooverChain(temperature: target, damping: 100, degreesOfFreedom: s.degreesOfFreedom)
        // Equipartition over the free directions, counted here independently of the code under test.
        let free = Double(3 * 108 - 3 * 18 - 18)
        var temperatures: [Double] = []
        try run(&s, integrator: NVTIntegrator(timestep: 5, thermostat: nhc), steps: 3000) { sys, _ in
            temperatures.append(2 * sys.kineticEnergy / (free * Units.boltzmann))
        }
        // Counting 3N − 3 instead would hold the free atoms at 80·321/252 ≈ 102 K.
        let mean = temperatures.suffix(2000).reduce(0, +) / 2000
        XCTAssertEqual(mean, target, accuracy: 0.05 * target, "mean temperature after equilibration")
    }

    func testFIREKeepsFixedAtomsAndRelaxesTheRest() throws {
        var s = slabLikeArgon()
        Fixtures.rattle(&s, sigma: 0.08)
        s.wrapPositions()  // wrapped at the start: later wraps then move no atom inside the cell
        let start = s.positions
        let target = try PositionTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5))
        var fire = FIRE()
        fire.fmax = 1e-4
        let (status, steps) = try fire.minimize(target, maxSteps: 3000) { _, _ in }
        XCTAssertEqual(status, .converged, "after \(steps) steps")
        let raw = target.result.forces!
        var heldForce = 0.0
        for i in 0..<s.atomCount {
            switch s.constraints!.fixedMask[i] {
            case 7:
                XCTAssertEqual(target.system.positions[i], start[i])
                heldForce = max(heldForce, raw[i].norm)
            case 4:
                XCTAssertEqual(target.system.positions[i].z, start[i].z)
                XCTAssertLessThan(Vector3(raw[i].x, raw[i].y, 0).norm, 1e-4)
            default:
                XCTAssertLessThan(raw[i].norm, 1e-4, "free atom \(i) relaxed")
            }
        }
        XCTAssertGreaterThan(heldForce, 1e-2, "the fixed atoms are held against real forces")
    }

    func testCellRelaxationCarriesFixedAtomsAlongWithTheCell() throws {
        var s = Fixtures.argonCrystal(a: 5.6, repeats: 2)
        Fixtures.rattle(&s, sigma: 0.05)
        try s.cell.setMatrix(Matrix3(rows: s.cell.a + Vector3(0, 0.3, 0), s.cell.b, s.cell.c))
        // Atoms 0–3 whole, atom 4 along lattice vector c (fractional coordinate c held).
        var mask = [UInt8](repeating: 0, count: s.atomCount)
        for i in 0..<4 { mask[i] = 7 }
        mask[4] = 4
        s.constraints = MotionConstraints(fixedMask: mask, frame: .lattice, source: "test")
        let fractional = s.positions.map { s.cell.fractional($0) }
        let target = try FrechetCellTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5), pressure: 0)
        var fire = FIRE()
        fire.fmax = 1e-4
        let (status, _) = try fire.minimize(target, maxSteps: 3000) { _, _ in }
        XCTAssertEqual(status, .converged)
        let end = target.system
        XCTAssertGreaterThan((end.cell.matrix - s.cell.matrix).maxAbs, 0.05, "the cell relaxed")
        func moved(_ i: Int) -> Vector3 {  // fractional displacement, modulo the lattice
            let d = end.cell.fractional(end.positions[i]) - fractional[i]
            return d - d.rounded(.toNearestOrEven)
        }
        for i in 0..<4 { XCTAssertLessThan(moved(i).norm, 1e-12, "atom \(i) follows the cell") }
        XCTAssertEqual(moved(4).z, 0, accuracy: 1e-12)
        XCTAssertGreaterThan(abs(moved(4).x) + abs(moved(4).y), 1e-4, "atom 4 moves along a and b")

        s.constraints = MotionConstraints(fixedMask: mask, frame: .cartesian, source: "extxyz move_mask")
        XCTAssertThrowsError(try FrechetCellTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5), pressure: 0)) {
            XCTAssertTrue("\($0)".contains("atoms fixed along Cartesian directions (extxyz move_mask) cannot be held in a relaxation of the cell"), "\($0)")
        }
    }

    func testNothingToMoveIsRefused() throws {
        var s = Fixtures.argonCrystal(a: 5.3, repeats: 1)
        s.constraints = MotionConstraints(fixedAtoms: 0..<s.atomCount, atomCount: s.atomCount, source: "input fixed_atoms")
        XCTAssertThrowsError(try PositionTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5))) {
            XCTAssertTrue("\($0)".contains("every atom is fixed (input fixed_atoms): a fixed-cell relaxation has nothing to move"), "\($0)")
        }
    }
}
