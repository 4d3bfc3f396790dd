import SpinMDCore

/// The last line of defence of every writer: no output ever holds NaN or infinity. (The runaway
/// and non-finite checks of the run stop a blown-up step before any observer sees it, so these
/// refusals should be unreachable; they exist so that a gap there fails loudly, not silently.)
extension Snapshot {
    /// What a writer writes of a snapshot, to be checked before it writes anything.
    public struct Quantities: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Time and cell.
        public static let cell = Quantities(rawValue: 1)
        /// Potential, kinetic and extended energy (and so the temperature).
        public static let energies = Quantities(rawValue: 16)
        public static let positions = Quantities(rawValue: 2)
        public static let velocities = Quantities(rawValue: 4)
        /// Forces, virial, magnetic moments and per-atom energies, those the result holds.
        public static let results = Quantities(rawValue: 8)
        public static let all: Quantities = [.cell, .energies, .positions, .velocities, .results]
    }

    /// The first non-finite value among `quantities`, named for a message; nil when all are finite.
    public func firstNonFinite(_ quantities: Quantities) -> String? {
        func vectors(_ v: [Vector3], _ name: String) -> String? {
            v.firstIndex { !$0.isFinite }.map { "\(name) of atom \($0 + 1)" }
        }
        func scalars(_ v: [Double], _ name: String) -> String? { v.firstIndex { !$0.isFinite }.map { "\(name) of atom \($0 + 1)" } }
        if quantities.contains(.cell) {
            if !system.cell.matrix.isFinite { return "cell" }
            if !time.isFinite { return "time" }
        }
        if quantities.contains(.energies) {
            for (name, x) in [("energy", result.energy), ("kinetic energy", system.kineticEnergy), ("extended energy", extendedEnergy)] where !x.isFinite {
                return name
            }
        }
        if quantities.contains(.positions), let bad = vectors(system.positions, "position") { return bad }
        if quantities.contains(.velocities), let bad = vectors(system.velocities, "velocity") { return bad }
        if quantities.contains(.results) {
            if let f = result.forces, let bad = vectors(f, "force") { return bad }
            if let w = result.virial, !w.isFinite { return "virial" }
            if let e = result.atomicEnergies, let bad = scalars(e, "energy") { return bad }
            switch result.magneticMoments {
            case let .collinear(m)?: if let bad = scalars(m, "magnetic moment") { return bad }
            case let .vector(m)?: if let bad = vectors(m, "magnetic moment") { return bad }
            case nil: break
            }
        }
        return nil
    }

    /// Throws `SpinMDError.io` naming `path` and the value when one of `quantities` is not finite.
    public func requireFinite(_ quantities: Quantities, writing path: String) throws {
        guard let bad = firstNonFinite(quantities) else { return }
        throw SpinMDError.io(path: path, message: "refusing to write step \(step): its \(bad) is not finite (the run blew up; the file ends at the last good step)")
    }
}
