import SpinMultiNet
import SpinMDCore

/// The model's named weights as one flat vector (names sorted), for optimisers and checkpoints.
public struct ParameterLayout: Sendable, Equatable {
    public let names: [String]
    /// (names.count + 1) start of each named weight in the flat vector.
    public let offsets: [Int]
    public var count: Int { offsets.last! }

    public init(_ weights: [String: [Double]]) {
        names = weights.keys.sorted()
        var o = [0]
        for name in names { o.append(o.last! + weights[name]!.count) }
        offsets = o
    }

    public func flatten(_ weights: [String: [Double]]) -> [Double] {
        var v = [Double](repeating: 0, count: count)
        for (k, name) in names.enumerated() {
            if let w = weights[name] { v.replaceSubrange(offsets[k]..<offsets[k + 1], with: w) }
        }
        return v
    }

    public func unflatten(_ v: [Double]) -> [String: [Double]] {
        var w: [String: [Double]] = [:]
        for (k, name) in names.enumerated() { w[name] = Array(v[offsets[k]..<offsets[k + 1]]) }
        return w
    }

    /// 1 for weights that take weight decay (matrices), 0 for biases.
    public var decayMask: [Double] {
        var m = [Double](repeating: 1, count: count)
        for (k, name) in names.enumerated() where name.hasSuffix(".bias") {
            for q in offsets[k]..<offsets[k + 1] { m[q] = 0 }
        }
        return m
    }
}
