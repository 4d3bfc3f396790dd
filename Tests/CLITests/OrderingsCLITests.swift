import Foundation
import XCTest
import SpinMD
import SpinMultiNet
import SpinMDCore
import SpinMultiNetPotential
import SpinMultiNetTraining

/// The orderings task and named orderings from the command line.
final class OrderingsCLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try write("model.json", SpinMultiNetCLITests.modelConfig)
        XCTAssertEqual(try spinmd(["model", "init", "--config", "model.json", "--out", "model.safetensors", "--seed", "3"]).status, 0)
    }

    func testOrderingsTaskRanksEveryOrderingAndWritesItsFiles() throws {
        try write("input.json", """
        {
          "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.17, "repeat": [2, 2, 2]},
          "potential": {"type": "spinmultinet", "model": "model.safetensors", "spins": "fixed"},
          "task": "orderings",
          "orderings": {"names": ["fm", "afm1", "afm2"], "moments_uB": {"Ni": 2.0}, "custom": {"half": "16*2 16*-2 32*0"}},
          "relax": {"fmax_eV_per_A": 0.2, "max_steps": 200},
          "output": {"directory": "out"}
        }
        """)
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Magnetic orderings"), r.stdout)
        let table = try XCTUnwrap(read("out/orderings.tsv")).split(separator: "\n")
        XCTAssertEqual(table.count, 5)
        XCTAssertTrue(table[0].hasPrefix("ordering\tdE_meV_per_fu"))
        XCTAssertTrue(table[1].split(separator: "\t")[1] == "0.00", String(table[1]))
        for name in ["fm", "afm1", "afm2", "half"] {
            XCTAssertNotNil(read("out/\(name)/final.extxyz"), name)
            XCTAssertTrue(read("out/\(name)/summary.json")?.contains("\"rhombohedral_angle_deg\"") ?? false, name)
        }
        // Named orderings on a cell they do not fit: one clear error, nothing run.
        try write("bad.json", try XCTUnwrap(read("input.json")).replacingOccurrences(of: "[2, 2, 2]", with: "[1, 1, 1]").replacingOccurrences(of: "\"out\"", with: "\"bad\""))
        let bad = try spinmd(["run", "bad.json", "--quiet"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("key 'orderings.names'") && bad.stderr.contains("afm2"), bad.stderr)
    }

    func testNamedOrderingAsInitialMomentsAndTheRelaxationSummary() throws {
        try write("input.json", """
        {
          "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.17, "repeat": [2, 2, 2]},
          "initial_magmoms": {"ordering": "afm2", "moments_uB": {"Ni": 2.0}},
          "potential": {"type": "spinmultinet", "model": "model.safetensors", "spins": "fixed"},
          "task": "relax",
          "relax": {"fmax_eV_per_A": 0.2, "cell": true, "pseudo_cubic": true, "max_steps": 300},
          "output": {"directory": "out"}
        }
        """)
        let r = try spinmd(["run", "input.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for line in ["Energy:", "per formula unit", "Pseudo-cubic cell:", "rhombohedral angle", "Moments Ni: mean |m|"] {
            XCTAssertTrue(r.stdout.contains(line), "\(line) in \(r.stdout)")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(read("out/summary.json")).utf8)) as! [String: Any]
        XCTAssertEqual(summary["formula_units"] as? Int, 32)
        XCTAssertNotNil((summary["pseudo_cubic"] as? [String: Any])?["rhombohedral_angle_deg"])
        let initial = try ExtendedXYZ.read(path: workDirectory.appendingPathComponent("out/final.extxyz").path)[0].arrays["initial_magmoms"]!
        XCTAssertEqual(initial.filter { $0[0] == 2 }.count, 16)
        XCTAssertEqual(initial.filter { $0[0] == -2 }.count, 16)
    }
}
