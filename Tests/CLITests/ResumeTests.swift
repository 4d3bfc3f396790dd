import Foundation
import XCTest
import SpinMD
import SpinMDCore
import SpinMultiNetPotential
import SpinMultiNetTraining

/// Checkpoints, --resume, signals and trajectory conversion through the real executable.
final class ResumeTests: CLITestCase {
    /// An NVT argon run writing a NetCDF trajectory, a restart and checkpoints every 50 steps.
    func nvtInput(steps: Int, directory: String = "out") -> String {
        """
        {
          "structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.3, "repeat": [3, 3, 3], "fixed_atoms": {"z_below_A": 1}},
          \(Self.argonPotential),
          "task": "md",
          "md": {"ensemble": "nvt", "timestep_fs": 5, "steps": \(steps), "initial_temperature_K": 40, "seed": 9,
                 "thermostat": {"temperature_K": 60, "tdamp_fs": 200}},
          "output": {"directory": "\(directory)", "thermo": {"every": 10},
                     "trajectory": {"file": "traj.nc", "every": 10, "velocities": true, "forces": true},
                     "restart": {"file": "restart.ncrst", "every": 50},
                     "checkpoint": {"every": 50}}
        }
        """
    }

    func lines(_ name: String) -> [Substring] { (read(name) ?? "").split(separator: "\n") }

