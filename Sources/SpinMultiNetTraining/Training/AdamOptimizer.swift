import Foundation
import SpinMultiNet
import SpinMDCore

/// Adam (D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015,
/// arXiv:1412.6980) with optional decoupled weight decay, AdamW (I. Loshchilov and F. Hutter,
/// "Decoupled weight decay regularization", ICLR 2019, arXiv:1711.05101).
public struct AdamOptimizer: Sendable, Equatable {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Decoupled weight decay λ (AdamW; 0 is plain Adam): θ ← θ − η λ θ on masked entries.
    public var weightDecay = 0.0
    /// Updates taken so far.
    public var step = 0
    /// First and second moment estimates, one per parameter.
    public var firstMoment: [Double]
    public var secondMoment: [Double]

    public init(parameterCount: Int) {
        firstMoment = [Double](repeating: 0, count: parameterCount)
        secondMoment = firstMoment
    }

    /// One update of `parameters` with `gradient` at learning rate `learningRate`; `decayMask`
    /// (1 or 0 per parameter) says which take weight decay.
    public mutating func update(_ parameters: inout [Double], gradient: [Double], learningRate: Double, decayMask: [Double]) {
        step += 1
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        for q in 0..<parameters.count {
            let g = gradient[q]
            firstMoment[q] = beta1 * firstMoment[q] + (1 - beta1) * g
            secondMoment[q] = beta2 * secondMoment[q] + (1 - beta2) * g * g
            let mHat = firstMoment[q] / c1, vHat = secondMoment[q] / c2
            parameters[q] -= learningRate * (mHat / (vHat.squareRoot() + epsilon) + weightDecay * decayMask[q] * parameters[q])
        }
    }
}
