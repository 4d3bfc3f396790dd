import XCTest
import SpinMD
@testable import SpinMDCore

final class ConfigurationTests: XCTestCase {
    var repositoryRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    func testEveryShippedInputIsValid() throws {
        let inputs = repositoryRoot.appendingPathComponent("inputs")
        let files = FileManager.default.enumerator(atPath: inputs.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") && ($0.hasPrefix("examples/") || $0.hasPrefix("benchmarks/")) }
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for f in files {
            let c = try RunConfiguration.load(path: inputs.appendingPathComponent(f).path)
            XCTAssertGreaterThan(try c.makeSystem().atomCount, 0, f)
        }
    }

    func testBenchmarkMatchesTheLAMMPSDensityAndTemperature() throws {
        let c = try RunConfiguration.load(path: repositoryRoot.appendingPathComponent("inputs/benchmarks/lj-argon-32k.json").path)
        let s = try c.makeSystem()
        XCTAssertEqual(s.atomCount, 32000)
        let sigma = 3.4
        XCTAssertEqual(Double(s.atomCount) / s.cell.volume * sigma * sigma * sigma, 0.8442, accuracy: 1e-5, "reduced density")
        guard case let .md(md) = c.task else { return XCTFail() }
        XCTAssertEqual(md.initialTemperature! * Units.boltzmann / 0.0104, 1.44, accuracy: 1e-4, "reduced temperature")
        XCTAssertEqual(md.timestep, 1)
        XCTAssertEqual(md.steps, 100)
    }

    func testJSONLineNumbersAndTypes() throws {
        let v = try JSONValue.parse("{\n \"a\": [1, 2.5e1,\n  \"x\\n\"],\n \"b\": {\"c\": null, \"d\": true}\n}", file: "t.json")
        guard case let .object(members) = v.value else { return XCTFail() }
        XCTAssertEqual(members.map(\.key), ["a", "b"])
        XCTAssertEqual(members[0].value.line, 2)
        XCTAssertEqual(members[1].value.line, 4)
        guard case let .array(items) = members[0].value.value else { return XCTFail() }
        XCTAssertEqual(items.map(\.value), [.number(1), .number(25), .string("x\n")])
        XCTAssertEqual(items[2].line, 3)
        XCTAssertThrowsError(try JSONValue.parse("{\"a\": 1, \"a\": 2}", file: "t.json")) { XCTAssertTrue("\($0)".contains("duplicate key 'a'")) }
        XCTAssertThrowsError(try JSONValue.parse("{\n\n 'a': 1}", file: "t.json")) { XCTAssertTrue("\($0)".contains("t.json:3:")) }
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestion.closest(to: "temprature_K", among: ["temperature_K", "tdamp_fs"]), "temperature_K")
        XCTAssertEqual(Suggestion.closest(to: "timestep", among: ["timestep_fs", "timestep_ps", "steps"]), "timestep_fs")
        XCTAssertNil(Suggestion.closest(to: "banana", among: ["timestep_fs", "steps"]))
    }

    func testProgressReporterPlainLinesAndBar() throws {
        let s = Fixtures.argonCrystal(repeats: 1)
        var lines: [String] = []
        let plain = ProgressReporter(every: 5, interactive: false) { lines.append($0) }
        XCTAssertTrue(plain.trigger.fires(step: 5, isLast: false))
        XCTAssertFalse(plain.trigger.fires(step: 3, isLast: false))
        try plain.observe(Snapshot(task: .md, step: 5, totalSteps: 10, time: 5, system: s, result: PotentialResult(energy: -1), extendedEnergy: 0))
        XCTAssertTrue(lines[0].hasPrefix("step 5/10  t = 0.005 ps"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("\n"))
        var drawn: [String] = []
        let bar = ProgressReporter(every: 5, interactive: true) { drawn.append($0) }
        XCTAssertTrue(bar.trigger.fires(step: 3, isLast: false), "a bar updates every step")
        try bar.observe(Snapshot(task: .md, step: 10, totalSteps: 10, time: 10, system: s, result: PotentialResult(energy: -1), extendedEnergy: 0))
        XCTAssertTrue(drawn[0].hasPrefix("\r"), "redrawn in place")
        XCTAssertTrue(drawn[0].contains("100%") && drawn[0].contains("ETA"), drawn[0])
    }
}
