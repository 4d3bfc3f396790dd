import SpinMDCore

/// Lennard-Jones 12-6: φ(r) = 4ε[(σ/r)¹² − (σ/r)⁶], with Lorentz–Berthelot mixing between species.
///
/// Truncation variants at the cutoff r_c:
/// - `plain`: φ cut at r_c (energy jumps; only for comparison with codes that do this, e.g. LAMMPS `lj/cut` without `pair_modify shift`).
/// - `shifted`: φ(r) − φ(r_c) (continuous energy, force jumps; LAMMPS `pair_modify shift yes`).
/// - `smooth`: φ(r)·S(r), with S the C² switch 1 − 10x³ + 15x⁴ − 6x⁵, x = (r − r_s)/(r_c − r_s),
///   from `switchRadius` r_s to r_c (energy and force continuous; best for NVE conservation).
public struct LennardJones: PairFunction {
    public enum Truncation: String, Sendable, CaseIterable { case plain, shifted, smooth }

    /// Parameters of one species.
    public struct Parameters: Sendable, Equatable {
        /// Well depth ε [eV].
        public var epsilon: Double
        /// Zero-crossing distance σ [Å].
        public var sigma: Double
        public init(epsilon: Double, sigma: Double) { self.epsilon = epsilon; self.sigma = sigma }
    }

    public let cutoff: Double
    public let truncation: Truncation
    /// r_s [Å] for the `smooth` variant.
    public let switchRadius: Double
    public let species: [Element]
    // Per type pair (a·count + b): 4εσ¹², 4εσ⁶, energy shift.
    private let c12: [Double], c6: [Double], shift: [Double]
    private let typeOfZ: [Int]

    public init(parameters: [Element: Parameters], cutoff: Double, truncation: Truncation = .shifted, switchRadius: Double? = nil) {
        self.species = parameters.keys.sorted { $0.atomicNumber < $1.atomicNumber }
        self.cutoff = cutoff
        self.truncation = truncation
        self.switchRadius = switchRadius ?? 0.9 * cutoff
        let k = species.count
        var c12 = [Double](repeating: 0, count: k * k), c6 = c12, shift = c12
        for (a, ea) in species.enumerated() {
            for (b, eb) in species.enumerated() {
                let pa = parameters[ea]!, pb = parameters[eb]!
                let eps = (pa.epsilon * pb.epsilon).squareRoot()
                let sig = 0.5 * (pa.sigma + pb.sigma)
                let s6 = pow6(sig)
                c12[a * k + b] = 4 * eps * s6 * s6
                c6[a * k + b] = 4 * eps * s6
                let ir6 = 1 / pow6(cutoff)
                shift[a * k + b] = truncation == .shifted ? (c12[a * k + b] * ir6 - c6[a * k + b]) * ir6 : 0
            }
        }
        self.c12 = c12; self.c6 = c6; self.shift = shift
        var t = [Int](repeating: -1, count: 120)
        for (a, e) in species.enumerated() { t[e.atomicNumber] = a }
        typeOfZ = t
    }

    public func typeIndex(of element: Element) -> Int? {
        let t = typeOfZ[element.atomicNumber]
        return t >= 0 ? t : nil
    }

    /// Everything one type pair needs.
    public struct Coefficients: Sendable {
        /// 4εσ¹² [eV·Å¹²], 4εσ⁶ [eV·Å⁶], energy shift [eV].
        var c12: Double, c6: Double, shift: Double
        var truncation: Truncation
        /// r_c, r_s [Å] and 1/(r_c − r_s) [1/Å].
        var cutoff: Double, switchRadius: Double, inverseWidth: Double
    }

    public func coefficients(_ a: Int, _ b: Int) -> Coefficients {
        let p = a * species.count + b
        return Coefficients(c12: c12[p], c6: c6[p], shift: shift[p], truncation: truncation, cutoff: cutoff,
                            switchRadius: switchRadius, inverseWidth: 1 / (cutoff - switchRadius))
    }

    @inline(__always)
    public static func evaluate(r2: Double, _ c: Coefficients) -> (energy: Double, forceOverR: Double) {
        let ir2 = 1 / r2
        let ir6 = ir2 * ir2 * ir2
        let a12 = c.c12 * ir6, a6 = c.c6
        let energy = (a12 - a6) * ir6
        let forceOverR = (12 * a12 - 6 * a6) * ir6 * ir2
        switch c.truncation {
        case .plain: return (energy, forceOverR)
        case .shifted: return (energy - c.shift, forceOverR)
        case .smooth:
            let r = r2.squareRoot()
            if r <= c.switchRadius { return (energy, forceOverR) }
            let x = (r - c.switchRadius) * c.inverseWidth
            let x2 = x * x
            let s = 1 - x2 * x * (10 - 15 * x + 6 * x2)
            let ds = -30 * x2 * (1 - 2 * x + x2) * c.inverseWidth  // dS/dr
            // −d(φS)/dr / r = S·(−φ′/r) − φ·S′/r
            return (energy * s, forceOverR * s - energy * ds / r)
        }
    }

    /// Two pairs at once: `plain` and `shifted` in 2-wide SIMD (the same operations as the
    /// scalar `evaluate`, so each lane is bitwise the scalar result), `smooth` lane by lane.
    @inline(__always)
    public static func evaluate2(r2: SIMD2<Double>, _ c0: Coefficients, _ c1: Coefficients) -> (energy: SIMD2<Double>, forceOverR: SIMD2<Double>) {
        if c0.truncation == .smooth {
            let a = evaluate(r2: r2[0], c0), b = evaluate(r2: r2[1], c1)
            return (SIMD2(a.energy, b.energy), SIMD2(a.forceOverR, b.forceOverR))
        }
        let ir2 = 1 / r2
        let ir6 = ir2 * ir2 * ir2
        let a12 = SIMD2(c0.c12, c1.c12) * ir6, a6 = SIMD2(c0.c6, c1.c6)
        let energy = (a12 - a6) * ir6 - SIMD2(c0.shift, c1.shift)  // shift is 0 for `plain`
        let forceOverR = (12 * a12 - 6 * a6) * ir6 * ir2
        return (energy, forceOverR)
    }
}

@inline(__always) private func pow6(_ x: Double) -> Double { let x2 = x * x; return x2 * x2 * x2 }
