import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

final class PotentialTests: XCTestCase {
    func model(seed: UInt64 = 1, lMax: Int = 1) throws -> SpinMultiNetModel { try TestModels.model(seed: seed, lMax: lMax) }
    func magneticModel(seed: UInt64 = 1) throws -> SpinMultiNetModel { try TestModels.magneticModel(seed: seed) }
    func nio(repeats: Int = 1, rattle: Double = 0.1, seed: UInt64 = 3) throws -> AtomicSystem { try TestModels.nio(repeats: repeats, rattle: rattle, seed: seed) }

    func testSelfConsistentForcesAreTotalDerivatives() throws {
        let p = SpinMultiNetPotential(model: try magneticModel(), mode: .selfConsistent(tolerance: 1e-13, adjointTolerance: 1e-13, maxIterations: 5000, mixing: 0.3))
        let s = try nio()
        _ = try FiniteDifferenceCheck.energy(p, s)
        XCTAssertGreaterThan(p.lastIterations.spins, 2, "the spins really moved from their estimates")
        XCTAssertGreaterThan(min(p.spinState![0].norm, p.spinState![1].norm), 0.5, "non-zero Ni moments: a non-trivial fixed point, so dm*/dR and the adjoint matter")
        let report = try TestModels.assertTotalDerivatives(p, s)
        // The fixed-spin forces differ: the adjoint term matters.
        let fixed = try FiniteDifferenceCheck().run(SpinMultiNetPotential(committee: p.committee, mode: .fixed), s)
        XCTAssertNotEqual(fixed.maxForce, report.maxForce)
    }

    func testSelfConsistentSpinsAreAFixedPointAndStayCollinear() throws {
        let p = SpinMultiNetPotential(model: try magneticModel(), mode: .selfConsistent(tolerance: 1e-10, adjointTolerance: 1e-10, maxIterations: 2000, mixing: 0.3))
        let s = try nio(repeats: 2)
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: p.cutoff, kind: .full)
        let r = try p.evaluate(s, neighbors: list, request: .all)
        guard case let .collinear(moments)? = r.magneticMoments else { return XCTFail("collinear in, collinear out") }
        let state = p.spinState!
        XCTAssertGreaterThan(abs(moments[0]), 0.5)
        // Sign changes against the estimates are reported, never hidden.
        guard case let .collinear(estimates)? = s.initialMagneticMoments else { return XCTFail() }
        let changed = (0..<s.atomCount).filter { abs(estimates[$0]) >= 0.3 && (moments[$0] * estimates[$0] < 0 || abs(moments[$0]) < 0.3) }
        XCTAssertEqual(p.flippedAtoms, changed)
        XCTAssertEqual(r.diagnostics[2], Double(changed.count))
        for i in 0..<s.atomCount {
            XCTAssertEqual(state[i].x, 0)
            XCTAssertEqual(state[i].y, 0)
            XCTAssertEqual(moments[i], state[i].z, accuracy: 1e-9, "m* = S(R, m*)")
        }
        let total = r.forces!.reduce(Vector3.zero, +)
        XCTAssertLessThan(total.norm, 1e-10, "ΣF = 0")
        XCTAssertEqual(r.atomicEnergies!.reduce(0, +), r.energy, accuracy: 1e-10)
    }
}

final class ShippedModelTests: XCTestCase {
    var inputs: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("inputs") }

    func testShippedModelMatchesItsConfiguration() throws {
        let config = try ModelConfiguration(input: ConfigObject.load(path: inputs.appendingPathComponent("models/nio-small.config.json").path))
        let (model, metadata) = try ModelFile.read(path: inputs.appendingPathComponent("models/nio-random.safetensors").path)
        XCTAssertEqual(model.configuration, config)
        XCTAssertEqual(metadata["provenance.seed"], "1")
        // Writing and reading back keeps every weight bit for bit.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).safetensors").path
        try ModelFile.write(model, to: path)
        XCTAssertEqual(try ModelFile.read(path: path).model.weights, model.weights)
        try? FileManager.default.removeItem(atPath: path)
    }
}

