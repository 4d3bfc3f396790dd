import XCTest
import SpinMD
@testable import SpinMDCore

/// The JSON reader on hostile inputs: bounded nesting, linear time, bounded messages.
final class JSONLimitsTests: TemporaryDirectoryTestCase {
    /// A valid argon input with `extra` inserted as root members.
    func argonInput(extra: String) -> String {
        """
        {
          "structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.3, "repeat": [2, 2, 2]},
          "potential": {"type": "lennard-jones", "cutoff_A": 8.0, "species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}},
          "task": "md",
          "md": {"ensemble": "nve", "timestep_fs": 4, "steps": 20},\(extra)
          "output": {"directory": "out"}
        }
        """
    }

    func testDeeplyNestedJSONIsRefused() throws {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let depth = 100_000
            let text = "{\n  \"task\": " + String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth) + "\n}"
            XCTAssertThrowsError(try JSONValue.parse(text, file: "deep.json")) { error in
                let m = "\(error)"
                XCTAssertTrue(m.hasPrefix("deep.json:2: invalid JSON: arrays and objects nested more than 512 levels deep (column "), m)
            }
        }
        // The limit itself is accepted.
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try JSONValue.parse(deepest, file: "ok.json"))
        XCTAssertThrowsError(try JSONValue.parse("[" + deepest + "]", file: "deep.json"))
    }

    func testNonFiniteNumbersAndDuplicateKeysAreRefused() {
        XCTAssertThrowsError(try JSONValue.parse("{\"a\": 1e999}", file: "x.json")) { XCTAssertTrue("\($0)".contains("number 1e999 is out of range"), "\($0)") }
        let long = String(repeating: "k", count: 1000)
        XCTAssertThrowsError(try JSONValue.parse("{\"\(long)\": 1, \"\(long)\": 2}", file: "x.json")) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("duplicate key '" + String(repeating: "k", count: 60) + "… (1000 bytes)'"), m)
        }
    }

    /// Time to reject an input holding an unknown root key of `bytes` bytes [s], and the message.
    func rejectionTime(keyBytes bytes: Int) throws -> (seconds: Double, message: String) {
        let key = String(repeating: "x", count: bytes)
        let file = path("huge-\(bytes).json")
        try argonInput(extra: "\n  \"\(key)\": 1,").write(toFile: file, atomically: false, encoding: .utf8)
        let start = Date()
        var message = ""
        XCTAssertThrowsError(try RunConfiguration.load(path: file)) { message = "\($0)" }
        return (Date().timeIntervalSince(start), message)
    }

    func testHugeUnknownKeyIsRejectedInLinearTime() throws {
        let small = try rejectionTime(keyBytes: 2_000_000)
        let large = try rejectionTime(keyBytes: 20_000_000)
        XCTAssertTrue(large.message.contains("huge-20000000.json:6: key '" + String(repeating: "x", count: 60) + "… (20000000 bytes)': unknown key"), large.message)
        XCTAssertLessThan(large.message.utf8.count, 400)
        // Ten times the input takes about ten times as long (quadratic would be a hundred).
        XCTAssertLessThan(large.seconds, 30 * max(small.seconds, 0.05), "2 MB: \(small.seconds) s, 20 MB: \(large.seconds) s")
        XCTAssertLessThan(large.seconds, 20, "a 20 MB key took \(large.seconds) s to reject")
    }
}
