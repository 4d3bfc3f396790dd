import Foundation
import XCTest
import CLITestSupport
import SpinMDCore
import SpinMultiNetPotential
import SpinMultiNetTraining

/// Helpers to run the real `spinmd` executable in a scratch directory.
class CLITestCase: XCTestCase {
    /// The built executable, next to the test bundle.
    var executable: URL { SpinMDProcess.executable }

    var workDirectory: URL!

    override func setUpWithError() throws {
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: workDirectory) }

    struct Outcome { var status: Int32; var stdout: String; var stderr: String }

    @discardableResult
    func spinmd(_ arguments: [String]) throws -> Outcome {
        let r = try SpinMDProcess.run(arguments, in: workDirectory)
        return Outcome(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    func write(_ name: String, _ text: String) throws { try text.write(to: workDirectory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    func read(_ name: String) -> String? { try? String(contentsOf: workDirectory.appendingPathComponent(name), encoding: .utf8) }

    static let argonPotential = """
      "potential": {"type": "lennard-jones", "cutoff_A": 8.0, "truncation": "smooth", "species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}}
    """

    /// A valid small NVE input; `replacing` edits its text to make it bad.
    func argonInput(md: String = #""md": {"ensemble": "nve", "timestep_fs": 4, "steps": 20, "initial_temperature_K": 30}"#,
                    structure: String = #""structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.3, "repeat": [2, 2, 2]}"#,
                    extra: String = "") -> String {
        """
        {
          \(structure),
          \(Self.argonPotential),
          "task": "md",
          \(md),\(extra)
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 5}}
        }
        """
    }

    /// Runs `input` and expects failure with `message` on stderr, and `out/final.extxyz` untouched.
    func assertFails(_ input: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent("out"), withIntermediateDirectories: true)
        try write("out/final.extxyz", "previous result\n")
        try write("input.json", input)
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(message), "stderr '\(r.stderr)' should contain '\(message)'", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one-line message", file: file, line: line)
        XCTAssertEqual(read("out/final.extxyz"), "previous result\n", "existing output must survive", file: file, line: line)
    }

}

/// Runs the real `spinmd` executable on input files and checks exit codes, messages and files.
final class CLITests: CLITestCase {
    func testValidRunWritesLogAndFinalStructure() throws {
        try write("input.json", argonInput())
        let r = try spinmd(["run", "input.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Performance:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("atom-steps/s"))
        let log = read("out/thermo.tsv")!.split(separator: "\n")
        XCTAssertEqual(log.first, "step\ttime_ps\tpotential_eV\tkinetic_eV\ttotal_eV\tconserved_eV\ttemperature_K\tpressure_GPa\tvolume_A3")
        XCTAssertEqual(log.count, 1 + 5)  // steps 0, 5, 10, 15, 20
        XCTAssertTrue(read("out/final.extxyz")!.hasPrefix("32\nLattice="))
    }

    func testMalformedJSON() throws {
        try assertFails("{\n  \"task\": \"md\",\n  \"md\": {\"steps\": 10,}\n}", "input.json:3: invalid JSON")
    }

    func testMisspelledKeySuggestsTheClosest() throws {
        try assertFails(argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": 4, "stpes": 20}"#), "key 'md.stpes': unknown key; did you mean 'steps'?")
    }

    func testKeyWithoutUnitSuggestsTheUnitKey() throws {
        try assertFails(argonInput(md: #""md": {"ensemble": "nve", "timestep": 4, "steps": 20}"#), "key 'md.timestep': unknown key; did you mean 'timestep_fs'?")
    }

    func testNegativeTimestep() throws {
        try assertFails(argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": -1, "steps": 20}"#),
                        "input.json:5: key 'md.timestep_fs': expected a positive number, got -1")
    }

    func testUnknownEnsembleSuggests() throws {
        try assertFails(argonInput(md: #""md": {"ensemble": "nvtt", "timestep_fs": 1, "steps": 20}"#), "did you mean 'nvt'?")
    }

    func testMissingStructureFile() throws {
        try assertFails(argonInput(structure: #""structure": {"file": "nowhere.extxyz"}"#), "key 'structure.file': structure file")
    }

    func testMissingInputFile() throws {
        let r = try spinmd(["run", "missing.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("input file 'missing.json' does not exist"), r.stderr)
    }

    func testUnknownElementInStructure() throws {
        try write("bad.extxyz", "1\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nQq 0 0 0\n")
        try assertFails(argonInput(structure: #""structure": {"file": "bad.extxyz"}"#), "bad.extxyz:3: unknown element 'Qq'")
    }

    func testElementWithoutPotentialParameters() throws {
        try write("ne.extxyz", "1\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nNe 0 0 0\n")
        try assertFails(argonInput(structure: #""structure": {"file": "ne.extxyz"}"#), "the lennard-jones potential has no parameters for element Ne")
    }

    func testOverlappingAtoms() throws {
        try write("overlap.extxyz", "2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nAr 0 0 0\nAr 0.2 0 0\n")
        try assertFails(argonInput(structure: #""structure": {"file": "overlap.extxyz"}"#), "atoms 1 and 2 overlap: distance 0.2000 Å")
    }

    func testMagmomCountMismatchAndBadString() throws {
        try assertFails(argonInput(extra: "\n  \"initial_magmoms\": \"3*1\","), "has 3 moments but the structure has 32 atoms")
        try assertFails(argonInput(extra: "\n  \"initial_magmoms\": \"2*a\","), "bad MAGMOM string")
    }

    func testBlowUpIsReportedAndKeepsWhatWasWritten() throws {
        // Atoms squeezed to 1.4 Å apart with a 20 fs step: the integration explodes.
        try assertFails(argonInput(md: #""md": {"ensemble": "nve", "timestep_fs": 20, "steps": 500}"#,
                                   structure: #""structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 2.0, "repeat": [2, 2, 2]}"#,
                                   extra: "\n  \"min_distance_A\": 0.1,"), "the run blew up at step")
        let log = read("out/thermo.tsv")!
        XCTAssertTrue(log.hasPrefix("step\ttime_ps"), "the log written before the failure stays readable")
    }

    func testRelaxationNotConvergedHasItsOwnExitCode() throws {
        try write("input.json", """
        {
          "structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.6, "repeat": [2, 2, 2]},
          \(Self.argonPotential),
          "task": "relax",
          "relax": {"fmax_eV_per_A": 1e-6, "max_steps": 3, "cell": true},
          "output": {"directory": "out", "overwrite": true}
        }
        """)
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stdout.contains("Status: not converged (max steps reached)"), r.stdout)
        XCTAssertNotNil(read("out/final.extxyz"), "the last structure is still written")
    }

    func testUnwritableOutputDirectory() throws {
        try write("blocker", "a file where a directory should be")
        try write("input.json", argonInput().replacingOccurrences(of: "\"directory\": \"out\"", with: "\"directory\": \"blocker/out\""))
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot create the output directory"), r.stderr)
    }

    func testWrongTaskSectionForTask() throws {
        try assertFails(argonInput(extra: "\n  \"relax\": {\"fmax_eV_per_A\": 0.01},"), "key 'relax': is for \"task\": \"relax\"")
    }
}