    /// Starts spinmd in the background.
    func launch(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.currentDirectoryURL = workDirectory
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits until `condition` holds (or fails after 120 s).
    func wait(until condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(120)
        while !condition() && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(condition(), "timed out")
    }

    func frames(_ file: String) throws -> [AmberTrajectoryReader.Frame] {
        let r = try AmberTrajectoryReader(path: workDirectory.appendingPathComponent(file).path)
        return try (0..<r.frameCount).map { try r.frame($0) }
    }

    func testKilledRunResumesToTheSameTrajectoryBitForBit() throws {
        // Reference: an uninterrupted 300-step run.
        try write("reference.json", nvtInput(steps: 300, directory: "reference"))
        XCTAssertEqual(try spinmd(["run", "reference.json", "--quiet", "--threads", "2"]).status, 0)

        // The same run made long, killed with SIGKILL once it is past its second checkpoint.
        try write("long.json", nvtInput(steps: 1_000_000))
        let p = try launch(["run", "long.json", "--quiet", "--threads", "2"])
        wait { (lines("out/thermo.tsv").last.flatMap { Int($0.prefix { $0 != "\t" }) } ?? 0) >= 130 }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)

        // What the killed run left is readable, and holds at least the frames up to its checkpoint.
        let killed = try frames("out/traj.nc")
        XCTAssertGreaterThanOrEqual(killed.count, 11)
        XCTAssertEqual(try Checkpoint.read(path: workDirectory.appendingPathComponent("out/checkpoint.spinmd").path).step % 50, 0)

        // Resume with the 300-step input into the killed run's directory.
        try write("resume.json", nvtInput(steps: 300))
        let r = try spinmd(["run", "resume.json", "--quiet", "--threads", "2", "--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("resuming from step"), r.stdout)

        let a = try frames("reference/traj.nc"), b = try frames("out/traj.nc")
        XCTAssertEqual(a.count, 31)
        XCTAssertEqual(b.count, a.count, "no frame duplicated or lost")
        let fixed = a[0].positions.indices.filter { a[0].positions[$0].z < 1 }
        XCTAssertEqual(fixed.count, 18)
        for k in a.indices {
            XCTAssertEqual(fixed.map { b[k].positions[$0] }, fixed.map { a[0].positions[$0] }, "fixed atoms stay put, frame \(k)")
            XCTAssertEqual(a[k].time, b[k].time)
            XCTAssertEqual(a[k].positions, b[k].positions, "frame \(k)")
            XCTAssertEqual(a[k].velocities!, b[k].velocities!, "frame \(k)")
            XCTAssertEqual(a[k].forces!, b[k].forces!, "frame \(k)")
        }
        XCTAssertEqual(read("reference/thermo.tsv"), read("out/thermo.tsv"), "thermo logs identical, no duplicated lines")
        XCTAssertEqual(read("reference/final.extxyz"), read("out/final.extxyz"))
    }

    /// Runs 100 steps (checkpoint at 50 and 100) and returns the checkpoint's path.
    func runToCheckpoint() throws -> String {
        try write("input.json", nvtInput(steps: 100))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        return workDirectory.appendingPathComponent("out/checkpoint.spinmd").path
    }

    /// The outputs of the run, for checking that a refused resume left them alone.
    func outputs() -> [Data?] {
        ["out/thermo.tsv", "out/traj.nc", "out/traj.pdb", "out/restart.ncrst", "out/final.extxyz", "out/checkpoint.spinmd"].map {
            FileManager.default.contents(atPath: workDirectory.appendingPathComponent($0).path)
        }
    }

    func testResumeRefusesChangedTimestepAndListsIt() throws {
        _ = try runToCheckpoint()
        let before = outputs()
        let changed = nvtInput(steps: 200).replacingOccurrences(of: "\"timestep_fs\": 5", with: "\"timestep_fs\": 2")
            .replacingOccurrences(of: "\"temperature_K\": 60", with: "\"temperature_K\": 61")
        try write("input.json", changed)
        let r = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("out/checkpoint.spinmd: was written by a run with other settings"), r.stderr)
        XCTAssertTrue(r.stderr.contains("md.timestep_fs: 5.0 → 2.0"), r.stderr)
        XCTAssertTrue(r.stderr.contains("md.thermostat.temperature_K: 60.0 → 61.0"), r.stderr)
        XCTAssertEqual(outputs(), before, "a refused resume touches no output")
    }

    func testResumeAllowsMoreSteps() throws {
        _ = try runToCheckpoint()
        try write("reference.json", nvtInput(steps: 150, directory: "reference"))
        XCTAssertEqual(try spinmd(["run", "reference.json", "--quiet"]).status, 0)
        try write("input.json", nvtInput(steps: 150))
        let r = try spinmd(["run", "input.json", "--quiet", "--resume", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(read("out/thermo.tsv"), read("reference/thermo.tsv"))
        XCTAssertEqual(try frames("out/traj.nc").map(\.positions), try frames("reference/traj.nc").map(\.positions))
    }

    /// The NetCDF trajectory's PDB topology holds its first frame; --resume keeps the file (the
    /// same inode, not rewritten) and writes it again, identical, only if it was deleted.
    func testResumeKeepsTheTopology() throws {
        _ = try runToCheckpoint()
        let topology = workDirectory.appendingPathComponent("out/traj.pdb").path
        let original = try XCTUnwrap(read("out/traj.pdb"))
        let atoms = original.split(separator: "\n").filter { $0.hasPrefix("HETATM") }
        XCTAssertEqual(atoms.count, 108)
        XCTAssertTrue(atoms.allSatisfy { $0.hasSuffix("AR") })
        let first = try frames("out/traj.nc")[0].positions
        for (i, line) in atoms.enumerated() {
            let chars = Array(line)
            let r = [30, 38, 46].map { Double(String(chars[$0..<($0 + 8)]).trimmingCharacters(in: .whitespaces))! }
            XCTAssertLessThan((Vector3(r[0], r[1], r[2]) - first[i]).norm, 1e-3, "atom \(i + 1) is where the trajectory's first frame has it")
        }
        func inode() throws -> Int { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: topology)[.systemFileNumber] as? Int) }
        let before = try inode()

        try write("input.json", nvtInput(steps: 150))
        let r = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(read("out/traj.pdb"), original)
        XCTAssertEqual(try inode(), before, "not rewritten")

        try FileManager.default.removeItem(atPath: topology)
        try write("input.json", nvtInput(steps: 200))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet", "--resume"]).status, 0)
        XCTAssertEqual(read("out/traj.pdb"), original, "a missing topology is written again, the same")
    }

    /// `output.trajectory.velocity_units`: checked on input, and a run is resumed only with the
    /// units its trajectory was written in.
    func testVelocityUnits() throws {
        let ps = nvtInput(steps: 100).replacingOccurrences(of: "\"velocities\": true", with: "\"velocities\": true, \"velocity_units\": \"A/ps\"")
        try assertFails(ps.replacingOccurrences(of: "\"velocities\": true, ", with: ""),
                        "key 'output.trajectory.velocity_units': applies only with \"velocities\": true")
        try assertFails(ps.replacingOccurrences(of: "\"A/ps\"", with: "\"nm/ps\""), "key 'output.trajectory.velocity_units': expected one of 'amber', 'A/ps'")
        try assertFails(ps.replacingOccurrences(of: "traj.nc", with: "traj.extxyz").replacingOccurrences(of: "\"velocities\": true, ", with: "").replacingOccurrences(of: ", \"forces\": true", with: ""),
                        "key 'output.trajectory.velocity_units': only applies to NetCDF trajectories")
        try FileManager.default.removeItem(at: workDirectory.appendingPathComponent("out"))

        try write("input.json", ps)
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        XCTAssertEqual(try frames("out/traj.nc").count, 11)
        let before = outputs()
        try write("input.json", nvtInput(steps: 150))
        let r = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("output.trajectory.velocity_units: \"A/ps\" → absent"), r.stderr)
        XCTAssertEqual(outputs(), before, "a refused resume touches no output")
        try write("input.json", ps.replacingOccurrences(of: "\"steps\": 100", with: "\"steps\": 150"))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet", "--resume"]).status, 0)
    }

