import CLITestSupport
import Foundation
import SpinMD
import SpinMDCore

/// Runs one case in its own directory and checks what every case must satisfy: exit 0, 1 or 2
/// and no signal, within the time limit; a failure message that names a file (input, structure,
/// model, checkpoint) or a key; files that existed before a failed run byte-identical after it
/// (a blow-up message, "at step N", may have replaced the run's own outputs); no NaN or infinity
/// in any file the run wrote.
struct CaseRunner {
    /// Finding classes, the report's columns.
    enum Finding: String, CaseIterable {
        case signal = "crash/signal"
        case hang
        case exitCode = "exit code"
        case message = "no file/key in message"
        case outputsChanged = "outputs changed"
        case nonFinite = "NaN written"
        case accepted = "bad input accepted"
        case refusedValid = "valid input refused"
    }

    var root: URL
    /// [s]
    var timeout: Double = 20
    var memoryLimitMB = 4096

    /// Runs `c`; returns its findings (empty: passed) and the outcome. Passing cases' directories
    /// are removed; failing ones stay, with `case.txt` describing how to reproduce them.
    func run(_ c: FuzzCase) throws -> (findings: [(Finding, String)], outcome: SpinMDProcess.Outcome) {
        let dir = root.appendingPathComponent("case-\(c.index)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, data) in c.files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let before = Self.snapshot(dir)
        let o = try SpinMDProcess.run(c.arguments, in: dir, timeout: timeout, memoryLimitMB: memoryLimitMB)
        var findings: [(Finding, String)] = []
        let err = o.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if o.timedOut {
            findings.append((.hang, "killed after \(Int(timeout)) s"))
        } else if o.signaled {
            // The first line of a Swift crash report says why (e.g. "Fatal error: ..."); the backtrace stays in case.txt.
            let why = err.split(separator: "\n").first { $0.contains("error") || $0.contains("Crash") } ?? err.split(separator: "\n").first ?? ""
            findings.append((.signal, "signal \(o.status)" + (why.isEmpty ? "" : ": " + String(why.prefix(200)))))
        } else if ![0, 1, 2].contains(o.status) {
            findings.append((.exitCode, "exit \(o.status): \(err.prefix(300))"))
        }
        let runtime = err.range(of: #"step \d+"#, options: .regularExpression) != nil
        if !o.signaled && o.status == 1 {
            // An existing file (an earlier output the run refuses to replace) locates the problem too.
            let named = c.locatingNames.contains { err.contains($0) } || before.keys.contains { err.contains($0) } || err.contains("key '") || runtime
            if !named { findings.append((.message, "'\(err.prefix(300))'")) }
        }
        if !o.timedOut && !o.signaled {
            if c.expectation == .refused && o.status == 0 { findings.append((.accepted, "exit 0")) }
            if c.expectation == .succeeds && o.status != 0 { findings.append((.refusedValid, "exit \(o.status): \(err.prefix(300))")) }
        }
        let after = Self.snapshot(dir)
        if o.status == 1 && !runtime {  // exit 2 (a relaxation not converged) writes its outputs by design
            let changed = before.keys.sorted().filter { after[$0] != before[$0] }
            if !changed.isEmpty { findings.append((.outputsChanged, changed.joined(separator: ", "))) }
        }
        for name in after.keys.sorted() where after[name] != before[name] {
            if let bad = Self.nonFinite(in: dir.appendingPathComponent(name), data: after[name]!) {
                findings.append((.nonFinite, "\(name): \(bad)"))
            }
        }
        if findings.isEmpty {
            try? FileManager.default.removeItem(at: dir)
        } else {
            let text = """
            seed \(c.seed), case \(c.index), category \(c.category.rawValue), scenario \(c.scenario)
            mutations: \(c.mutations.joined(separator: "; "))
            command (in this directory): spinmd \(c.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))
            exit \(o.status)\(o.signaled ? " (signal)" : "")\(o.timedOut ? " (timed out)" : ""), \(String(format: "%.2f", o.seconds)) s
            findings: \(findings.map { "\($0.0.rawValue): \($0.1)" }.joined(separator: " | "))
            stderr: \(err.prefix(2000))
            rerun alone: SPINMD_FUZZ_SEED=\(c.seed) SPINMD_FUZZ_CASE=\(c.index) swift test --filter RobustnessTests.RobustnessTests/testMutatedInputs
            """
            try? Data(text.utf8).write(to: dir.appendingPathComponent("case.txt"))
            // The run's outputs are kept beside the inputs; the unmutated inputs are not needed.
        }
        return (findings, o)
    }

    /// Every regular file under `dir` by relative path, with its bytes.
    static func snapshot(_ dir: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return result }
        let base = dir.standardizedFileURL.path + "/"
        for case let url as URL in e {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.path
            // The output directory's lock file records who holds it; it is not an output.
            guard path.hasPrefix(base), url.lastPathComponent != ".spinmd.lock", let d = try? Data(contentsOf: url) else { continue }
            result[String(path.dropFirst(base.count))] = d
        }
        return result
    }

    /// The first NaN or infinity in a file spinmd wrote, or nil. Text files are read as tokens;
    /// NetCDF trajectories and restarts through `AmberTrajectoryReader`; checkpoints through
    /// `Checkpoint.read`.
    static func nonFinite(in url: URL, data: Data) -> String? {
        let ext = url.pathExtension
        if ext == "nc" || ext == "ncrst" {
            guard let r = try? AmberTrajectoryReader(path: url.path) else { return nil }
            for k in 0..<r.frameCount {
                guard let f = try? r.frame(k) else { return "frame \(k) unreadable" }
                var values = f.positions.flatMap { [$0.x, $0.y, $0.z] }
                values += (f.velocities ?? []).flatMap { [$0.x, $0.y, $0.z] } + (f.forces ?? []).flatMap { [$0.x, $0.y, $0.z] }
                values += f.atomicEnergies ?? []
                if let c = f.cell { values += c.matrix.flat }
                if let t = f.time { values.append(t) }
                if values.contains(where: { !$0.isFinite }) { return "non-finite value in frame \(k)" }
            }
            return nil
        }
        if ext == "spinmd" {
            guard let c = try? Checkpoint.read(path: url.path) else { return nil }
            let values = c.system.positions.flatMap { [$0.x, $0.y, $0.z] } + c.system.velocities.flatMap { [$0.x, $0.y, $0.z] } + [c.time]
            return values.contains { !$0.isFinite } ? "non-finite positions, velocities or time" : nil
        }
        guard ["tsv", "extxyz", "xyz", "csv", "txt", "json"].contains(ext) || ext.isEmpty else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        let bad: Set<String> = ["nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for token in line.split(whereSeparator: { " \t=\",:".contains($0) }) where bad.contains(token.lowercased()) {
                return "line \(n + 1): '\(token)'"
            }
        }
        return nil
    }
}
