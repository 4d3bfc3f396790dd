import XCTest
import SpinMD
@testable import SpinMDCore

final class RelaxationTests: XCTestCase {
    /// Energy per atom [eV] of the perfect fcc crystal at lattice constant a [Å].
    func fccEnergyPerAtom(_ a: Double, potential: any Potential) throws -> Double {
        let s = Fixtures.argonCrystal(a: a, repeats: 3)
        return try FiniteDifferenceCheck.energy(potential, s) / Double(s.atomCount)
    }

    /// The lattice constant minimising the fcc energy, by golden-section search (the oracle).
    func fccLatticeConstant(potential: any Potential) throws -> Double {
        var lo = 4.9, hi = 5.8
        let phi = (5.0.squareRoot() - 1) / 2
        while hi - lo > 1e-7 {
            let m1 = hi - phi * (hi - lo), m2 = lo + phi * (hi - lo)
            if try fccEnergyPerAtom(m1, potential: potential) < fccEnergyPerAtom(m2, potential: potential) { hi = m2 } else { lo = m1 }
        }
        return 0.5 * (lo + hi)
    }

    func testFrechetCellForcesAreTheGradientOfTheEnthalpy() throws {
        var s = Fixtures.argonCrystal(a: 5.4, repeats: 2)
        Fixtures.rattle(&s, sigma: 0.1)
        try s.cell.setMatrix(Matrix3(rows: s.cell.a + Vector3(0, 0.3, 0), s.cell.b, s.cell.c + Vector3(0.2, 0, 0.1)))
        let pressure = 0.5 * Units.gigapascal
        let target = try FrechetCellTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5), pressure: pressure)
        var x = target.coordinates
        // Move off X = 0 so the Fréchet derivative is non-trivial.
        x[s.atomCount] += Vector3(0.4, 0.1, -0.2)
        x[s.atomCount + 2] += Vector3(0.05, -0.3, 0.2)
        try target.setCoordinates(x)
        let forces = target.forces
        let h = 1e-5
        for row in [0, 3, s.atomCount, s.atomCount + 1, s.atomCount + 2] {
            for a in 0..<3 {
                var p = x, m = x
                p[row][a] += h
                m[row][a] -= h
                try target.setCoordinates(p)
                let ep = target.objective
                try target.setCoordinates(m)
                let em = target.objective
                XCTAssertEqual(-(ep - em) / (2 * h), forces[row][a], accuracy: 1e-7, "row \(row) component \(a)")
            }
        }
    }

    func testFIREFindsTheLJLatticeConstantWithCellRelaxation() throws {
        let potential = Fixtures.argonLJ()
        let expected = try fccLatticeConstant(potential: potential)
        var s = Fixtures.argonCrystal(a: 5.5, repeats: 3)
        Fixtures.rattle(&s, sigma: 0.05)
        try s.cell.setMatrix(Matrix3(rows: s.cell.a + Vector3(0, 0.4, 0), s.cell.b * 0.97, s.cell.c))
        let target = try FrechetCellTarget(system: s, evaluator: ForceEvaluator(potential: potential, skin: 0.5), pressure: 0)
        var fire = FIRE()
        fire.fmax = 1e-5
        let (status, steps) = try fire.minimize(target, maxSteps: 3000) { _, _ in }
        XCTAssertEqual(status, .converged, "after \(steps) steps")
        let relaxed = target.system.cell
        let a = pow(4 * relaxed.volume / Double(s.atomCount), 1.0 / 3)
        XCTAssertEqual(a, expected, accuracy: 2e-4, "relaxed lattice constant vs the golden-section minimum")
        for k in 0..<3 { XCTAssertEqual(relaxed.lengths[k], 3 * expected, accuracy: 2e-3) }
        for k in 0..<3 { XCTAssertEqual(relaxed.anglesDegrees[k], 90, accuracy: 0.02) }
        // Infinite-range LJ fcc: r₀ = 1.0902σ, so a = 1.5418σ; a cutoff of 2.5σ shrinks it slightly.
        XCTAssertEqual(a / 3.4, 1.54, accuracy: 0.02)
    }

    func testFIREFixedCellAndMaxStepsStatus() throws {
        var s = Fixtures.argonCrystal(a: 5.3, repeats: 2)
        Fixtures.rattle(&s, sigma: 0.2)
        let target = try PositionTarget(system: s, evaluator: ForceEvaluator(potential: Fixtures.argonLJ(), skin: 0.5))
        var fire = FIRE()
        fire.fmax = 1e-4
        XCTAssertEqual(try fire.minimize(target, maxSteps: 3) { _, _ in }.status, .maxStepsReached)
        let (status, _) = try fire.minimize(target, maxSteps: 2000) { _, _ in }
        XCTAssertEqual(status, .converged)
        XCTAssertLessThan(target.maxForce, 1e-4)
        XCTAssertEqual(target.system.cell, s.cell)
    }
}
