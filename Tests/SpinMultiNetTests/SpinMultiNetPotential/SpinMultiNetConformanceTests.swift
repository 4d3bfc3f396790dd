import XCTest
import SpinMD
import PotentialConformance
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential

/// SpinMultiNet through the conformance battery (docs/architecture.md, "Conformance battery"):
/// fixed and self-consistent spins, one model and a committee, collinear and canted moments,
/// small random models and the shipped one.
final class SpinMultiNetConformanceTests: XCTestCase {
    let tight = SpinMode.selfConsistent(tolerance: 1e-13, adjointTolerance: 1e-13, maxIterations: 5000, mixing: 0.3)

    /// Rattled AFM-II NiO (4 atoms) with collinear moments, and the same cell with the two Ni
    /// moments canted 120° apart (non-collinear vectors; O at zero).
    func systems() throws -> [AtomicSystem] {
        let collinear = try TestModels.nio()
        var canted = collinear
        canted.initialMagneticMoments = .vector([Vector3(2, 0, 0), Vector3(-1, 1.7, 0.2), .zero, .zero])
        return [collinear, canted]
    }

    /// A potential on `threads` threads over fresh copies of `members()` (the battery holds
    /// potentials with different thread counts at once, and the executor lives on the models).
    func potential(_ members: @escaping () throws -> [SpinMultiNetModel], _ mode: SpinMode) -> (Int) throws -> any Potential {
        { threads in
            let committee = try SpinMultiNetCommittee(members: try members())
            committee.executor = ParallelExecutor(threads: threads)
            return SpinMultiNetPotential(committee: committee, mode: mode)
        }
    }

    func assertConforms(_ battery: PotentialConformance, file: StaticString = #filePath, line: UInt = #line) {
        let report = battery.run()
        XCTAssertTrue(report.failures.isEmpty, "\(report)", file: file, line: line)
        XCTAssertFalse(report.passed.isEmpty, file: file, line: line)
    }

    func testFixedSpinModelConforms() throws {
        assertConforms(PotentialConformance(makePotential: potential({ [try TestModels.model()] }, .fixed), systems: try systems()))
    }

    func testFixedSpinCommitteeConforms() throws {
        assertConforms(PotentialConformance(makePotential: potential({ [try TestModels.model(seed: 1), try TestModels.model(seed: 2)] }, .fixed),
                                            systems: try systems()))
    }

    func testSelfConsistentModelConforms() throws {
        assertConforms(PotentialConformance(makePotential: potential({ [try TestModels.magneticModel()] }, tight), systems: try systems(),
                                            tolerances: .iterative))
    }

    func testSelfConsistentCommitteeConforms() throws {
        assertConforms(PotentialConformance(makePotential: potential({ [try TestModels.magneticModel(seed: 1), try TestModels.magneticModel(seed: 4)] }, tight),
                                            systems: try systems(), tolerances: .iterative))
    }

    /// The shipped three-member committee (inputs/models/tmo-pbeu.safetensors) with fixed spins.
    func testShippedModelConforms() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("inputs/models/tmo-pbeu.safetensors").path
        assertConforms(PotentialConformance(makePotential: potential({ try ModelFile.readCommittee(path: path).committee.members }, .fixed),
                                            systems: try systems()))
    }

    /// The shipped committee with self-consistent spins.
    func testShippedModelWithSelfConsistentSpinsConforms() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("inputs/models/tmo-pbeu.safetensors").path
        assertConforms(PotentialConformance(makePotential: potential({ try ModelFile.readCommittee(path: path).committee.members }, tight),
                                            systems: try systems(), tolerances: .iterative))
    }
}
