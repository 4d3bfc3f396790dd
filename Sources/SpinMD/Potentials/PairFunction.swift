/// A radial pair interaction φ(r) between species, the building block of `PairPotential`.
public protocol PairFunction: Sendable {
    /// Cutoff beyond which φ = 0 [Å].
    var cutoff: Double { get }
    /// Atomic numbers this function has parameters for.
    var species: [Element] { get }
    /// Index of a species pair in the function's own parameter table; `typeOf` maps an
    /// element to its type index (0..<species.count).
    func typeIndex(of element: Element) -> Int?
    /// φ(r) [eV] and −φ′(r)/r [eV/Å²] at r² = `r2` [Å²] < cutoff², for the type pair (a, b).
    func evaluate(r2: Double, _ a: Int, _ b: Int) -> (energy: Double, forceOverR: Double)
}
