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
    public static func register() {
        PotentialFactory.register("spinmultinet") { c, executor, base in
            let potential = try SpinMultiNetPotential(configuration: c, baseDirectory: base)
            potential.committee.executor = executor
            return potential
        }
    }

    convenience init(configuration c: ConfigObject, baseDirectory: String) throws {
        let file = try c.string("model")
        let path = file.hasPrefix("/") ? file : URL(fileURLWithPath: baseDirectory).appendingPathComponent(file).path
        guard FileManager.default.fileExists(atPath: path) else { throw c.error("model", "model file '\(path)' does not exist (make one with `spinmd model init`)") }
        var committee = try ModelFile.readCommittee(path: path).committee
        if let chosen = try c.optionalNumbers("members") {
            let k = committee.members.count
            guard !chosen.isEmpty, chosen.allSatisfy({ $0 == $0.rounded() && $0 >= 1 && $0 <= Double(k) }), Set(chosen).count == chosen.count else {
                throw c.error("members", "expected distinct member numbers from 1 to \(k) (the model file holds \(k) member\(k == 1 ? "" : "s")), got \(chosen.map { String(format: "%g", $0) })")
            }
            committee = try SpinMultiNetCommittee(members: chosen.map { committee.members[Int($0) - 1] })
        }
        committee.precision = Precision(rawValue: try c.choice("precision", Precision.allCases.map(\.rawValue), default: "double"))!
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
        self.init(committee: committee, mode: spins == "fixed" ? .fixed
                  : .selfConsistent(tolerance: tolerance, adjointTolerance: adjointTolerance, maxIterations: iterations, mixing: mixing))
    }
}
