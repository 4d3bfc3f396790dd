import Foundation
import SpinMultiNet
import SpinMDCore

/// The learning rate per optimiser step: a linear warm-up, then constant, cosine decay to a floor,
/// or reduction by a factor when the validation loss stops improving (plateau).
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case constant, cosine, plateau }
    public var kind: Kind = .cosine
    /// Peak learning rate.
    public var initial = 5e-3
    /// Floor of the cosine decay and of plateau reductions.
    public var minimum = 1e-5
    /// Epochs of linear warm-up from initial/steps to initial.
    public var warmupEpochs = 5
    /// Plateau: multiply by `factor` after `patience` epochs without a better validation loss.
    public var factor = 0.5
    public var patience = 10

    // Plateau state (saved in checkpoints).
    public var plateauScale = 1.0
    public var plateauBest = Double.infinity
    public var plateauStale = 0

    public init() {}

    /// Learning rate at `epoch` (0-based) after `batch` of `batches` batches, of `epochs` in all.
    public func rate(epoch: Int, batch: Int, batches: Int, epochs: Int) -> Double {
        let progress = Double(epoch) + Double(batch) / Double(max(batches, 1))
        var rate: Double
        switch kind {
        case .constant: rate = initial
        case .plateau: rate = max(minimum, initial * plateauScale)
        case .cosine:
            let span = Double(max(epochs - warmupEpochs, 1))
            let t = min(max(progress - Double(warmupEpochs), 0) / span, 1)
            rate = minimum + (initial - minimum) * 0.5 * (1 + cos(Double.pi * t))
        }
        if warmupEpochs > 0 && progress < Double(warmupEpochs) {
            rate *= (progress + 1 / Double(max(batches, 1))) / Double(warmupEpochs)
        }
        return rate
    }

    /// Tells a plateau schedule the epoch's validation loss.
    public mutating func endEpoch(validationLoss: Double) {
        guard kind == .plateau else { return }
        if validationLoss < plateauBest {
            plateauBest = validationLoss
            plateauStale = 0
        } else {
            plateauStale += 1
            if plateauStale >= patience { plateauScale *= factor; plateauStale = 0 }
        }
    }
}
