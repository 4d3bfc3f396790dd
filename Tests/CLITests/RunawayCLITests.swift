import Foundation
import XCTest
import SpinMD
import SpinMDCore

/// Issue 24, classes 1, 2 and 7 (convert): a blown-up run fails with exit 1 and keeps its last
/// good outputs, no output holds NaN, absurd lengths are refused, convert writes only what it can.
final class RunawayCLITests: CLITestCase {
    func outputs() throws -> [String] {
        let dir = workDirectory.appendingPathComponent("out")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path)
    }

    func assertNoNaN(file: StaticString = #filePath, line: UInt = #line) throws {
        for name in try outputs() where !name.hasSuffix(".nc") && !name.hasSuffix(".spinmd") && !name.hasPrefix(".") {
            let text = read("out/" + name) ?? ""
            XCTAssertFalse(text.lowercased().contains("nan") || text.contains("inf"), "\(name) holds a non-finite value", file: file, line: line)
        }
    }

    func testRunawayTimestepStopsWithExitOneAndKeepsLastGoodFrame() throws {
        try write("input.json", argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": 200, "steps": 50, "initial_temperature_K": 30}"#,
                                           extra: "").replacingOccurrences(of: #""thermo": {"every": 5}"#,
                                           with: #""thermo": {"every": 1}, "trajectory": {"file": "traj.extxyz", "every": 1}, "checkpoint": {"every": 1}"#))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let match = r.stderr.range(of: #"blew up at step (\d+)"#, options: .regularExpression)
        XCTAssertNotNil(match, r.stderr)
        let step = Int(r.stderr[match!].split(separator: " ").last!)!
        XCTAssertLessThanOrEqual(step, 5, "caught within a few steps")
        XCTAssertTrue(r.stderr.contains("md.runaway"), "names the key: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("(Ar)"), "names the worst atom: \(r.stderr)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
        // The last line of the log and the last frame are the step before.
        let thermo = read("out/thermo.tsv")!.split(separator: "\n")
        XCTAssertEqual(thermo.last!.split(separator: "\t").first.map(String.init), "\(step - 1)")
        let traj = read("out/traj.extxyz")!
        XCTAssertTrue(traj.contains("step=\(step - 1) "), "last good frame kept")
        XCTAssertFalse(traj.contains("step=\(step) "), "nothing of the bad step")
        XCTAssertNil(read("out/final.extxyz"), "no final structure of a failed run")
        try assertNoNaN()
        // No checkpoint of the bad step (the first was due at step 1).
        if step == 1 { XCTAssertNil(read("out/checkpoint.spinmd")) }
    }

    /// Issue 24's first case: the shipped model at 200 fs. NaN positions used to leave every atom
    /// without neighbours, so the model returned a finite isolated-atom energy and the run
    /// "completed". Now it stops, and the checkpoint and trajectory end at the last good step.
    func testShippedModelRunawayStopsAndKeepsLastGoodCheckpoint() throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../inputs/models/tmo-pbeu.safetensors").standardized.path
        // 200 fs blows up at step 1, 20 fs at step 2 (after a checkpoint of step 1).
        for timestep in [200, 20] {
            let dir = "out\(timestep)"
            try write("input.json", """
                {
                  "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.17, "repeat": [2, 2, 2]},
                  "initial_magmoms": {"ordering": "afm2", "moments_uB": {"Ni": 2.0}},
                  "potential": {"type": "spinmultinet", "model": "\(model)", "spins": "self-consistent", "members": [1]},
                  "task": "md",
                  "md": {"ensemble": "nve", "timestep_fs": \(timestep), "steps": 50, "initial_temperature_K": 300, "seed": 1},
                  "output": {"directory": "\(dir)", "thermo": {"every": 1}, "checkpoint": {"every": 1},
                             "trajectory": {"file": "traj.nc", "every": 1, "velocities": true}}
                }
                """)
            let r = try spinmd(["run", "input.json", "--quiet", "--threads", "1"])
            XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
            XCTAssertFalse(r.stdout.contains("completed"), r.stdout)
            let match = try XCTUnwrap(r.stderr.range(of: #"blew up at step (\d+)"#, options: .regularExpression), r.stderr)
            let step = Int(r.stderr[match].split(separator: " ").last!)!
            let thermo = read("\(dir)/thermo.tsv")!.split(separator: "\n")
            XCTAssertEqual(thermo.last!.split(separator: "\t").first.map(String.init), "\(step - 1)")
            let frames = try AmberTrajectoryReader(path: workDirectory.appendingPathComponent("\(dir)/traj.nc").path)
            XCTAssertEqual(frames.frameCount, step, "frames 0 … step−1, nothing of the bad step")
            for k in 0..<frames.frameCount {
                XCTAssertTrue(try frames.frame(k).positions.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
            }
            if timestep == 20 {
                XCTAssertGreaterThan(step, 1)
                let ck = try Checkpoint.read(path: workDirectory.appendingPathComponent("\(dir)/checkpoint.spinmd").path)
                XCTAssertEqual(ck.step, step - 1, "the last good step's checkpoint is kept")
            }
        }
    }

    func testHealthyHotNVTDoesNotTriggerRunawayCheck() throws {
        let md = #""md": {"ensemble": "nvt", "timestep_fs": 2, "steps": 300, "thermostat": {"temperature_K": 3000, "tdamp_fs": 100}}"#
        try write("input.json", argonInput(md: md))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Status: completed"))
        try assertNoNaN()
    }

    func testRunawayLimitsAreConfigurable() throws {
        // A tight displacement limit stops an otherwise healthy run, naming the key and the value.
        let md = #""md": {"ensemble": "nve", "timestep_fs": 4, "steps": 20, "initial_temperature_K": 30, "runaway": {"max_displacement_A": 0.001}}"#
        try write("input.json", argonInput(md: md))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("md.runaway.max_displacement_A = 0.001"), r.stderr)
        try assertFails(argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": 4, "steps": 20, "runaway": {"temperature_factor": 0.5}}"#),
                        "key 'md.runaway.temperature_factor': expected a number ≥ 1")
    }

    func testAbsurdLengthsAreRefusedInTheInput() throws {
        try assertFails(argonInput().replacingOccurrences(of: #""cutoff_A": 8.0"#, with: #""cutoff_A": 1e6"#),
                        "key 'potential.cutoff_A': expected a positive number ≤ 40.0 (Å), got 1000000.0")
        try assertFails(argonInput().replacingOccurrences(of: #""cutoff_A": 8.0"#, with: #""cutoff_A": 1e308"#), "key 'potential.cutoff_A'")
        try assertFails(argonInput(extra: "\n  \"neighbor\": {\"skin_A\": 1000},"), "key 'neighbor.skin_A': expected a number in [0.0, 10.0]")
        try assertFails(argonInput(extra: "\n  \"min_distance_A\": 1e9,"), "key 'min_distance_A': expected a number in [0.0, 10.0]")
    }

    func testZeroMassNeverReachesTheIntegrator() throws {
        try write("s.extxyz", """
        2
        Lattice="6 0 0 0 6 0 0 0 6" Properties=species:S:1:pos:R:3:masses:R:1 pbc="T T T"
        Ar 0 0 0 0
        Ar 3 3 3 39.95
        """)
        try write("input.json", argonInput(structure: #""structure": {"file": "s.extxyz"}"#))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("mass"), r.stderr)
        try? assertNoNaN()
    }

    /// A short argon run whose NetCDF trajectory has forces but no per-atom energies.
    func makeTrajectory() throws {
        try write("input.json", argonInput().replacingOccurrences(of: #""thermo": {"every": 5}"#,
                                                                  with: #""trajectory": {"file": "traj.nc", "every": 5, "forces": true}"#))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
    }

    func testConvertOmitsMissingEnergy() throws {
        try makeTrajectory()
        let r = try spinmd(["trajectory", "convert", "out/traj.nc", "frames.extxyz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = read("frames.extxyz")!
        XCTAssertTrue(text.contains("forces:R:3"))
        XCTAssertFalse(text.contains("energy="), "unknown energy omitted")
        XCTAssertFalse(text.lowercased().contains("nan"))
    }

    func testConvertRefusesUnknownExtension() throws {
        try makeTrajectory()
        for name in ["frames.pdb", "frames.dcd", "frames.lammpstrj", "frames"] {
            let r = try spinmd(["trajectory", "convert", "out/traj.nc", name])
            XCTAssertEqual(r.status, 1, name)
            XCTAssertTrue(r.stderr.contains(".extxyz") && r.stderr.contains(".nc") && r.stderr.contains(name), r.stderr)
            XCTAssertNil(read(name), "nothing written under \(name)")
        }
    }
}
