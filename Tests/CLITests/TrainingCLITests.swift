import Foundation
import XCTest
import SpinMD
import SpinMultiNet
import SpinMDCore
import SpinMultiNetPotential
import SpinMultiNetTraining

/// `spinmd train` and `spinmd eval` from the command line: outputs, provenance, resume and the
/// messages for bad data.
final class TrainingCLITests: CLITestCase {
    /// Rattled 4-atom AFM-II NiO cells labelled by a random model (energy, forces, stress, magmoms).
    func writeData(_ name: String, count: Int, seed: UInt64 = 1) throws {
        var c = ModelConfiguration(species: [28, 8], referenceEnergies: [-5, -4])
        c.cutoff = 4.0; c.channels = 4; c.hidden = 8
        let teacher = try SpinMultiNetModel(configuration: c, seed: 3)
        let potential = SpinMultiNetPotential(model: teacher, mode: .fixed)
        var g = SeededGenerator(seed: seed)
        let a = 4.17, h = a / 2
        let cell = try Cell(matrix: Matrix3(rows: Vector3(a, h, h), Vector3(h, a, h), Vector3(h, h, a)))
        let ni = Element(symbol: "Ni")!, o = Element(symbol: "O")!
        var text = ""
        for k in 0..<count {
            let base = [Vector3.zero, Vector3(3 * h, 3 * h, 3 * h), Vector3(a, a, a), Vector3(h, h, h)]
            let s = AtomicSystem(species: [ni, o, ni, o], positions: base.map { $0 + 0.08 * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) },
                                 cell: cell, initialMagneticMoments: .collinear([2, 0, -2, 0]))
            let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: c.cutoff, kind: .full)
            let r = try potential.evaluate(s, neighbors: list, request: [.energy, .forces, .virial, .magneticMoments])
            text += ExtendedXYZ.format(s, result: r, extra: [("order", k % 3 == 0 ? "fm" : "afm2")])
        }
        try write(name, text)
    }

    func trainingConfig(epochs: Int = 3, data: String = "data.extxyz", extra: String = "") -> String {
        """
        {
          "data": {"train": "\(data)", "validation_fraction": 0.2, "test_fraction": 0.2},
          "model": {"species": ["Ni", "O"], "cutoff_A": 4.0, "channels": 4, "layers": 1, "hidden": 8},
          "epochs": \(epochs), "batch_size": 2\(extra),
          "output": {"directory": "trained"}
        }
        """
    }

    func testTrainEvaluateInspectAndResume() throws {
        try writeData("data.extxyz", count: 10)
        try write("train.json", trainingConfig())
        let r = try spinmd(["train", "train.json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("frames: train 6, validation 2, test 2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("best model:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("test "), r.stdout)
        XCTAssertEqual(read("trained/metrics.tsv")?.split(separator: "\n").count, 4)
        let inspect = try spinmd(["model", "inspect", "trained/model.safetensors"])
        XCTAssertTrue(inspect.stdout.contains("created_by: spinmd train"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("sha256="), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("test_metrics:"), inspect.stdout)

        // A second training refuses to overwrite; resuming a finished one ends at once.
        let again = try spinmd(["train", "train.json"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)
        let resumed = try spinmd(["train", "train.json", "--resume", "--threads", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming after epoch 3"), resumed.stdout)

        let e = try spinmd(["eval", "trained/model.safetensors", "data.extxyz", "--csv", "frames.csv", "--plots", "plots", "--threads", "2"])
        XCTAssertEqual(e.status, 0, e.stderr)
        for heading in ["all", "by species", "Ni", "by order", "afm2", "fm"] { XCTAssertTrue(e.stdout.contains(heading), heading) }
        XCTAssertEqual(read("frames.csv")?.split(separator: "\n").count, 11)
        for name in ["energy", "forces", "moments"] {
            let png = try Data(contentsOf: workDirectory.appendingPathComponent("plots/\(name).png"))
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
        let sc = try spinmd(["eval", "trained/model.safetensors", "data.extxyz", "--spins", "self-consistent"])
        XCTAssertEqual(sc.status, 0, sc.stderr)
        XCTAssertTrue(sc.stdout.contains("spins self-consistent"), sc.stdout)

        // A committee evaluates like a model; the CSV gains the members' spread per frame.
        try write("random.json", "{\"species\": [\"Ni\", \"O\"], \"cutoff_A\": 4.0, \"channels\": 4, \"hidden\": 8}")
        XCTAssertEqual(try spinmd(["model", "init", "--config", "random.json", "--out", "random.safetensors"]).status, 0)
        XCTAssertEqual(try spinmd(["model", "committee", "trained/model.safetensors", "random.safetensors", "--out", "committee.safetensors"]).status, 0)
        let c = try spinmd(["eval", "committee.safetensors", "data.extxyz", "--csv", "committee.csv"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertTrue(c.stdout.contains("committee.safetensors (committee of 2 models) on data.extxyz: 10 frames"), c.stdout)
        let rows = read("committee.csv")!.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows[0].suffix(2), ["committee_energy_std_eV_per_atom", "committee_force_std_max_eV_per_A"])
        XCTAssertEqual(rows.count, 11)
        XCTAssertTrue(rows.dropFirst().allSatisfy { Double($0.last!)! > 0 }, "\(rows)")
        XCTAssertEqual(read("frames.csv")?.split(separator: "\n").first?.hasSuffix("stress_mae_GPa"), true, "a single model adds no columns with fixed spins")
    }

    /// `--predictions` holds exactly what the potential computes, and `--members` picks members.
    func testPredictionsAreExactAndMembersSelectACommitteeMember() throws {
        try writeData("data.extxyz", count: 3)
        try write("random.json", "{\"species\": [\"Ni\", \"O\"], \"cutoff_A\": 4.0, \"channels\": 4, \"hidden\": 8}")
        for seed in ["1", "2"] {
            XCTAssertEqual(try spinmd(["model", "init", "--config", "random.json", "--out", "m\(seed).safetensors", "--seed", seed]).status, 0)
        }
        XCTAssertEqual(try spinmd(["model", "committee", "m1.safetensors", "m2.safetensors", "--out", "c.safetensors"]).status, 0)
        let e = try spinmd(["eval", "c.safetensors", "data.extxyz", "--members", "2", "--spins", "self-consistent", "--predictions", "p.extxyz"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let predicted = try ExtendedXYZ.read(path: workDirectory.appendingPathComponent("p.extxyz").path)
        let frames = try ExtendedXYZ.read(path: workDirectory.appendingPathComponent("data.extxyz").path)
        XCTAssertEqual(predicted.count, 3)
        let model = try ModelFile.read(path: workDirectory.appendingPathComponent("m2.safetensors").path).model
        for (f, p) in zip(frames, predicted) {
            let potential = SpinMultiNetPotential(model: model)
            let list = CellListBuilder().build(positions: f.system.positions, cell: f.system.cell, radius: model.configuration.cutoff, kind: .full)
            let r = try potential.evaluate(f.system, neighbors: list, request: [.energy, .forces, .virial, .magneticMoments])
            XCTAssertEqual(Double(p.info["energy"]!), r.energy)
            XCTAssertEqual(p.arrays["forces"]!.map { Vector3($0[0], $0[1], $0[2]) }, r.forces!)
            XCTAssertEqual(p.arrays["magmoms"]!.map { $0[0] }, r.magneticMoments!.vectors().map(\.z))
            XCTAssertEqual(p.system.positions, f.system.positions)
            XCTAssertNotNil(p.info["spin_iterations"])
        }
        let wrong = try spinmd(["eval", "c.safetensors", "data.extxyz", "--members", "3"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("--members: expected distinct member numbers from 1 to 2"), wrong.stderr)
    }

    /// Labels under other names (`REF_energy`, `REF_forces`, as MACE's tools write them) are read
    /// with the key options; a key that a frame lacks is an error naming it.
    func testLabelKeysReadOtherToolsNames() throws {
        try writeData("data.extxyz", count: 4)
        let original = read("data.extxyz")!
        let renamed = original.replacingOccurrences(of: " energy=", with: " REF_energy=")
            .replacingOccurrences(of: ":forces:R:3", with: ":REF_forces:R:3")
            .replacingOccurrences(of: " stress=", with: " REF_stress=")
        XCTAssertNotEqual(original, renamed)
        try write("ref.extxyz", renamed)
        try write("random.json", "{\"species\": [\"Ni\", \"O\"], \"cutoff_A\": 4.0, \"channels\": 4, \"hidden\": 8}")
        XCTAssertEqual(try spinmd(["model", "init", "--config", "random.json", "--out", "m.safetensors"]).status, 0)
        let plain = try spinmd(["eval", "m.safetensors", "data.extxyz", "--csv", "plain.csv", "--quiet"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let keyed = try spinmd(["eval", "m.safetensors", "ref.extxyz", "--energy-key", "REF_energy", "--forces-key", "REF_forces",
                                "--stress-key", "REF_stress", "--csv", "keyed.csv", "--quiet"])
        XCTAssertEqual(keyed.status, 0, keyed.stderr)
        func table(_ text: String) -> String {
            text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("per-frame") }.joined(separator: "\n")
        }
        XCTAssertEqual(table(keyed.stdout), table(plain.stdout), "the same errors under the other names")
        XCTAssertEqual(read("keyed.csv")?.replacingOccurrences(of: "ref.extxyz", with: "data.extxyz"), read("plain.csv"))
        XCTAssertTrue(read("plain.csv")!.split(separator: "\n")[1].split(separator: ",").count > 5)
        let wrong = try spinmd(["eval", "m.safetensors", "ref.extxyz", "--energy-key", "dft_energy"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("no comment-line key 'dft_energy'") && wrong.stderr.contains("ref.extxyz:"), wrong.stderr)
        let config = trainingConfig(epochs: 1, data: "ref.extxyz").replacingOccurrences(of: "\"test_fraction\": 0.2}", with: "\"test_fraction\": 0.2, \"energy_key\": \"REF_energy\", \"forces_key\": \"REF_forces\"}")
        XCTAssertTrue(config.contains("REF_forces"))
        try write("keyed.json", config)
        let trained = try spinmd(["train", "keyed.json"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        try write("misspelt.json", config.replacingOccurrences(of: "REF_forces", with: "REF_force")
            .replacingOccurrences(of: "\"directory\": \"trained\"", with: "\"directory\": \"misspelt\""))
        let misspelt = try spinmd(["train", "misspelt.json"])
        XCTAssertEqual(misspelt.status, 1)
        XCTAssertTrue(misspelt.stderr.contains("no column 'REF_force'"), misspelt.stderr)
    }

    func testSeedOptionTrainsACommitteeMemberBesideTheFirst() throws {
        try writeData("data.extxyz", count: 10)
        try write("train.json", trainingConfig(epochs: 2))
        XCTAssertEqual(try spinmd(["train", "train.json", "--quiet"]).status, 0)
        let r = try spinmd(["train", "train.json", "--quiet", "--seed", "7"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("trained-seed7/model.safetensors"), r.stdout)
        XCTAssertTrue(try spinmd(["model", "inspect", "trained-seed7/model.safetensors"]).stdout.contains("\nseed: 7\n"))
        XCTAssertNotEqual(read("trained/metrics.tsv"), read("trained-seed7/metrics.tsv"), "another seed, another training")
        let c = try spinmd(["model", "committee", "trained/model.safetensors", "trained-seed7/model.safetensors", "--out", "committee.safetensors"])
        XCTAssertEqual(c.status, 0, c.stderr)
    }

    func testMemberOptionFineTunesOneMemberOfACommittee() throws {
        try writeData("data.extxyz", count: 10)
        try write("train.json", trainingConfig(epochs: 2))
        XCTAssertEqual(try spinmd(["train", "train.json", "--quiet"]).status, 0)
        XCTAssertEqual(try spinmd(["train", "train.json", "--quiet", "--seed", "2"]).status, 0)
        XCTAssertEqual(try spinmd(["model", "committee", "trained/model.safetensors", "trained-seed2/model.safetensors", "--out", "committee.safetensors"]).status, 0)
        // A learning rate so small that the fine-tuned weights stay the start's to round-off.
        let fineTune = trainingConfig(epochs: 1)
            .replacingOccurrences(of: #""model": {"species": ["Ni", "O"], "cutoff_A": 4.0, "channels": 4, "layers": 1, "hidden": 8}"#,
                                  with: #""model": "committee.safetensors", "reference_energies": "model", "optimizer": {"learning_rate": 1e-14}, "schedule": {"name": "constant", "warmup_epochs": 0, "min_learning_rate": 1e-15}"#)
            .replacingOccurrences(of: #""directory": "trained""#, with: #""directory": "tuned""#)
        try write("tune.json", fineTune)

        let whole = try spinmd(["train", "tune.json", "--quiet"])
        XCTAssertEqual(whole.status, 1)
        XCTAssertTrue(whole.stderr.contains("is a committee of 2 models; fine-tune one of them with --member K"), whole.stderr)
        let outside = try spinmd(["train", "tune.json", "--quiet", "--member", "3"])
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.stderr.contains("--member: 3 is not a member of"), outside.stderr)
        let fresh = try spinmd(["train", "train.json", "--quiet", "--member", "1", "--overwrite"])
        XCTAssertEqual(fresh.status, 1)
        XCTAssertTrue(fresh.stderr.contains("defines a new model"), fresh.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("tuned-member2").path))

        let r = try spinmd(["train", "tune.json", "--quiet", "--member", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("tuned-member2/model.safetensors"), r.stdout)
        XCTAssertTrue(try spinmd(["model", "inspect", "tuned-member2/model.safetensors"]).stdout.contains("committee.safetensors member 2 sha256="))
        func weights(_ directory: String) throws -> [String: [Double]] {
            try ModelFile.read(path: workDirectory.appendingPathComponent("\(directory)/model.safetensors").path).model.weights
        }
        let tuned = try weights("tuned-member2"), second = try weights("trained-seed2"), first = try weights("trained")
        func distance(_ a: [String: [Double]], _ b: [String: [Double]]) -> Double {
            a.reduce(0) { d, entry in zip(entry.value, b[entry.key]!).reduce(d) { max($0, abs($1.0 - $1.1)) } }
        }
        XCTAssertLessThan(distance(tuned, second), 1e-9, "member 2 is the start")
        XCTAssertGreaterThan(distance(tuned, first), 1e-3)
    }

    func assertTrainingFails(_ config: String, data: String? = nil, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if let data { try write("data.extxyz", data) }
        try write("train.json", config)
        let r = try spinmd(["train", "train.json", "--quiet"])
        XCTAssertEqual(r.status, 1, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(message), "expected '\(message)' in: \(r.stderr)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("trained/model.safetensors").path), file: file, line: line)
    }

    func testBadDataAndConfigurationsAreClearErrors() throws {
        try writeData("data.extxyz", count: 10)
        let good = read("data.extxyz")!
        try assertTrainingFails(trainingConfig(extra: ", \"epoch\": 3"), "did you mean 'epochs'?")
        try assertTrainingFails(trainingConfig(data: "missing.extxyz"), "data file")
        try assertTrainingFails(trainingConfig().replacingOccurrences(of: "\"validation_fraction\": 0.2", with: "\"validation_fraction\": 0.01"),
                                "the validation set is empty")
        let iron = good.replacingOccurrences(of: "\nNi ", with: "\nFe ")
        try assertTrainingFails(trainingConfig(), data: iron, "element Fe is not among the model's species (Ni, O)")
        let nan = good.replacingOccurrences(of: " energy=", with: " energy=nan energy_was=")
        try assertTrainingFails(trainingConfig(), data: nan, "'energy' is nan")
        // Without initial_magmoms the message says how to give per-element defaults.
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (k, l) in lines.enumerated() where l.hasPrefix("Lattice") {
            lines[k] = l.replacingOccurrences(of: ":initial_magmoms:R:1", with: "")
            for a in 1...4 {
                var w = lines[k + a].split(separator: " ").map(String.init)
                w.remove(at: 4)
                lines[k + a] = w.joined(separator: " ")
            }
        }
        let noInitial = lines.joined(separator: "\n")
        try assertTrainingFails(trainingConfig(), data: noInitial, "key 'data.initial_magmoms'")
        try write("data.extxyz", noInitial)
        try write("train.json", trainingConfig().replacingOccurrences(of: "\"test_fraction\": 0.2", with: "\"test_fraction\": 0.2, \"initial_magmoms\": {\"Ni\": 2, \"O\": 0}"))
        XCTAssertEqual(try spinmd(["train", "train.json", "--quiet"]).status, 0)
    }
}
