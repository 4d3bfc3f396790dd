import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

/// A committee is the mean of its members: as a potential (energies, forces, moments, their
/// derivatives with self-consistent spins), and as a file.
final class CommitteeTests: XCTestCase {
    func evaluate(_ p: SpinMultiNetPotential, _ s: AtomicSystem) throws -> PotentialResult {
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: p.cutoff, kind: .full)
        return try p.evaluate(s, neighbors: list, request: .all)
    }

    func testFixedSpinCommitteeIsTheMeanOfItsMembers() throws {
        let members = [try TestModels.model(seed: 1), try TestModels.model(seed: 2), try TestModels.model(seed: 5)]
        let s = try TestModels.nio(repeats: 2)
        let each = try members.map { try evaluate(SpinMultiNetPotential(model: $0, mode: .fixed), s) }
        let p = SpinMultiNetPotential(committee: try SpinMultiNetCommittee(members: members), mode: .fixed)
        let r = try evaluate(p, s)
        let k = Double(members.count)
        XCTAssertEqual(r.energy, each.map(\.energy).reduce(0, +) / k, accuracy: 1e-12)
        XCTAssertNotEqual(each[0].energy, each[1].energy, "the members really differ")
        var spread = 0.0
        for i in 0..<s.atomCount {
            let mean = (1 / k) * each.map { $0.forces![i] }.reduce(.zero, +)
            XCTAssertLessThan((r.forces![i] - mean).norm, 1e-12)
            spread = max(spread, (each.map { ($0.forces![i] - mean).normSquared }.reduce(0, +) / k).squareRoot())
            XCTAssertEqual(r.atomicEnergies![i], each.map { $0.atomicEnergies![i] }.reduce(0, +) / k, accuracy: 1e-12)
        }
        let virial = (1 / k) * each.map { $0.virial! }.reduce(.zero, +)
        XCTAssertLessThan((r.virial! - virial).maxAbs, 1e-12)
        // Diagnostics: the members' spread of energy per atom and of forces.
        XCTAssertEqual(p.diagnosticNames, ["committee_energy_std_eV_per_atom", "committee_force_std_max_eV_per_A"])
        let energies = each.map(\.energy), mean = energies.reduce(0, +) / k
        XCTAssertEqual(r.diagnostics[0], (energies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / k).squareRoot() / Double(s.atomCount), accuracy: 1e-12)
        XCTAssertEqual(r.diagnostics[1], spread, accuracy: 1e-12)
        XCTAssertGreaterThan(spread, 0)
        // Two threads: the same diagnostics every time (energies, forces and the rest are in
        // the conformance battery's threadDeterminism).
        p.committee.executor = ParallelExecutor(threads: 2)
        let concurrent = try evaluate(p, s), again = try evaluate(p, s)
        XCTAssertEqual(again.diagnostics, concurrent.diagnostics)
    }

    func testCommitteeOfOneIsTheModelBitForBit() throws {
        let model = try TestModels.magneticModel()
        let s = try TestModels.nio()
        let single = try evaluate(SpinMultiNetPotential(model: model, mode: .defaultSelfConsistent), s)
        let one = SpinMultiNetPotential(committee: try SpinMultiNetCommittee(members: [model]), mode: .defaultSelfConsistent)
        let r = try evaluate(one, s)
        XCTAssertEqual(r.energy, single.energy)
        XCTAssertEqual(r.forces!, single.forces!)
        XCTAssertEqual(one.diagnosticNames, ["spin_iterations", "adjoint_iterations", "spin_flips"])
    }

    func testSelfConsistentCommitteeForcesAreTotalDerivatives() throws {
        let members = [try TestModels.magneticModel(seed: 1), try TestModels.magneticModel(seed: 4)]
        let p = SpinMultiNetPotential(committee: try SpinMultiNetCommittee(members: members), mode: .selfConsistent(tolerance: 1e-13, adjointTolerance: 1e-13, maxIterations: 5000, mixing: 0.3))
        let s = try TestModels.nio()
        let r = try evaluate(p, s)
        guard case let .collinear(moments)? = r.magneticMoments else { return XCTFail("collinear in, collinear out") }
        XCTAssertGreaterThan(p.lastIterations.spins, 2)
        XCTAssertGreaterThan(abs(moments[0]), 0.5, "a non-trivial fixed point of the mean map")
        try TestModels.assertTotalDerivatives(p, s)
    }

    func testCommitteeFileRoundTripAndErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-committee-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let members = [try TestModels.model(seed: 1), try TestModels.model(seed: 2)]
        let path = directory + "/committee.safetensors"
        try ModelFile.write(try SpinMultiNetCommittee(members: members), to: path, provenance: ["note": "test"])
        let (read, metadata) = try ModelFile.readCommittee(path: path)
        XCTAssertEqual(read.members.map(\.weights), members.map(\.weights))
        XCTAssertEqual(metadata["committee_members"], "2")
        XCTAssertEqual(metadata["provenance.note"], "test")
        XCTAssertThrowsError(try ModelFile.read(path: path)) { error in
            XCTAssertTrue("\(error)".contains("committee of 2 models"), "\(error)")
        }
        // A single-model file reads as a committee of one.
        try ModelFile.write(members[0], to: directory + "/one.safetensors")
        XCTAssertEqual(try ModelFile.readCommittee(path: directory + "/one.safetensors").committee.members.count, 1)
        // Members must agree on species and cutoff.
        var other = members[1].configuration
        other.cutoff += 0.5
        XCTAssertThrowsError(try SpinMultiNetCommittee(members: [members[0], try SpinMultiNetModel(configuration: other, seed: 3)])) { error in
            XCTAssertTrue("\(error)".contains("committee member 2"), "\(error)")
        }
    }
}
