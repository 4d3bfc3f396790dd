/// Builds periodic crystals from a conventional cubic cell, repeated.
public enum CrystalBuilder {
    public enum Lattice: String, CaseIterable, Sendable {
        case sc, bcc, fcc, rocksalt
    }

    /// Fractional basis of the conventional cubic cell, with a species slot (0 or 1) per site.
    static func basis(_ lattice: Lattice) -> [(Vector3, Int)] {
        switch lattice {
        case .sc: return [(.zero, 0)]
        case .bcc: return [(.zero, 0), (Vector3(0.5, 0.5, 0.5), 0)]
        case .fcc: return [(.zero, 0), (Vector3(0, 0.5, 0.5), 0), (Vector3(0.5, 0, 0.5), 0), (Vector3(0.5, 0.5, 0), 0)]
        case .rocksalt:
            let f = basis(.fcc)
            return f + f.map { ($0.0 + Vector3(0.5, 0, 0), 1) }.map { (Vector3($0.0.x.truncatingRemainder(dividingBy: 1), $0.0.y, $0.0.z), $0.1) }
        }
    }

    /// A cubic crystal of `repeats` conventional cells with lattice constant `a` [Å].
    /// - Parameter species: one element per sublattice (two for rocksalt: cation, anion).
    public static func cubic(_ lattice: Lattice, a: Double, species: [Element], repeats: SIMD3<Int>) throws -> AtomicSystem {
        let sites = basis(lattice)
        let needed = (sites.map(\.1).max() ?? 0) + 1
        guard species.count == needed else {
            throw SpinMDError.unsupported("lattice \(lattice.rawValue) needs \(needed) species, got \(species.count)")
        }
        var positions: [Vector3] = []
        var elements: [Element] = []
        for x in 0..<repeats.x {
            for y in 0..<repeats.y {
                for z in 0..<repeats.z {
                    for (s, slot) in sites {
                        positions.append(a * (s + Vector3(Double(x), Double(y), Double(z))))
                        elements.append(species[slot])
                    }
                }
            }
        }
        let cell = try Cell.orthorhombic(a * Double(repeats.x), a * Double(repeats.y), a * Double(repeats.z))
        return AtomicSystem(species: elements, positions: positions, cell: cell)
    }
}
