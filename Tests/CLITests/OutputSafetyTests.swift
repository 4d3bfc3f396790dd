import Foundation
import XCTest
import SpinMD
import SpinMDCore

/// Issue 24, outputs: colliding names, the output directory's lock, failed inputs that must not
/// touch earlier outputs, stale temporary files and checkpoint validation.
final class OutputSafetyTests: CLITestCase {
    func longInput(directory: String = "out") -> String {
        argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": 4, "steps": 1000000, "initial_temperature_K": 30}"#)
            .replacingOccurrences(of: "\"directory\": \"out\"", with: "\"directory\": \"\(directory)\"")
    }

    func testCollidingOutputNamesAreRefused() throws {
        try assertFails(argonInput().replacingOccurrences(of: "\"thermo\": {\"every\": 5}", with: "\"thermo\": {\"every\": 5}, \"checkpoint\": {\"file\": \"sub/../thermo.tsv\"}"),
                        "key 'output.checkpoint.file': 'sub/../thermo.tsv' names the same file")
        let absolute = workDirectory.appendingPathComponent("out/final.extxyz").path
        try assertFails(argonInput().replacingOccurrences(of: "\"thermo\": {\"every\": 5}", with: "\"thermo\": {\"every\": 5, \"file\": \"\(absolute)\"}"),
                        "key 'output.final_structure': 'final.extxyz' names the same file")
        XCTAssertTrue(try spinmd(["run", "input.json", "--quiet"]).stderr.contains("as 'output.thermo.file'"))
        // The NetCDF trajectory's PDB topology (traj.nc → traj.pdb) is an output too.
        try assertFails(argonInput().replacingOccurrences(of: "\"thermo\": {\"every\": 5}", with: "\"thermo\": {\"every\": 5}, \"final_structure\": \"traj.pdb\", \"trajectory\": {\"file\": \"traj.nc\"}"),
                        "key 'output.trajectory.file': its PDB topology 'traj.pdb' names the same file (\(workDirectory.appendingPathComponent("out/traj.pdb").path)) as 'output.final_structure'")
    }

    func testSecondRunIntoLockedDirectoryIsRefused() throws {
        try write("input.json", longInput())
        func start() throws -> (Process, Pipe) {
            let p = Process(), err = Pipe()
            p.executableURL = executable
            p.arguments = ["run", "input.json", "--quiet"]
            p.currentDirectoryURL = workDirectory
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            return (p, err)
        }
        let (a, ea) = try start(), (b, eb) = try start()
        let deadline = Date().addingTimeInterval(60)
        while a.isRunning && b.isRunning && Date() < deadline { usleep(20_000) }
        let (loser, winner, message) = a.isRunning ? (b, a, eb) : (a, b, ea)
        XCTAssertFalse(loser.isRunning)
        XCTAssertEqual(loser.terminationStatus, 1)
        let text = String(decoding: message.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(text.contains("is in use by another spinmd run (pid \(winner.processIdentifier)"), text)
        XCTAssertTrue(text.contains("started"), text)
        // SIGKILL leaves the lock file behind, but it blocks nobody.
        kill(winner.processIdentifier, SIGKILL)
        winner.waitUntilExit()
        try write("short.json", argonInput())
        let r = try spinmd(["run", "short.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testFailedInputLeavesPreviousOutputsByteIdentical() throws {
        try write("input.json", argonInput())
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: workDirectory.appendingPathComponent("out").path).sorted()
            .map { ($0, read("out/" + $0)) }
        try write("overlap.extxyz", "2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nAr 0 0 0\nAr 0.2 0 0\n")
        try write("bad.json", argonInput(structure: #""structure": {"file": "overlap.extxyz"}"#))
        XCTAssertEqual(try spinmd(["run", "bad.json", "--quiet"]).status, 1)
        for (name, text) in before { XCTAssertEqual(read("out/" + name), text, name) }
    }

    func testStaleCheckpointTempFilesAreRemoved() throws {
        try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent("out"), withIntermediateDirectories: true)
        try write("out/.checkpoint.spinmd.tmp-99999", "half")
        try write("out/.mine.tmp-1", "not ours")
        try write("input.json", argonInput())
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        XCTAssertNil(read("out/.checkpoint.spinmd.tmp-99999"))
        XCTAssertEqual(read("out/.mine.tmp-1"), "not ours")
    }

    func testZeroMassCheckpointIsRefused() throws {
        try write("input.json", argonInput())
        XCTAssertEqual(try spinmd(["run", "input.json", "--quiet"]).status, 0)
        let path = workDirectory.appendingPathComponent("out/checkpoint.spinmd").path
        var ck = try Checkpoint.read(path: path)
        ck.system.masses[3] = 0
        try ck.write(to: path)
        let r = try spinmd(["run", "input.json", "--quiet", "--resume"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("checkpoint.spinmd: not a valid spinmd checkpoint: field 'masses': atom 4 has mass 0"), r.stderr)
    }
}
