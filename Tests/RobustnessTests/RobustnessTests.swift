import CLITestSupport
import Foundation
import SpinMDCore
import XCTest

/// Hostile inputs through the real executable (issue 24): the unmutated small inputs must
/// succeed, and every mutated one must end with 0, 1 or 2, no signal, no hang, a message that
/// locates the problem, nothing lost and no NaN written.
///
/// CI runs `ciCases` cases (≤ 60 s on two cores); `SPINMD_LONG_TESTS=1` runs `SPINMD_FUZZ_CASES`
/// (default 10 000). `SPINMD_FUZZ_SEED` changes the seed; `SPINMD_FUZZ_CASE=i` runs case i alone.
/// Failing cases stay in the directory the failure message names, with a `case.txt` each.
final class RobustnessTests: XCTestCase {
    static let seed: UInt64 = 24
    static let ciCases = 160
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-robustness-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Runs every scenario unmutated (they must exit 0) and returns their outputs by scenario.
    func baselines() throws -> [String: [String: Data]] {
        var result: [String: [String: Data]] = [:]
        let runner = CaseRunner(root: root.appendingPathComponent("baseline"))
        let generator = FuzzCaseGenerator(seed: Self.seed, baselines: [:])
        for (k, s) in BaseScenario.all.enumerated() {
            var rng = SeededGenerator(seed: 0)
            var c = generator.make(k, .valid, &rng)
            c.scenario = s.name
            c.files = s.files
            if let input = s.input { c.files["input.json"] = Data(input.utf8) }
            c.arguments = s.arguments + (s.input == nil ? ["--threads", "1"] : ["--quiet", "--threads", "1"])
            c.expectation = .succeeds
            c.mutations = ["unmutated \(s.name)"]
            // Kept: the outputs are collected before the directory is cleaned.
            let dir = runner.root.appendingPathComponent("case-\(k)")
            let (found, _) = try runner.run(c)
            XCTAssertTrue(found.isEmpty, "known-valid \(s.name): \(found.map { "\($0.0.rawValue): \($0.1)" }) — \(dir.path)")
            // Run again to keep the outputs (the runner removes passing cases' directories).
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (name, data) in c.files { try data.write(to: dir.appendingPathComponent(name)) }
            _ = try SpinMDProcess.run(c.arguments, in: dir, timeout: 60)
            let produced = CaseRunner.snapshot(dir).filter { c.files[$0.key] == nil }
            result[s.name] = produced
            try? FileManager.default.removeItem(at: dir)
        }
        return result
    }

    /// The unmutated small inputs all exit 0 with clean outputs: the harness does not reject
    /// everything.
    func testKnownValidInputsSucceed() throws {
        let outputs = try baselines()
        XCTAssertNotNil(outputs["argon-nve"]?["out/checkpoint.spinmd"], "the argon run writes the checkpoint the resume cases mutate")
        XCTAssertNotNil(outputs["argon-nve"]?["out/trajectory.nc"])
        try? FileManager.default.removeItem(at: root)
    }

    /// `ciCases` mutated cases from the fixed seed, two at a time.
    func testMutatedInputs() throws {
        let env = Self.environment
        let long = env["SPINMD_LONG_TESTS"] == "1"
        let seed = env["SPINMD_FUZZ_SEED"].flatMap(UInt64.init) ?? Self.seed
        let indices: [Int]
        if let one = env["SPINMD_FUZZ_CASE"].flatMap(Int.init) {
            indices = [one]
        } else {
            indices = Array(0..<(long ? env["SPINMD_FUZZ_CASES"].flatMap(Int.init) ?? 10_000 : Self.ciCases))
        }
        let start = Date()
        let generator = FuzzCaseGenerator(seed: seed, baselines: try baselines())
        let runner = CaseRunner(root: root, timeout: long ? 20 : 15)
        let collector = Collector()
        let queue = DispatchQueue(label: "fuzz", attributes: .concurrent)
        let group = DispatchGroup()
        for lane in 0..<2 {
            queue.async(group: group) {
                var i = lane
                while i < indices.count {
                    let c = generator.make(indices[i])
                    let found = (try? runner.run(c).findings) ?? [(.exitCode, "could not start spinmd")]
                    collector.add(c, found, directory: runner.root)
                    i += 2
                }
            }
        }
        group.wait()
        var report = collector.report
        report.seconds = Date().timeIntervalSince(start)
        print("robustness fuzz, seed \(seed):\n" + report.text)
        XCTAssertEqual(report.caseCount, indices.count)
        XCTAssertEqual(report.failureCount, 0, "failing cases are kept in \(root.path):\n" + report.text)
        if !long && indices.count > 1 && (report.findings.values.allSatisfy { $0[.hang] == nil }) {
            XCTAssertLessThanOrEqual(report.seconds, 60, "the CI fuzz run must stay within 60 s")
        }
        if report.failureCount == 0 { try? FileManager.default.removeItem(at: root) }
    }
}

/// The report, filled from both lanes.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var value = FuzzReport()
    func add(_ c: FuzzCase, _ found: [(CaseRunner.Finding, String)], directory: URL) {
        lock.lock(); defer { lock.unlock() }
        value.add(c, found, directory: directory)
    }
    var report: FuzzReport { lock.lock(); defer { lock.unlock() }; return value }
}
