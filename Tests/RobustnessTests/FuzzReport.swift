import Foundation

/// Counts of cases and findings by category and finding class, and the first failing cases of
/// each category, printed as the fuzz run's summary.
struct FuzzReport {
    var cases: [FuzzCase.Category: Int] = [:]
    var failed: [FuzzCase.Category: Int] = [:]
    var findings: [FuzzCase.Category: [CaseRunner.Finding: Int]] = [:]
    var examples: [FuzzCase.Category: [String]] = [:]
    var seconds = 0.0

    var caseCount: Int { cases.values.reduce(0, +) }
    var failureCount: Int { failed.values.reduce(0, +) }

    mutating func add(_ c: FuzzCase, _ found: [(CaseRunner.Finding, String)], directory: URL) {
        cases[c.category, default: 0] += 1
        guard !found.isEmpty else { return }
        failed[c.category, default: 0] += 1
        for kind in Set(found.map(\.0)) { findings[c.category, default: [:]][kind, default: 0] += 1 }
        if examples[c.category, default: []].count < 3 {
            examples[c.category, default: []].append("case \(c.index) [\(c.mutations.joined(separator: "; "))]: "
                + found.map { "\($0.0.rawValue): \($0.1.prefix(200))" }.joined(separator: " | ") + " — \(directory.path)/case-\(c.index)/case.txt")
        }
    }

    var text: String {
        let kinds = CaseRunner.Finding.allCases
        var lines = [String(format: "%d cases, %d failing, %.1f s", caseCount, failureCount, seconds)]
        lines.append((["category", "cases", "failing"] + kinds.map(\.rawValue)).joined(separator: "\t"))
        for c in cases.keys.sorted() {
            lines.append(([c.rawValue, "\(cases[c] ?? 0)", "\(failed[c] ?? 0)"] + kinds.map { "\(findings[c]?[$0] ?? 0)" }).joined(separator: "\t"))
        }
        for c in examples.keys.sorted() { for e in examples[c]! { lines.append("\(c.rawValue): \(e)") } }
        return lines.joined(separator: "\n")
    }
}
