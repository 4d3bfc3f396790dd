import SpinMultiNet
import SpinMDCore

/// An exponential moving average of the parameters, the weights a trained model ships with
/// (B. T. Polyak and A. B. Juditsky, "Acceleration of stochastic approximation by averaging",
/// SIAM J. Control Optim. 30, 838 (1992)). The decay ramps up as min(d, (1 + t)/(10 + t)) over
/// the first updates so the average does not remember the random initialisation.
public struct ExponentialMovingAverage: Sendable, Equatable {
    public var decay: Double
    public var values: [Double]
    public var updates = 0

    public init(decay: Double, initial: [Double]) {
        self.decay = decay
        values = initial
    }

    public mutating func update(_ parameters: [Double]) {
        updates += 1
        let d = min(decay, Double(1 + updates) / Double(10 + updates))
        for q in 0..<values.count { values[q] = d * values[q] + (1 - d) * parameters[q] }
    }
}
