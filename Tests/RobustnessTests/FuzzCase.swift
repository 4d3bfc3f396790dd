import Foundation

/// One run of `spinmd` on mutated files: what to write into a fresh directory, the command line,
/// and what the result must satisfy beyond the checks every case gets.
struct FuzzCase {
    /// What was mutated; the report's rows.
    enum Category: String, CaseIterable, Comparable {
        case valid = "known valid"
        case inputJSON = "input.json"
        case physics = "absurd physics"
        case outputNames = "output names"
        case extxyz = "extxyz"
        case poscar = "POSCAR"
        case model = "model file"
        case checkpoint = "checkpoint"
        case resumeInput = "resume input"
        case trajectory = "trajectory convert"
        case evalData = "eval data"

        static func < (a: Category, b: Category) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// What the exit status must be, beyond 0, 1 or 2.
    enum Expectation: String {
        /// Any of 0, 1 (with a message) or 2.
        case any
        /// The input is certainly wrong: a non-zero status.
        case refused
        /// The input is valid: status 0.
        case succeeds
    }

    var seed: UInt64
    var index: Int
    var category: Category
    /// The scenario the case started from, e.g. "argon-nve".
    var scenario: String
    /// The mutations applied, in order, for the report.
    var mutations: [String]
    /// Files to write, by path relative to the case directory.
    var files: [String: Data]
    var arguments: [String]
    var expectation: Expectation = .any
    /// Names a failure message may cite to locate the problem (input, structure, model, checkpoint).
    var locatingNames: [String]
}
