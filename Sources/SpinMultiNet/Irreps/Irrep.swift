/// An irreducible representation of O(3) × time reversal, labelled (l, p, t): angular order
/// l ≥ 0 (dimension 2l + 1), parity p = ±1 under inversion, time-reversal parity t = ±1.
///
/// Written "1e-" for l = 1, even parity, time-odd: the label of a magnetic moment (an axial,
/// time-odd vector). Displacement harmonics Y_l(r̂) carry (l, (−1)^l, +1).
public struct Irrep: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let l: Int
    /// +1 (even, "e") or −1 (odd, "o") under spatial inversion.
    public let parity: Int
    /// +1 (even, "+") or −1 (odd, "-") under time reversal.
    public let timeParity: Int

    public init(l: Int, parity: Int, timeParity: Int) {
        precondition(l >= 0 && abs(parity) == 1 && abs(timeParity) == 1)
        self.l = l
        self.parity = parity
        self.timeParity = timeParity
    }

    /// Parses "0e+", "1o+", "1e-", ...
    public init?(_ text: String) {
        let chars = Array(text)
        guard chars.count >= 3, let l = Int(String(chars.dropLast(2))) , l >= 0 else { return nil }
        let p = chars[chars.count - 2], t = chars[chars.count - 1]
        guard p == "e" || p == "o", t == "+" || t == "-" else { return nil }
        self.init(l: l, parity: p == "e" ? 1 : -1, timeParity: t == "+" ? 1 : -1)
    }

    /// Components: 2l + 1.
    public var dimension: Int { 2 * l + 1 }

    /// The label of spherical harmonics of order l of a displacement: (l, (−1)^l, +1).
    public static func harmonic(_ l: Int) -> Irrep { Irrep(l: l, parity: l % 2 == 0 ? 1 : -1, timeParity: 1) }

    /// Invariant scalars (0e+) and the magnetic-moment label (1e-).
    public static let scalar = Irrep(l: 0, parity: 1, timeParity: 1)
    public static let magneticMoment = Irrep(l: 1, parity: 1, timeParity: -1)

    /// True for scalars (l = 0) that are even under inversion and time reversal: the only
    /// features an energy may depend on linearly.
    public var isInvariant: Bool { l == 0 && parity == 1 && timeParity == 1 }

    /// The irreps in a ⊗ b: l from |l_a − l_b| to l_a + l_b, parity and time parity multiplied.
    public static func * (a: Irrep, b: Irrep) -> [Irrep] {
        (abs(a.l - b.l)...(a.l + b.l)).map { Irrep(l: $0, parity: a.parity * b.parity, timeParity: a.timeParity * b.timeParity) }
    }

    public var description: String { "\(l)\(parity == 1 ? "e" : "o")\(timeParity == 1 ? "+" : "-")" }

    public static func < (a: Irrep, b: Irrep) -> Bool {
        (a.l, -a.parity, -a.timeParity) < (b.l, -b.parity, -b.timeParity)
    }
}
