import Foundation
import XCTest
import SpinMD
import SpinMultiNet
import SpinMDCore
import SpinMultiNetPotential
import SpinMultiNetTraining

/// SpinMultiNet from the command line: model files, runs with fixed and self-consistent spins,
/// and exact resumption with the latent spin state.
final class SpinMultiNetCLITests: CLITestCase {
    static let modelConfig = """
    {"species": ["Ni", "O"], "cutoff_A": 4.0, "channels": 4, "l_max": 1, "layers": 2, "hidden": 8,
     "average_neighbors": 12, "reference_energies_eV": {"Ni": -5.5, "O": -4.5}}
    """

    /// The 4-atom AFM-II NiO cell, rattled, with its moments.
    static let nio = """
    4
    Lattice="4.17 2.085 2.085 2.085 4.17 2.085 2.085 2.085 4.17" Properties=species:S:1:pos:R:3:initial_magmoms:R:1 pbc="T T T"
    Ni 0.02 -0.01 0.03 2.0
    Ni 4.19 4.16 4.18 -2.0
    O 2.07 2.10 2.08 0.0
    O 6.26 6.24 6.27 0.0
    """

    func input(spins: String, steps: Int, directory: String = "out") -> String {
        """
        {
          "structure": {"file": "nio.extxyz"},
          "potential": {"type": "spinmultinet", "model": "model.safetensors", "spins": "\(spins)"},
          "task": "md",
          "md": {"ensemble": "nvt", "timestep_fs": 1, "steps": \(steps), "initial_temperature_K": 300, "seed": 2,
                 "thermostat": {"temperature_K": 300, "tdamp_fs": 50}},
          "output": {"directory": "\(directory)", "thermo": {"every": 5}, "checkpoint": {"every": 10},
                     "trajectory": {"file": "traj.nc", "every": 5, "velocities": true}}
        }
        """
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try write("model.json", Self.modelConfig)
        try write("nio.extxyz", Self.nio)
        let r = try spinmd(["model", "init", "--config", "model.json", "--out", "model.safetensors", "--seed", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testModelInitAndInspect() throws {
        let r = try spinmd(["model", "inspect", "model.safetensors"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("species: Ni (E_ref -5.5 eV), O (E_ref -4.5 eV)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("hidden irreps: 0e+ 0e- 0o+ 0o- 1e+ 1e- 1o+ 1o-"), r.stdout)
        XCTAssertTrue(r.stdout.contains("seed: 3"), r.stdout)
        // Same seed, same bytes.
        XCTAssertEqual(try spinmd(["model", "init", "--config", "model.json", "--out", "again.safetensors", "--seed", "3"]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: workDirectory.appendingPathComponent("model.safetensors").path),
                       FileManager.default.contents(atPath: workDirectory.appendingPathComponent("again.safetensors").path))
    }

    func testMalformedModelFilesAreRefused() throws {
        let good = FileManager.default.contents(atPath: workDirectory.appendingPathComponent("model.safetensors").path)!
        try good.prefix(good.count - 100).write(to: workDirectory.appendingPathComponent("truncated.safetensors"))
        let t = try spinmd(["model", "inspect", "truncated.safetensors"])
        XCTAssertEqual(t.status, 1)
        XCTAssertTrue(t.stderr.contains("runs past the end of the file (truncated?)"), t.stderr)
        try write("garbage.safetensors", "this is not a model")
        XCTAssertTrue(try spinmd(["model", "inspect", "garbage.safetensors"]).stderr.contains("not a valid SpinMultiNet model file"))
        let bad = try spinmd(["model", "init", "--config", "nio.extxyz", "--out", "x.safetensors"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("invalid JSON"), bad.stderr)
        try write("typo.json", "{\"species\": [\"Ni\"], \"chanels\": 4}")
        XCTAssertTrue(try spinmd(["model", "init", "--config", "typo.json", "--out", "x.safetensors"]).stderr.contains("did you mean 'channels'?"))
    }

    func testCommitteeFromTheCommandLine() throws {
        XCTAssertEqual(try spinmd(["model", "init", "--config", "model.json", "--out", "second.safetensors", "--seed", "4"]).status, 0)
        let c = try spinmd(["model", "committee", "model.safetensors", "second.safetensors", "--out", "committee.safetensors"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertTrue(c.stdout.contains("a committee of 2 models"), c.stdout)
        let inspect = try spinmd(["model", "inspect", "committee.safetensors"])
        XCTAssertTrue(inspect.stdout.contains("committee of 2 models"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("member1.seed: 3") && inspect.stdout.contains("member2.seed: 4"), inspect.stdout)
        // A committee grows by passing it with further models; members keep their provenance.
        let grown = try spinmd(["model", "committee", "committee.safetensors", "model.safetensors", "--out", "grown.safetensors"])
        XCTAssertTrue(grown.stdout.contains("a committee of 3 models"), grown.stdout + grown.stderr)
        let grownInspect = try spinmd(["model", "inspect", "grown.safetensors"]).stdout
        for fact in ["member1.seed: 3", "member2.seed: 4", "member3.seed: 3", "member3.file: model.safetensors",
                     "member2.file: second.safetensors (member 2 of committee.safetensors)"] {
            XCTAssertTrue(grownInspect.contains(fact), fact + "\n" + grownInspect)
        }
        // `run` takes the committee file like a model and logs the members' spread.
        try write("input.json", input(spins: "self-consistent", steps: 10).replacingOccurrences(of: "model.safetensors", with: "committee.safetensors"))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = read("out/thermo.tsv")!.split(separator: "\n")
        XCTAssertTrue(lines[0].hasSuffix("spin_flips\tcommittee_energy_std_eV_per_atom\tcommittee_force_std_max_eV_per_A"), String(lines[0]))
        XCTAssertGreaterThan(Double(lines[1].split(separator: "\t").last!)!, 0)
        // "members" picks members: member 1 alone is the first model, bit for bit.
        for (name, model, members) in [("alone", "model.safetensors", ""), ("member1", "committee.safetensors", ", \"members\": [1]")] {
            try write("\(name).json", input(spins: "fixed", steps: 5, directory: name)
                .replacingOccurrences(of: "\"model.safetensors\"", with: "\"\(model)\"\(members)"))
            XCTAssertEqual(try spinmd(["run", "\(name).json", "--quiet"]).status, 0)
        }
        XCTAssertEqual(read("alone/thermo.tsv"), read("member1/thermo.tsv"))
        try write("bad.json", input(spins: "fixed", steps: 5).replacingOccurrences(of: "\"model.safetensors\"", with: "\"committee.safetensors\", \"members\": [3]"))
        let bad = try spinmd(["run", "bad.json", "--quiet"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("potential.members") && bad.stderr.contains("from 1 to 2"), bad.stderr)
        // Errors: one member only; an existing output; members of different species.
        XCTAssertTrue(try spinmd(["model", "committee", "model.safetensors", "--out", "x.safetensors"]).stderr.contains("a committee needs two or more"))
        let exists = try spinmd(["model", "committee", "model.safetensors", "second.safetensors", "--out", "committee.safetensors"])
        XCTAssertEqual(exists.status, 1)
        XCTAssertTrue(exists.stderr.contains("exists; pass --overwrite"), exists.stderr)
        try write("mno.json", Self.modelConfig.replacingOccurrences(of: "Ni", with: "Mn"))
        XCTAssertEqual(try spinmd(["model", "init", "--config", "mno.json", "--out", "mno.safetensors"]).status, 0)
        let mixed = try spinmd(["model", "committee", "model.safetensors", "mno.safetensors", "--out", "x.safetensors"])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertTrue(mixed.stderr.contains("committee member 2") && mixed.stderr.contains("species and cutoff"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("x.safetensors").path))
    }

    func testRunsWithFixedAndSelfConsistentSpins() throws {
        for spins in ["fixed", "self-consistent"] {
            try write("input.json", input(spins: spins, steps: 10, directory: spins))
            let r = try spinmd(["run", "input.json", "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let header = read("\(spins)/thermo.tsv")!.split(separator: "\n")[0]
            XCTAssertEqual(header.contains("spin_iterations\tadjoint_iterations\tspin_flips"), spins == "self-consistent", String(header))
            let frames = try AmberTrajectoryReader(path: workDirectory.appendingPathComponent("\(spins)/traj.nc").path)
            guard case let .collinear(m)? = try frames.frame(2).magneticMoments else { return XCTFail("moments per frame") }
            XCTAssertEqual(m.count, 4)
        }
    }

    func testMissingMomentsAndUnknownSpecies() throws {
        // The same cell without moments.
        let plain = Self.nio.split(separator: "\n").enumerated().map { k, line in
            k == 1 ? line.replacingOccurrences(of: ":initial_magmoms:R:1", with: "") : (k >= 2 ? line.split(separator: " ").dropLast().joined(separator: " ") : String(line))
        }.joined(separator: "\n")
        try write("plain.extxyz", plain + "\n")
        try write("input.json", input(spins: "fixed", steps: 2).replacingOccurrences(of: "nio.extxyz", with: "plain.extxyz"))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("key 'initial_magmoms': is required: the spinmultinet potential needs initial magnetic moments"), r.stderr)
        try write("mn.extxyz", Self.nio.replacingOccurrences(of: "Ni ", with: "Mn "))
        try write("input.json", input(spins: "fixed", steps: 2).replacingOccurrences(of: "nio.extxyz", with: "mn.extxyz"))
        XCTAssertTrue(try spinmd(["run", "input.json", "--quiet"]).stderr.contains("the spinmultinet potential has no parameters for element Mn"))
    }

    func testSelfConsistentRunResumesBitForBit() throws {
        try write("reference.json", input(spins: "self-consistent", steps: 30, directory: "reference"))
        XCTAssertEqual(try spinmd(["run", "reference.json", "--quiet", "--threads", "1"]).status, 0)
        // Stop after 20 steps (a shorter run), then extend it to 30 with --resume.
        try write("first.json", input(spins: "self-consistent", steps: 20))
        XCTAssertEqual(try spinmd(["run", "first.json", "--quiet", "--threads", "1"]).status, 0)
        try write("rest.json", input(spins: "self-consistent", steps: 30))
        let r = try spinmd(["run", "rest.json", "--quiet", "--threads", "1", "--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(read("reference/thermo.tsv"), read("out/thermo.tsv"))
        XCTAssertEqual(read("reference/final.extxyz"), read("out/final.extxyz"))
    }

    func testKilledSelfConsistentNVTRunResumesByteForByte() throws {
        // Every run reads "input.json" (the trajectory's title names it), so files can match byte for byte.
        let steps = 1000
        try write("input.json", input(spins: "self-consistent", steps: steps, directory: "reference"))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet", "--threads", "1"]).status, 0)

        // The same run made long, killed with SIGKILL between its third and fourth checkpoints
        // (every 10 steps), so thermo lines and frames written after the checkpoint must be cut.
        try write("input.json", input(spins: "self-consistent", steps: 1_000_000))
        let p = Process()
        p.executableURL = executable
        p.arguments = ["run", "input.json", "--quiet", "--threads", "1"]
        p.currentDirectoryURL = workDirectory
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        func lastLogged() -> Int { (read("out/thermo.tsv") ?? "").split(separator: "\n").last.flatMap { Int($0.prefix { $0 != "\t" }) } ?? 0 }
        let deadline = Date().addingTimeInterval(120)
        while lastLogged() < 35 && Date() < deadline { usleep(2_000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let killedAt = lastLogged()
        XCTAssertGreaterThanOrEqual(killedAt, 35)
        XCTAssertLessThan(killedAt, steps, "killed before the reference's end")
        let ck = try Checkpoint.read(path: workDirectory.appendingPathComponent("out/checkpoint.spinmd").path)
        XCTAssertEqual(ck.step % 10, 0)
        XCTAssertNotNil(ck.sections["potential"]?.arrays["spin_history"], "the spin predictors' history is saved")
        XCTAssertNotNil(ck.sections["integrator"]?.arrays["thermostat_velocities"], "the Nosé–Hoover chain is saved")
        XCTAssertNil(read("out/final.extxyz"))

        try write("input.json", input(spins: "self-consistent", steps: steps))
        let r = try spinmd(["run", "input.json", "--quiet", "--threads", "1", "--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for file in ["thermo.tsv", "traj.nc", "final.extxyz"] {
            let a = FileManager.default.contents(atPath: workDirectory.appendingPathComponent("reference/\(file)").path)
            let b = FileManager.default.contents(atPath: workDirectory.appendingPathComponent("out/\(file)").path)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, b, "\(file) differs from the uninterrupted run's")
        }
    }
}
