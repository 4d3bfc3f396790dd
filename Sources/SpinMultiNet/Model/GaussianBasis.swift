import Foundation

/// Gaussians exp(−(x − μ_k)²/(2σ²)) on evenly spaced centres μ_k from `lower` to `upper`, with σ
/// the spacing: the embedding of |mᵢ| and of mᵢ·mⱼ.
struct GaussianBasis: Sendable {
    let centers: [Double]
    let width: Double

    init(count: Int, lower: Double, upper: Double) {
        precondition(count >= 2 && upper > lower)
        let step = (upper - lower) / Double(count - 1)
        centers = (0..<count).map { lower + Double($0) * step }
        width = step
    }

    /// Writes the values and derivatives d/dx (count each).
    func evaluate(_ x: Double, values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>) {
        let inv = 1 / (width * width)
        for k in centers.indices {
            let t = x - centers[k]
            let g = exp(-0.5 * t * t * inv)
            values[k] = g
            derivatives[k] = -t * inv * g
        }
    }

    /// Values and derivatives d/dx.
    func evaluate(_ x: Double) -> (values: [Double], derivatives: [Double]) {
        var v = [Double](repeating: 0, count: centers.count), d = v
        v.withUnsafeMutableBufferPointer { vp in d.withUnsafeMutableBufferPointer { dp in evaluate(x, values: vp.baseAddress!, derivatives: dp.baseAddress!) } }
        return (v, d)
    }
}
