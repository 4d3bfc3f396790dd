import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

/// The self-consistent spin solver: collinear and non-collinear (vector) input, symmetry with
/// self-consistent spins, and the predictor that warm-starts each step.
final class SelfConsistentSpinTests: XCTestCase {
    let tight = SpinMode.selfConsistent(tolerance: 1e-12, adjointTolerance: 1e-12, maxIterations: 5000, mixing: 0.3)

    func evaluate(_ p: SpinMultiNetPotential, _ s: AtomicSystem) throws -> PotentialResult {
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: p.cutoff, kind: .full)
        return try p.evaluate(s, neighbors: list, request: .all)
    }

    /// Canted AFM-II NiO: the two Ni sublattices 120° apart, O estimated (and kept) at zero.
    func canted() throws -> AtomicSystem {
        var s = try TestModels.nio(repeats: 2)
        s.initialMagneticMoments = .vector(s.species.indices.map { i in
            switch i % 4 { case 0: Vector3(2, 0, 0); case 1: Vector3(-1, 1.7, 0.2); default: .zero }
        })
        return s
    }

    func testAnUnconvergedAdjointNamesItsOwnToleranceAndResidual() throws {
        // The spins converge; an adjoint tolerance of 0 is never met, so the adjoint gives up.
        let mode = SpinMode.selfConsistent(tolerance: 1e-3, adjointTolerance: 0, maxIterations: 60, mixing: 1)
        XCTAssertThrowsError(try evaluate(SpinMultiNetPotential(model: try TestModels.magneticModel(), mode: mode), try TestModels.nio())) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("adjoint spin equation did not converge in 60 iterations"), message)
            XCTAssertTrue(message.contains("'adjoint_tolerance_eV_per_uB'") && message.contains("tolerance 0.0 eV/μB"), message)
            XCTAssertFalse(message.contains("| inf eV/μB"), "the last iteration's residual is reported: \(message)")
        }
    }

    func testCollinearMomentsGivenAsVectorsAreTheCollinearRunBitForBit() throws {
        let collinear = try TestModels.nio(repeats: 2)
        guard case let .collinear(m)? = collinear.initialMagneticMoments else { return XCTFail() }
        var vectors = collinear
        vectors.initialMagneticMoments = .vector(m.map { Vector3(0, 0, $0) })
        let model = try TestModels.magneticModel()
        let a = try evaluate(SpinMultiNetPotential(model: model, mode: tight), collinear)
        let b = try evaluate(SpinMultiNetPotential(model: model, mode: tight), vectors)
        XCTAssertEqual(a.energy, b.energy)
        XCTAssertEqual(a.forces!, b.forces!)
        guard case let .collinear(ma)? = a.magneticMoments, case let .vector(mb)? = b.magneticMoments else { return XCTFail("scalar in, scalar out; vector in, vector out") }
        XCTAssertEqual(ma, mb.map(\.z))
        XCTAssertTrue(mb.allSatisfy { $0.x == 0 && $0.y == 0 })
        XCTAssertGreaterThan(abs(ma[0]), 0.5, "a non-trivial fixed point")
    }

    func testCantedSpinsConvergeAndTheirForcesAreTotalDerivatives() throws {
        let s = try canted()
        let p = SpinMultiNetPotential(model: try TestModels.magneticModel(), mode: tight)
        let r = try evaluate(p, s)
        XCTAssertGreaterThan(p.lastIterations.spins, 2, "the spins moved")
        guard case let .vector(m)? = r.magneticMoments, case let .vector(e)? = s.initialMagneticMoments else { return XCTFail("vector in, vector out") }
        for i in m.indices {
            if e[i].normSquared > 0 {
                XCTAssertLessThan(m[i].cross(e[i]).norm, 1e-12 * e[i].norm, "a moment keeps the direction of its estimate")
            } else {
                XCTAssertEqual(m[i], .zero, "a moment estimated as zero stays zero")
            }
        }
        XCTAssertGreaterThan(m[1].norm, 0.5)
        XCTAssertEqual(m[1].dot(m[0]) / (m[0].norm * m[1].norm), e[1].dot(e[0]) / (e[0].norm * e[1].norm), accuracy: 1e-9, "still canted")
        try TestModels.assertTotalDerivatives(p, s)
    }

    func testExtrapolationIsExactForPolynomialsAndChoosesTheOrder() {
        // x(t) = a + b t + c t²: order 2 predicts it exactly once three points are known.
        func x(_ t: Double) -> [Vector3] { [Vector3(1 + 0.5 * t - 0.25 * t * t, 2, -t), Vector3(0.1 * t * t, 0, 3)] }
        var h = SolutionHistory()
        XCTAssertNil(h.prediction())
        for t in 0..<6 { h.append(x(Double(t))) }
        let p = h.prediction()!
        for i in p.indices { XCTAssertLessThan((p[i] - x(6)[i]).norm, 1e-12) }
        XCTAssertGreaterThanOrEqual(h.order, 2)
        // A path that jumps about (as FIRE steps can) makes the previous solution the best guess.
        var jumpy = SolutionHistory()
        for t in 0..<6 { jumpy.append([Vector3(t % 2 == 0 ? 1 : -1, 0, 0)]) }
        XCTAssertEqual(jumpy.order, 0)
        // Serialised and read back, it predicts the same.
        var offset = 0
        let again = SolutionHistory(serialized: h.serialized, offset: &offset)
        XCTAssertEqual(again, h)
        XCTAssertEqual(offset, h.serialized.count)
        offset = 0
        XCTAssertNil(SolutionHistory(serialized: [1, 9, 4], offset: &offset), "malformed state is refused")
    }

    func testPredictedStepsOfASmoothPathNeedFewIterations() throws {
        var s = try TestModels.nio(repeats: 2, rattle: 0.05)
        let p = SpinMultiNetPotential(model: try TestModels.magneticModel(), mode: .selfConsistent(tolerance: 1e-6, adjointTolerance: 1e-6, maxIterations: 5000, mixing: 0.3))
        var g = SeededGenerator(seed: 4)
        let velocity = (0..<s.atomCount).map { _ in 0.002 * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
        var iterations: [Int] = []
        var reference: [Double] = []
        var last = s
        for _ in 0..<10 {
            last = s
            let r = try evaluate(p, s)
            iterations.append(p.lastIterations.spins)
            reference.append(r.energy)
            for i in 0..<s.atomCount { s.positions[i] += velocity[i] }
        }
        XCTAssertLessThan(iterations.suffix(4).reduce(0, +), iterations[0], "extrapolated starts: \(iterations)")
        // The state the predictions depend on survives a checkpoint: a restored copy repeats the
        // last evaluation (as a resumed run does) bit for bit, then continues the same.
        let copy = SpinMultiNetPotential(model: p.committee.members[0], mode: p.mode)
        try copy.restore(from: p.checkpointState())
        let again = try evaluate(copy, last)
        XCTAssertEqual(again.energy, reference.last!)
        XCTAssertEqual(copy.lastIterations.spins, iterations.last!)
        XCTAssertEqual(copy.checkpointState(), p.checkpointState())
        XCTAssertEqual(try evaluate(copy, s).energy, try evaluate(p, s).energy)
        XCTAssertEqual(copy.lastIterations.spins, p.lastIterations.spins)
    }
}
