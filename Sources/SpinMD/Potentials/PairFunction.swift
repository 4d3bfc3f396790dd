import SpinMDCore

/// A radial pair interaction φ(r) between species, the building block of `PairPotential`.
///
/// The per-pair work is split in two so hot loops stay tight: `coefficients(a, b)` gathers
/// everything a type pair needs once per evaluation, and the static `evaluate(r2:_:)` uses only
/// those numbers.
public protocol PairFunction: Sendable {
    associatedtype Coefficients
    /// Cutoff beyond which φ = 0 [Å].
    var cutoff: Double { get }
    /// Elements this function has parameters for; type indices count through them.
    var species: [Element] { get }
    /// Type index (0..<species.count) of an element, nil without parameters.
    func typeIndex(of element: Element) -> Int?
    /// Coefficients of the type pair (a, b).
    func coefficients(_ a: Int, _ b: Int) -> Coefficients
    /// φ(r) [eV] and −φ′(r)/r [eV/Å²] at r² = `r2` [Å²] < cutoff².
    static func evaluate(r2: Double, _ c: Coefficients) -> (energy: Double, forceOverR: Double)
    /// The same for two pairs at once (lane 0 with `c0`, lane 1 with `c1`), so the pair kernel
    /// can work on two neighbors per iteration with 2-wide SIMD. A lane may hold r² ≥ cutoff²
    /// (finite, > 0); its results must be finite and are discarded by the caller.
    static func evaluate2(r2: SIMD2<Double>, _ c0: Coefficients, _ c1: Coefficients) -> (energy: SIMD2<Double>, forceOverR: SIMD2<Double>)
}

extension PairFunction {
    /// Default: two scalar evaluations.
    @inline(__always)
    public static func evaluate2(r2: SIMD2<Double>, _ c0: Coefficients, _ c1: Coefficients) -> (energy: SIMD2<Double>, forceOverR: SIMD2<Double>) {
        let a = evaluate(r2: r2[0], c0), b = evaluate(r2: r2[1], c1)
        return (SIMD2(a.energy, b.energy), SIMD2(a.forceOverR, b.forceOverR))
    }

    /// φ and −φ′/r for the type pair (a, b) at r² [Å²].
    public func evaluate(r2: Double, _ a: Int, _ b: Int) -> (energy: Double, forceOverR: Double) {
        Self.evaluate(r2: r2, coefficients(a, b))
    }
}
