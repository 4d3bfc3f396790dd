import SpinMultiNet
import SpinMDCore

/// Running mean absolute and root-mean-square error of one quantity.
public struct ErrorStatistics: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var sumAbsolute = 0.0
    public private(set) var sumSquared = 0.0

    public init() {}

    public mutating func add(_ error: Double) {
        count += 1
        sumAbsolute += abs(error)
        sumSquared += error * error
    }

    public mutating func merge(_ o: ErrorStatistics) {
        count += o.count; sumAbsolute += o.sumAbsolute; sumSquared += o.sumSquared
    }

    /// NaN when empty.
    public var meanAbsolute: Double { count > 0 ? sumAbsolute / Double(count) : .nan }
    public var rootMeanSquare: Double { count > 0 ? (sumSquared / Double(count)).squareRoot() : .nan }
}
