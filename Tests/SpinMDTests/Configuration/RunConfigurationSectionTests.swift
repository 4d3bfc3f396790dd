import Foundation
import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// `RunConfiguration` read section by section: the `potential` section checked at load by its
/// type's reader, errors found after loading located through the same `ConfigObject`s, and
/// defaults that one section takes from another.
final class RunConfigurationSectionTests: TemporaryDirectoryTestCase {
    static let argonPotential = #""potential": {"type": "lennard-jones", "cutoff_A": 8.5, "species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}}"#

    /// An argon input, one key per line, and the line each root key starts on.
    func input(structure: String = #""structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.3, "repeat": [1, 1, 1]}"#,
               potential: String = argonPotential, md: String = #""md": {"ensemble": "nve", "timestep_fs": 2, "steps": 10}"#,
               extra: [String] = []) throws -> (path: String, lines: [String: Int]) {
        let members = [structure, potential, #""task": "md""#, md] + extra
        var lines: [String: Int] = [:]
        for (k, m) in members.enumerated() { lines[String(m.dropFirst().prefix { $0 != "\"" })] = k + 2 }
        let path = directory.appendingPathComponent("input.json").path
        try ("{\n" + members.joined(separator: ",\n") + "\n}\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, lines)
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    func testTheWrongNumberOfMomentsIsLocatedAtItsLine() throws {
        for count in [1, 3, 5] {
            let (path, lines) = try input(extra: ["\"initial_magmoms\": \"\(count)*1\""])
            let c = try RunConfiguration.load(path: path)
            let m = message { _ = try c.makeSystem() }
            XCTAssertTrue(m.contains("input.json:\(lines["initial_magmoms"]!): key 'initial_magmoms': has \(count) moments but the structure has 4 atoms"), m)
        }
    }

    func testAFrameOutsideTheFileIsLocatedAtTheFrameKey() throws {
        let xyz = "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nAr 0 0 0\n"
        try (xyz + xyz).write(to: directory.appendingPathComponent("two.extxyz"), atomically: true, encoding: .utf8)
        for frame in [-3, 2, 7] {
            let (path, lines) = try input(structure: "\"structure\": {\"file\": \"two.extxyz\", \"frame\": \(frame)}")
            let c = try RunConfiguration.load(path: path)
            let m = message { _ = try c.makeSystem() }
            XCTAssertTrue(m.contains("input.json:\(lines["structure"]!): key 'structure.frame':") && m.contains("has 2 frames; frame \(frame) does not exist"), m)
        }
        for frame in [-2, -1, 0, 1] {
            let c = try RunConfiguration.load(path: try input(structure: "\"structure\": {\"file\": \"two.extxyz\", \"frame\": \(frame)}").path)
            XCTAssertEqual(try c.makeSystem().atomCount, 1)
        }
    }

    func testThePotentialSectionIsCheckedWhenTheInputIsLoaded() throws {
        let species = #""species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}"#
        for (key, section) in [("cutof_A", #"{"type": "lennard-jones", "cutof_A": 8.5, "#),
                               ("cutoff_A", #"{"type": "lennard-jones", "cutoff_A": -1, "#),
                               ("truncation", #"{"type": "lennard-jones", "cutoff_A": 8.5, "truncation": "sharp", "#)] {
            let (path, lines) = try input(potential: "\"potential\": " + section + species + "}")
            let m = message { _ = try RunConfiguration.load(path: path) }
            XCTAssertTrue(m.contains("input.json:\(lines["potential"]!): key 'potential.\(key)':"), m)
        }
        let c = try RunConfiguration.load(path: try input().path)
        let potential = try c.potential.makePotential(executor: ParallelExecutor(threads: 1))
        XCTAssertEqual(potential.cutoff, 8.5)
        XCTAssertEqual(c.potential.section.fullKey("species"), "potential.species")
    }

    func testAnUnregisteredTypeLoadsAndIsReportedWhenThePotentialIsBuilt() throws {
        let (path, lines) = try input(potential: #""potential": {"type": "no-such-potential", "model": "m.safetensors"}"#)
        let c = try RunConfiguration.load(path: path)
        let m = message { _ = try c.potential.makePotential(executor: ParallelExecutor(threads: 1)) }
        XCTAssertTrue(m.contains("input.json:\(lines["potential"]!): key 'potential.type': expected one of 'lennard-jones'"), m)
    }

    func testOutputPeriodsDefaultFromTheTask() throws {
        for steps in [0, 1, 99, 100, 250, 12345] {
            let c = try RunConfiguration.load(path: try input(md: "\"md\": {\"ensemble\": \"nve\", \"timestep_fs\": 2, \"steps\": \(steps)}",
                                                           extra: [#""output": {"trajectory": {"file": "t.nc"}, "restart": {}}"#]).path)
            XCTAssertEqual(c.output.thermoEvery, max(1, steps / 100))
            XCTAssertEqual(c.output.trajectory?.every, max(1, steps / 100))
            XCTAssertEqual(c.output.restart?.every, max(1, steps))
            XCTAssertEqual(c.output.directory, "runs/input")
        }
    }

    func testTheSpinFlipRuleIsSymmetricAndNeedsAMagneticStart() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<1000 {
            let start = 6 * generator.nextUniform() - 3, end = 6 * generator.nextUniform() - 3
            let flip = MagneticMoments.isFlip(from: start, to: end)
            XCTAssertEqual(flip, MagneticMoments.isFlip(from: -start, to: -end), "the sign convention does not matter")
            if abs(start) < MagneticMoments.flipThreshold { XCTAssertFalse(flip, "a non-magnetic start cannot flip") }
            if abs(start) >= MagneticMoments.flipThreshold {
                XCTAssertEqual(flip, start * end < 0 || abs(end) < MagneticMoments.flipThreshold)
                XCTAssertFalse(MagneticMoments.isFlip(from: start, to: start), "an unchanged moment did not flip")
            }
        }
        XCTAssertEqual(MagneticMoments.collinear([2, -1]).vectors(), [2 * MagneticMoments.spinAxis, -MagneticMoments.spinAxis])
    }
}
