import Foundation

/// The radial part of the edge embedding: a Bessel basis times a smooth polynomial cutoff,
/// e_n(r) = √(2/r_c)·sin(nπr/r_c)/r · f(r/r_c), n = 1…N (Gasteiger, Groß & Günnemann,
/// "Directional message passing for molecular graphs", ICLR 2020, eqs. 7–8; the same basis as
/// NequIP). The cutoff f(d) = 1 − (p+1)(p+2)/2·d^p + p(p+2)·d^{p+1} − p(p+1)/2·d^{p+2} and its
/// first two derivatives vanish at d = 1, so energies and forces are continuous when a
/// neighbour crosses r_c.
public struct RadialBasis: Sendable, Equatable {
    /// Number of Bessel functions N.
    public let count: Int
    /// Cutoff r_c [Å].
    public let cutoff: Double
    /// Polynomial order p of the envelope.
    public let envelopeOrder: Int

    public init(count: Int, cutoff: Double, envelopeOrder: Int = 6) {
        precondition(count > 0 && cutoff > 0 && envelopeOrder >= 2)
        self.count = count
        self.cutoff = cutoff
        self.envelopeOrder = envelopeOrder
    }

    /// The envelope f(r/r_c) and df/dr [1/Å]; zero beyond the cutoff.
    public func envelope(_ r: Double) -> (value: Double, derivative: Double) {
        let d = r / cutoff
        guard d < 1 else { return (0, 0) }
        let p = Double(envelopeOrder)
        let dp = pow(d, p)
        let a = (p + 1) * (p + 2) / 2, b = p * (p + 2), c = p * (p + 1) / 2
        let value = 1 - a * dp + b * dp * d - c * dp * d * d
        let derivative = (-a * p * dp / d + b * (p + 1) * dp - c * (p + 2) * dp * d) / cutoff
        return (value, derivative)
    }

    /// e_n(r) and de_n/dr for n = 1…N, r > 0 [basis values in 1/Å^{3/2}].
    public func evaluate(_ r: Double) -> (values: [Double], derivatives: [Double]) {
        var values = [Double](repeating: 0, count: count), derivatives = values
        values.withUnsafeMutableBufferPointer { v in
            derivatives.withUnsafeMutableBufferPointer { d in _ = evaluate(r, values: v.baseAddress!, derivatives: d.baseAddress!) }
        }
        return (values, derivatives)
    }

    /// Writes e_n(r) and de_n/dr (count each) and returns the envelope f(r) and df/dr.
    @discardableResult
    public func evaluate(_ r: Double, values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>) -> (envelope: Double, derivative: Double) {
        let (f, df) = envelope(r)
        guard f != 0 || df != 0 else {
            values.update(repeating: 0, count: count)
            derivatives.update(repeating: 0, count: count)
            return (f, df)
        }
        let prefactor = (2 / cutoff).squareRoot()
        // sin(nθ), cos(nθ) by the angle-addition recurrence from sin θ, cos θ (θ = πr/r_c).
        let theta = Double.pi * r / cutoff
        let s1 = sin(theta), c1 = cos(theta)
        var s = s1, c = c1
        for k in 0..<count {
            let w = Double(k + 1) * .pi / cutoff
            let bessel = prefactor * s / r
            let dBessel = prefactor * (w * c / r - s / (r * r))
            values[k] = bessel * f
            derivatives[k] = dBessel * f + bessel * df
            (s, c) = (s * c1 + c * s1, c * c1 - s * s1)
        }
        return (f, df)
    }
}
