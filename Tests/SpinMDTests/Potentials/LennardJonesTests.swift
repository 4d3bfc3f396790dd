import XCTest
import SpinMD
@testable import SpinMDCore

final class LennardJonesTests: XCTestCase {
    func testForcesAndVirialEqualFiniteDifferencesForEveryTruncation() throws {
        var s = Fixtures.argonCrystal(repeats: 2)
        Fixtures.rattle(&s, sigma: 0.15)
        try s.cell.setMatrix(Matrix3(rows: s.cell.a, s.cell.b + Vector3(0.7, 0, 0), s.cell.c + Vector3(0.2, -0.4, 0)))
        for truncation in LennardJones.Truncation.allCases {
            let report = try FiniteDifferenceCheck().run(Fixtures.argonLJ(cutoff: 7.0, truncation: truncation), s, atoms: [0, 5, 17])
            XCTAssertLessThan(report.maxForceError, 1e-6 * max(1, report.maxForce), "\(truncation): \(report)")
            XCTAssertLessThan(report.maxVirialError!, 1e-5 * max(1, report.maxVirial!), "\(truncation): \(report)")
        }
    }

    func testTwoSpeciesAndThinTriclinicCell() throws {
        var s = Fixtures.nioRhombohedral()
        Fixtures.rattle(&s, sigma: 0.05)
        let report = try FiniteDifferenceCheck().run(Fixtures.nickelOxideLJ(), s)
        XCTAssertLessThan(report.maxForceError, 1e-6 * max(1, report.maxForce), "\(report)")
        XCTAssertLessThan(report.maxVirialError!, 1e-5 * max(1, report.maxVirial!), "\(report)")
    }

    func testForcesSumToZeroAndAtomicEnergiesSumToEnergy() throws {
        var s = Fixtures.argonCrystal(repeats: 3)
        Fixtures.rattle(&s, sigma: 0.2)
        let pot = Fixtures.argonLJ()
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: pot.cutoff, kind: .half)
        let r = try pot.evaluate(s, neighbors: list, request: .all)
        let total = r.forces!.reduce(Vector3.zero, +)
        XCTAssertLessThan(total.norm, 1e-12)
        XCTAssertEqual(r.atomicEnergies!.reduce(0, +), r.energy, accuracy: 1e-12)
        XCTAssertEqual(r.virial!, r.virial!.transpose)
    }

    func testSmoothAndShiftedEnergiesAreContinuousAtTheCutoff() throws {
        let rc = 8.5
        for truncation in [LennardJones.Truncation.shifted, .smooth] {
            let lj = LennardJones(parameters: [Fixtures.argon: .init(epsilon: 0.0104, sigma: 3.4)], cutoff: rc, truncation: truncation)
            let inside = lj.evaluate(r2: (rc - 1e-9) * (rc - 1e-9), 0, 0).energy
            XCTAssertEqual(inside, 0, accuracy: 1e-12, "\(truncation)")
        }
        let smooth = LennardJones(parameters: [Fixtures.argon: .init(epsilon: 0.0104, sigma: 3.4)], cutoff: rc, truncation: .smooth)
        XCTAssertEqual(smooth.evaluate(r2: (rc - 1e-7) * (rc - 1e-7), 0, 0).forceOverR, 0, accuracy: 1e-12)
    }

    func testParallelEvaluationIsDeterministicAndAgreesWithSerial() throws {
        var s = Fixtures.argonCrystal(repeats: 4)
        Fixtures.rattle(&s, sigma: 0.1)
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: 8.5, kind: .half)
        let serial = try Fixtures.argonLJ(threads: 1).evaluate(s, neighbors: list, request: .all)
        let p1 = try Fixtures.argonLJ(threads: 2).evaluate(s, neighbors: list, request: .all)
        let p2 = try Fixtures.argonLJ(threads: 2).evaluate(s, neighbors: list, request: .all)
        XCTAssertEqual(p1.forces!, p2.forces!, "same thread count must give identical bits")
        XCTAssertEqual(p1.energy, p2.energy)
        XCTAssertEqual(serial.energy, p1.energy, accuracy: 1e-10)
        for i in 0..<s.atomCount { XCTAssertLessThan((serial.forces![i] - p1.forces![i]).norm, 1e-12) }
    }

    func testInvarianceUnderRotationTranslationAndPermutation() throws {
        var s = Fixtures.nioRhombohedral()
        Fixtures.rattle(&s, sigma: 0.08)
        let pot = Fixtures.nickelOxideLJ()
        let e0 = try FiniteDifferenceCheck.energy(pot, s)
        var g = Fixtures.rng(9)
        let q = g.nextRotation()
        var rotated = s
        rotated.positions = s.positions.map { q.apply($0) + Vector3(0.3, -1.1, 2.0) }
        try rotated.cell.setMatrix(s.cell.matrix * q.transpose)
        XCTAssertEqual(try FiniteDifferenceCheck.energy(pot, rotated), e0, accuracy: 1e-11)
        var permuted = s
        let order = [2, 0, 3, 1]
        permuted.positions = order.map { s.positions[$0] }
        permuted.species = order.map { s.species[$0] }
        XCTAssertEqual(try FiniteDifferenceCheck.energy(pot, permuted), e0, accuracy: 1e-11)
    }
}