    func testExistingTopologyIsNotOverwrittenUnlessAsked() throws {
        try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent("out"), withIntermediateDirectories: true)
        try write("out/traj.pdb", "mine\n")
        try write("input.json", nvtInput(steps: 20))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("out/traj.pdb: exists; set \"overwrite\": true in output or pass --overwrite"), r.stderr)
        XCTAssertEqual(read("out/traj.pdb"), "mine\n")
        XCTAssertNil(read("out/thermo.tsv"), "nothing else written")
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet", "--overwrite"]).status, 0)
        XCTAssertTrue(try XCTUnwrap(read("out/traj.pdb")).hasPrefix("TITLE     Ar108 md with lennard-jones (input.json)\nCRYST1   15.900   15.900   15.900  90.00  90.00  90.00 P 1           1\n"))
    }

    func testEditedCheckpointIsRefused() throws {
        let path = try runToCheckpoint()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Step 100 → 500 in the header: a well-formed file that the checksum no longer matches.
        let key = Array("\"step\":100".utf8)
        let at = try XCTUnwrap((0...(bytes.count - key.count)).first { Array(bytes[$0..<($0 + key.count)]) == key })
        bytes[at + key.count - 3] = UInt8(ascii: "5")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try write("input.json", nvtInput(steps: 1000))
        let before = outputs()
        let r = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("out/checkpoint.spinmd: not a valid spinmd checkpoint: its checksum does not match"), r.stderr)
        XCTAssertEqual(outputs(), before)
    }

    func testSIGTERMStopsCleanlyWithACheckpoint() throws {
        try write("long.json", nvtInput(steps: 1_000_000))
        let p = try launch(["run", "long.json", "--quiet"])
        wait { lines("out/thermo.tsv").count > 20 }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        let ck = try Checkpoint.read(path: workDirectory.appendingPathComponent("out/checkpoint.spinmd").path)
        let lastLogged = lines("out/thermo.tsv").last.flatMap { Int($0.prefix { $0 != "\t" }) } ?? 0
        XCTAssertGreaterThanOrEqual(lastLogged, 190)
        XCTAssertGreaterThanOrEqual(ck.step, lastLogged, "written at the interruption, after the last logged step")
        XCTAssertGreaterThan(try frames("out/traj.nc").count, 19)
    }

    func testExistingOutputsAreNotOverwrittenUnlessAsked() throws {
        try write("input.json", nvtInput(steps: 20))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        let before = read("out/thermo.tsv")
        let again = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists; set \"overwrite\": true in output or pass --overwrite"), again.stderr)
        XCTAssertEqual(read("out/thermo.tsv"), before)
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet", "--overwrite"]).status, 0)
    }

    func testResumeErrors() throws {
        try write("input.json", nvtInput(steps: 20))
        let none = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no checkpoint to resume from"), none.stderr)
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        // A checkpoint of another system.
        try write("other.json", nvtInput(steps: 20).replacingOccurrences(of: "\"repeat\": [3, 3, 3]", with: "\"repeat\": [2, 2, 2]"))
        let other = try spinmd(["run", "other.json", "--quiet", "--resume"])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("holds a different system"), other.stderr)
    }

    func testTrajectoryInfoAndConvert() throws {
        try write("input.json", nvtInput(steps: 40))
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        let info = try spinmd(["trajectory", "info", "out/traj.nc"])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("frames: 5"), info.stdout)
        XCTAssertTrue(info.stdout.contains("atoms: 108  (Ar108)"), info.stdout)
        XCTAssertTrue(info.stdout.contains("time: 0 – 0.2 ps"), info.stdout)
        XCTAssertTrue(info.stdout.contains("also holds: velocities, forces"), info.stdout)
        XCTAssertTrue(try spinmd(["trajectory", "info", "out/restart.ncrst"]).stdout.contains("AMBER restart"))

        let convert = try spinmd(["trajectory", "convert", "out/traj.nc", "frames.extxyz", "--frames", "1:5:2"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let frames = try ExtendedXYZ.read(path: workDirectory.appendingPathComponent("frames.extxyz").path)
        XCTAssertEqual(frames.map { $0.info["frame"] }, ["1", "3"])
        XCTAssertEqual(frames[0].system.atomCount, 108)
        XCTAssertEqual(Double(frames[1].info["time_fs"]!)!, 150, accuracy: 1e-3)
        // And back to NetCDF.
        XCTAssertEqual(try spinmd(["trajectory", "convert", "frames.extxyz", "back.nc"]).status, 0)
        XCTAssertEqual(try AmberTrajectoryReader(path: workDirectory.appendingPathComponent("back.nc").path).frameCount, 2)
        // With its topology: the first frame's atoms, element symbols in columns 77–78.
        let atoms = try XCTUnwrap(read("back.pdb")).split(separator: "\n").filter { $0.hasPrefix("HETATM") }
        XCTAssertEqual(atoms.count, 108)
        XCTAssertTrue(atoms.allSatisfy { $0.count == 78 && $0.hasSuffix("AR") }, String(atoms[0]))
        let again = try spinmd(["trajectory", "convert", "frames.extxyz", "back.nc"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("back.nc") && again.stderr.contains("exists; pass --overwrite"), again.stderr)
        try FileManager.default.removeItem(at: workDirectory.appendingPathComponent("back.nc"))
        let topologyLeft = try spinmd(["trajectory", "convert", "frames.extxyz", "back.nc"])
        XCTAssertTrue(topologyLeft.status == 1 && topologyLeft.stderr.contains("back.pdb"), "an existing topology is not replaced silently: \(topologyLeft.stderr)")
        let bad = try spinmd(["trajectory", "convert", "out/traj.nc", "x.extxyz", "--frames", "7"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("frame 7 does not exist (the file has 5)"), bad.stderr)
        let missing = try spinmd(["trajectory", "info", "nothing.nc"])
        XCTAssertTrue(missing.stderr.contains("NetCDF file 'nothing.nc' does not exist"), missing.stderr)
    }
}
