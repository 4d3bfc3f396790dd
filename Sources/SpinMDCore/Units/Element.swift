/// A chemical element: symbol, atomic number and standard atomic mass [amu].
///
/// Stored as its atomic number only, so arrays of elements are plain bytes (no reference
/// counting when hot loops read them).
public struct Element: Hashable, Sendable, CustomStringConvertible {
    private let z: UInt8
    /// Atomic number Z.
    @inline(__always) public var atomicNumber: Int { Int(z) }
    /// Symbol, e.g. "Ni".
    public var symbol: String { Element.table[Int(z)].0 }
    /// Standard atomic weight [amu] (IUPAC 2013 conventional values, as ASE's `atomic_masses`).
    public var mass: Double { Element.table[Int(z)].1 }

    public var description: String { symbol }

    /// The element with this symbol (case-sensitive, as chemistry writes it), or nil.
    public init?(symbol: String) {
        guard let z = Element.numberBySymbol[symbol] else { return nil }
        self.init(atomicNumber: z)!
    }

    /// The element with this atomic number (1...86), or nil.
    public init?(atomicNumber z: Int) {
        guard z >= 1, z < Element.table.count else { return nil }
        self.z = UInt8(z)
    }

    private static let numberBySymbol: [String: Int] = {
        var d: [String: Int] = [:]
        for (z, entry) in table.enumerated() where z > 0 { d[entry.0] = z }
        return d
    }()

    /// (symbol, mass [amu]) indexed by Z; index 0 is a placeholder.
    static let table: [(String, Double)] = [
        ("X", 0.0),
        ("H", 1.008), ("He", 4.002602), ("Li", 6.94), ("Be", 9.0121831), ("B", 10.81),
        ("C", 12.011), ("N", 14.007), ("O", 15.999), ("F", 18.998403163), ("Ne", 20.1797),
        ("Na", 22.98976928), ("Mg", 24.305), ("Al", 26.9815385), ("Si", 28.085), ("P", 30.973761998),
        ("S", 32.06), ("Cl", 35.45), ("Ar", 39.948), ("K", 39.0983), ("Ca", 40.078),
        ("Sc", 44.955908), ("Ti", 47.867), ("V", 50.9415), ("Cr", 51.9961), ("Mn", 54.938044),
        ("Fe", 55.845), ("Co", 58.933194), ("Ni", 58.6934), ("Cu", 63.546), ("Zn", 65.38),
        ("Ga", 69.723), ("Ge", 72.630), ("As", 74.921595), ("Se", 78.971), ("Br", 79.904),
        ("Kr", 83.798), ("Rb", 85.4678), ("Sr", 87.62), ("Y", 88.90584), ("Zr", 91.224),
        ("Nb", 92.90637), ("Mo", 95.95), ("Tc", 97.90721), ("Ru", 101.07), ("Rh", 102.90550),
        ("Pd", 106.42), ("Ag", 107.8682), ("Cd", 112.414), ("In", 114.818), ("Sn", 118.710),
        ("Sb", 121.760), ("Te", 127.60), ("I", 126.90447), ("Xe", 131.293), ("Cs", 132.90545196),
        ("Ba", 137.327), ("La", 138.90547), ("Ce", 140.116), ("Pr", 140.90766), ("Nd", 144.242),
        ("Pm", 144.91276), ("Sm", 150.36), ("Eu", 151.964), ("Gd", 157.25), ("Tb", 158.92535),
        ("Dy", 162.500), ("Ho", 164.93033), ("Er", 167.259), ("Tm", 168.93422), ("Yb", 173.054),
        ("Lu", 174.9668), ("Hf", 178.49), ("Ta", 180.94788), ("W", 183.84), ("Re", 186.207),
        ("Os", 190.23), ("Ir", 192.217), ("Pt", 195.084), ("Au", 196.966569), ("Hg", 200.592),
        ("Tl", 204.38), ("Pb", 207.2), ("Bi", 208.98040), ("Po", 208.98243), ("At", 209.98715),
        ("Rn", 222.01758),
    ]
}