final class VectorSpinTests: XCTestCase {
    /// Non-collinear input: moments along x on the two Ni sublattices (fixed spins; with this
    /// random model the non-collinear self-consistent iteration does not settle). Their forces
    /// are checked in the conformance battery.
    func testVectorMomentsGiveVectorSpins() throws {
        var s = try TestModels.nio()
        s.initialMagneticMoments = .vector([Vector3(2, 0, 0), Vector3(-2, 0.3, 0), .zero, .zero])
        let fixed = SpinMultiNetPotential(model: try TestModels.model(), mode: .fixed)
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: fixed.cutoff, kind: .full)
        let r = try fixed.evaluate(s, neighbors: list, request: .all)
        guard case let .vector(m)? = r.magneticMoments else { return XCTFail("vector in, vector out") }
        XCTAssertEqual(m.count, 4)
        XCTAssertGreaterThan(abs(m[0].y) + abs(m[0].z), 1e-6, "non-collinear output is not projected on an axis")
    }
}

final class ParallelModelTests: XCTestCase {
    func testTwoThreadsAgreeWithOneAndAreReproducible() throws {
        let s = try TestModels.nio(repeats: 2)
        func evaluate(threads: Int) throws -> PotentialResult {
            let model = try TestModels.magneticModel()
            model.executor = ParallelExecutor(threads: threads)
            let p = SpinMultiNetPotential(model: model, mode: .selfConsistent(tolerance: 1e-10, adjointTolerance: 1e-10, maxIterations: 3000, mixing: 0.3))
            let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: p.cutoff, kind: .full)
            XCTAssertEqual(model.pairChunks(model.geometry(ModelGraph(system: s, neighbors: list, cutoff: p.cutoff, speciesIndex: s.species.map { model.speciesIndex($0)! }))).count, threads)
            return try p.evaluate(s, neighbors: list, request: .all)
        }
        let one = try evaluate(threads: 1), two = try evaluate(threads: 2), again = try evaluate(threads: 2)
        XCTAssertEqual(two.energy, again.energy)
        XCTAssertEqual(two.forces!, again.forces!, "bitwise reproducible for a given thread count")
        XCTAssertEqual(one.energy, two.energy, accuracy: 1e-9)
        for i in 0..<s.atomCount { XCTAssertLessThan((one.forces![i] - two.forces![i]).norm, 1e-8) }
    }
}

final class PrecisionTests: XCTestCase {
    /// Mixed precision (radial MLPs in Float) against Double: energies agree to 1e-6 relative,
    /// forces to 1e-4 of their largest component (the documented tolerance).
    func testMixedPrecisionAgreesWithDouble() throws {
        let s = try TestModels.nio(repeats: 2)
        func evaluate(_ precision: Precision) throws -> PotentialResult {
            let model = try TestModels.model()
            model.precision = precision
            let p = SpinMultiNetPotential(model: model, mode: .fixed)
            let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: p.cutoff, kind: .full)
            return try p.evaluate(s, neighbors: list, request: .all)
        }
        let d = try evaluate(.double), f = try evaluate(.mixed)
        XCTAssertNotEqual(d.energy, f.energy, "mixed precision really ran in Float")
        XCTAssertEqual(f.energy, d.energy, accuracy: 1e-6 * abs(d.energy))
        let scale = d.forces!.map { max(abs($0.x), abs($0.y), abs($0.z)) }.max()!
        for i in 0..<s.atomCount { XCTAssertLessThan((f.forces![i] - d.forces![i]).norm, 1e-4 * scale) }
        print("PRECISION energy difference \(abs(f.energy - d.energy)) eV of \(abs(d.energy)); max force difference \(zip(f.forces!, d.forces!).map { ($0 - $1).norm }.max()!) eV/Å of \(scale)")
    }
}
