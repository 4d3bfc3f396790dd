import Foundation

/// Collinear magnetic orderings of the cation sublattice of a rocksalt MO crystal whose cubic
/// axes are the Cartesian x, y, z (as `CrystalBuilder` and inputs/dft build them):
/// `fm` (all up), `afm1` (alternating (001) planes) and `afm2` (alternating (111) planes, the
/// ground state of MnO, FeO, CoO and NiO).
public enum RocksaltOrdering: String, CaseIterable, Sendable {
    case fm, afm1, afm2

    /// Signed moments [μB] for `system`: atoms of elements in `magnitudes` are the cations, all
    /// others get 0. The cubic lattice constant is taken from the volume per cation (4 per
    /// conventional cell); every lattice vector of the cell must map the ordering onto itself.
    public func moments(for system: AtomicSystem, magnitudes: [Element: Double]) throws -> [Double] {
        let cations = system.species.indices.filter { magnitudes[system.species[$0]] != nil }
        guard let first = cations.first else {
            throw SpinMDError.unsupported("ordering '\(rawValue)': the structure has none of the magnetic elements \(magnitudes.keys.map(\.symbol).sorted().joined(separator: ", "))")
        }
        let a = pow(4 * system.cell.volume / Double(cations.count), 1.0 / 3)
        func halfSteps(_ v: Vector3, _ what: String) throws -> SIMD3<Int> {
            let n = 2 * v / a
            let r = SIMD3<Int>(Int(n.x.rounded()), Int(n.y.rounded()), Int(n.z.rounded()))
            guard (n - Vector3(Double(r.x), Double(r.y), Double(r.z))).max() < 0.25, (Vector3(Double(r.x), Double(r.y), Double(r.z)) - n).max() < 0.25 else {
                throw SpinMDError.unsupported("ordering '\(rawValue)' needs a rocksalt cell with cubic axes along x, y, z (a = \(String(format: "%.3f", a)) Å from the volume); \(what) is not on that lattice")
            }
            guard (r.x + r.y + r.z) % 2 == 0 else {
                throw SpinMDError.unsupported("ordering '\(rawValue)': \(what) is not a translation of the cation fcc sublattice (is the structure rocksalt with cubic axes along x, y, z?)")
            }
            return r
        }
        func sign(_ n: SIMD3<Int>) -> Double {
            switch self {
            case .fm: return 1
            case .afm1: return n.z % 2 == 0 ? 1 : -1
            case .afm2: return ((n.x + n.y + n.z) / 2) % 2 == 0 ? 1 : -1
            }
        }
        for k in 0..<3 {
            let n = try halfSteps(system.cell.matrix[k], "lattice vector \(k + 1)")
            guard sign(n) == 1 else {
                throw SpinMDError.unsupported("ordering '\(rawValue)' does not fit this cell: lattice vector \(k + 1) joins opposite spins (use a supercell, e.g. 2×2×2 conventional cells, or the 4-atom cells of inputs/dft)")
            }
        }
        var m = [Double](repeating: 0, count: system.atomCount)
        let origin = system.positions[first]
        for i in cations {
            let n = try halfSteps(system.positions[i] - origin, "atom \(i + 1)")
            m[i] = sign(n) * abs(magnitudes[system.species[i]]!)
        }
        return m
    }
}
