import Foundation
import XCTest

/// Malformed structure files through every command that reads them (`run`, `eval`,
/// `trajectory convert`): exit 1 with one line naming the file and the line, never a signal,
/// and no output written.
final class StructureFileCLITests: CLITestCase {
    var model: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../inputs/models/nio-random.safetensors").standardized.path
    }

    /// Runs the three readers on `text` saved as bad.extxyz; each must fail with `message`.
    func assertEveryCommandRefuses(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try write("bad.extxyz", text)
        try write("input.json", argonInput(structure: #""structure": {"file": "bad.extxyz"}"#))
        let commands = [["run", "input.json", "--quiet"], ["eval", model, "bad.extxyz"], ["trajectory", "convert", "bad.extxyz", "converted.nc"]]
        for arguments in commands {
            let r = try spinmd(arguments)
            XCTAssertEqual(r.status, 1, "\(arguments[0]): exit status (a signal gives another); stderr: \(r.stderr)", file: file, line: line)
            XCTAssertTrue(r.stderr.contains(message), "\(arguments[0]): stderr '\(r.stderr)' should contain '\(message)'", file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(arguments[0]): one-line message", file: file, line: line)
        }
        XCTAssertNil(read("converted.nc"), "no trajectory from a refused file", file: file, line: line)
        XCTAssertNil(read("out/thermo.tsv"), "no log from a refused file", file: file, line: line)
    }

    func testExtXYZWithZeroAtomsIsRefused() throws {
        try assertEveryCommandRefuses("0\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n",
                                      "bad.extxyz:1: a frame needs at least one atom")
    }

    func testExtXYZWithTwoComponentPositionsIsRefused() throws {
        try assertEveryCommandRefuses("2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:2 pbc=\"T T T\"\nAr 0 0\nAr 2.5 2.5\n",
                                      "bad.extxyz:2: Properties column 'pos:R:2' must be pos:R:3")
    }

    func testExtXYZWithZeroMassIsRefused() throws {
        try assertEveryCommandRefuses("1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3:masses:R:1 pbc=\"T T T\"\nAr 0 0 0 0\n",
                                      "bad.extxyz:3: column 'masses': 0 is not a mass in (0, ")
    }
}
