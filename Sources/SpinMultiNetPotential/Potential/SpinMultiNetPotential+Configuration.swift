import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

extension SpinMultiNetPotential {
    /// Registers the "spinmultinet" potential type with `PotentialFactory`:
    /// `{"type": "spinmultinet", "model": "model.safetensors", "spins": "self-consistent",
    ///   "tolerance_uB": 1e-5, "adjoint_tolerance_eV_per_uB": 1e-5, "max_iterations": 200, "mixing": 1,
    ///   "precision": "double"}`;
    /// `"members": [1]` evaluates only those members (1-based) of a committee file.
    /// The section is read with the rest of the input; the model file when the potential is built.
    public static func register() {
        PotentialFactory.register("spinmultinet") { c, base in
            let settings = try Settings(c, baseDirectory: base)
            return { executor in
                let potential = try SpinMultiNetPotential(settings, section: c)
                potential.committee.executor = executor
                return potential
            }
        }
    }

    /// The `potential` section of type "spinmultinet", read and checked before the model file is.
    struct Settings {
        /// The model or committee file [path].
        var model: String
        /// Members of the committee to evaluate (1-based, as given), nil for all.
        var members: [Double]?
        var precision: Precision
        var mode: SpinMode

        init(_ c: ConfigObject, baseDirectory: String) throws {
            let file = try c.string("model")
            model = file.hasPrefix("/") ? file : URL(fileURLWithPath: baseDirectory).appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: model) else { throw c.error("model", "model file '\(model)' does not exist (make one with `spinmd model init`)") }
            members = try c.optionalNumbers("members")
            precision = Precision(rawValue: try c.choice("precision", Precision.allCases.map(\.rawValue), default: "double"))!
            let spins = try c.choice("spins", ["self-consistent", "fixed"], default: "self-consistent")
            let defaults = SpinMode.defaults
            let tolerance = try c.double("tolerance_uB", default: defaults.tolerance, .positive)
            let adjointTolerance = try c.double("adjoint_tolerance_eV_per_uB", default: defaults.adjointTolerance, .positive)
            let iterations = try c.int("max_iterations", default: defaults.maxIterations, .positive)
            let mixing = try c.double("mixing", default: defaults.mixing, NumberCheck(minimum: 0, minimumInclusive: false, maximum: 1, expectation: "a number in (0, 1]"))
            let selfConsistentKeys = ["tolerance_uB", "adjoint_tolerance_eV_per_uB", "max_iterations", "mixing"]
            if spins == "fixed", let key = selfConsistentKeys.first(where: { c.raw($0) != nil }) {
                throw c.error(key, "only applies to \"spins\": \"self-consistent\"")
            }
            mode = spins == "fixed" ? .fixed
                : .selfConsistent(tolerance: tolerance, adjointTolerance: adjointTolerance, maxIterations: iterations, mixing: mixing)
        }
    }

    /// Reads the model file of `settings`; errors about its members are located in `section`.
    convenience init(_ settings: Settings, section c: ConfigObject) throws {
        var chosen: [Int]?
        if let numbers = settings.members {
            guard numbers.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else {
                throw c.error("members", "expected whole member numbers, got \(numbers.map { String(format: "%g", $0) })")
            }
            chosen = numbers.map { Int($0) }
        }
        let committee: SpinMultiNetCommittee
        do {
            committee = try Self.committee(path: settings.model, members: chosen)
        } catch let e as MemberSelectionError {
            throw c.error("members", e.message)
        }
        committee.precision = settings.precision
        self.init(committee: committee, mode: settings.mode)
    }

    /// A wrong `members` list for a committee file.
    public struct MemberSelectionError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The committee of the model file at `path`, restricted to `members` (1-based, distinct),
    /// nil for all of them.
    /// - Throws: the model file's errors; `MemberSelectionError` for a wrong member list.
    public static func committee(path: String, members: [Int]?) throws -> SpinMultiNetCommittee {
        let committee = try ModelFile.readCommittee(path: path).committee
        guard let members else { return committee }
        let k = committee.members.count
        guard !members.isEmpty, members.allSatisfy({ $0 >= 1 && $0 <= k }), Set(members).count == members.count else {
            throw MemberSelectionError(message: "expected distinct member numbers from 1 to \(k) (the model file holds \(k) member\(k == 1 ? "" : "s")), got \(members)")
        }
        return try SpinMultiNetCommittee(members: members.map { committee.members[$0 - 1] })
    }
}
