import SpinMDCore

/// Real spherical harmonics Y_lm(r̂), m = −l…l, in "component" normalization
/// (Σ_m Y_lm(r̂)² = 2l + 1 for every direction), with their gradients with respect to the
/// unnormalised vector r.
///
/// Computed from the recursion for real solid harmonics S_lm (Racah normalization,
/// Σ_m S_lm² = r^{2l}) of Helgaker, Jørgensen & Olsen, Molecular Electronic-Structure Theory
/// (Wiley 2000), eqs. 6.4.70–6.4.73, on the unit vector: Y_lm = √(2l+1)·S_lm(r̂). For l = 1 the
/// order is (y, z, x)·√3, for l = 2 (√3xy, √3yz, (3z²−1)/2, √3xz, √3(x²−y²)/2)·√5.
public struct SphericalHarmonics: Sendable {
    public let lMax: Int

    public init(lMax: Int) {
        precondition(lMax >= 0)
        self.lMax = lMax
    }

    /// Number of components for l = 0…lMax: (lMax + 1)².
    public var count: Int { (lMax + 1) * (lMax + 1) }

    /// Index of (l, m) in the flat layout.
    @inline(__always) public static func index(_ l: Int, _ m: Int) -> Int { l * l + m + l }

    /// Y(r̂) for all l ≤ lMax, flat (count).
    public func values(_ r: Vector3) -> [Double] { evaluate(r, gradients: false).values }

    /// Y(r̂) and ∂Y/∂r [1/Å] (count each), r ≠ 0.
    public func valuesAndGradients(_ r: Vector3) -> (values: [Double], gradients: [Vector3]) {
        let e = evaluate(r, gradients: true)
        return (e.values, e.gradients)
    }

    /// Writes Y(r̂) and ∂Y/∂r [1/Å] (count each) for r ≠ 0, without allocating for lMax ≤ 1.
    public func evaluate(_ r: Vector3, values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Vector3>) {
        guard lMax <= 1 else {
            let e = evaluate(r, gradients: true)
            for k in 0..<count { values[k] = e.values[k]; gradients[k] = e.gradients[k] }
            return
        }
        values[0] = 1
        gradients[0] = .zero
        guard lMax == 1 else { return }
        // Y₁ = √3·(u_y, u_z, u_x), ∂Y₁/∂r = √3·(e − (e·u)u)/|r|.
        let norm = r.norm, u = r / norm, c = (3.0).squareRoot() / norm
        values[1] = c * r.y
        values[2] = c * r.z
        values[3] = c * r.x
        gradients[1] = c * (Vector3(0, 1, 0) - u.y * u)
        gradients[2] = c * (Vector3(0, 0, 1) - u.z * u)
        gradients[3] = c * (Vector3(1, 0, 0) - u.x * u)
    }

    func evaluate(_ r: Vector3, gradients: Bool) -> (values: [Double], gradients: [Vector3]) {
        let norm = r.norm
        let u = r / norm
        // Solid harmonics of the unit vector as dual numbers in (u_x, u_y, u_z).
        let x = Dual3(u.x, Vector3(1, 0, 0)), y = Dual3(u.y, Vector3(0, 1, 0)), z = Dual3(u.z, Vector3(0, 0, 1))
        let r2 = x * x + y * y + z * z  // 1, but its derivative matters for the recursion's polynomial
        var s = [Dual3](repeating: Dual3(0, .zero), count: count)
        s[0] = Dual3(1, .zero)
        if lMax >= 1 {
            for l in 0..<lMax {
                let lf = Double(l)
                let f = ((l == 0 ? 2.0 : 1.0) * (2 * lf + 1) / (2 * lf + 2)).squareRoot()
                let sll = s[Self.index(l, l)], slml = s[Self.index(l, -l)]
                if l == 0 {
                    s[Self.index(1, 1)] = f * (x * sll)
                    s[Self.index(1, -1)] = f * (y * sll)
                } else {
                    s[Self.index(l + 1, l + 1)] = f * (x * sll - y * slml)
                    s[Self.index(l + 1, -l - 1)] = f * (y * sll + x * slml)
                }
                for m in -l...l {
                    let mf = Double(m)
                    var t = (2 * lf + 1) * (z * s[Self.index(l, m)])
                    if l >= 1 && abs(m) <= l - 1 {
                        t = t - ((lf + mf) * (lf - mf)).squareRoot() * (r2 * s[Self.index(l - 1, m)])
                    }
                    s[Self.index(l + 1, m)] = (1 / ((lf + mf + 1) * (lf - mf + 1)).squareRoot()) * t
                }
            }
        }
        var values = [Double](repeating: 0, count: count)
        var grads = [Vector3](repeating: .zero, count: gradients ? count : 0)
        for l in 0...lMax {
            let c = (2 * Double(l) + 1).squareRoot()
            for m in -l...l {
                let k = Self.index(l, m)
                values[k] = c * s[k].value
                if gradients {
                    // dY/dr = (I − uuᵀ)·dY/du / |r|
                    let g = c * s[k].gradient
                    grads[k] = (g - g.dot(u) * u) / norm
                }
            }
        }
        return (values, grads)
    }
}

/// A number with its gradient in three variables (forward-mode differentiation).
struct Dual3 {
    var value: Double
    var gradient: Vector3
    init(_ value: Double, _ gradient: Vector3) { self.value = value; self.gradient = gradient }
    static func + (a: Dual3, b: Dual3) -> Dual3 { Dual3(a.value + b.value, a.gradient + b.gradient) }
    static func - (a: Dual3, b: Dual3) -> Dual3 { Dual3(a.value - b.value, a.gradient - b.gradient) }
    static func * (a: Dual3, b: Dual3) -> Dual3 { Dual3(a.value * b.value, a.value * b.gradient + b.value * a.gradient) }
    static func * (s: Double, a: Dual3) -> Dual3 { Dual3(s * a.value, s * a.gradient) }
}
