import Foundation
import SpinMDCore

/// A SpinMultiNet model: configuration, the tensor-product paths it implies, and its weights.
///
/// Weights are stored by name as flat Double arrays (row-major matrices), which is also how the
/// model file holds them. See docs/spinmultinet.md for the equations.
public final class SpinMultiNetModel {
    public package(set) var configuration: ModelConfiguration
    /// Hidden feature blocks (irrep, C channels each) and their offsets in a node's feature vector.
    public let blocks: [Irrep]
    let blockOffsets: [Int]
    /// Components 2l + 1 of each block.
    let blockDimensions: [Int]
    /// Features per node: Σ_b C·(2l_b + 1).
    let featureSize: Int
    /// One tensor-product path: input block ⊗ Y_l2 → output block, with its coupling tensor.
    struct Path {
        var input: Int, l2: Int, output: Int
        var coupling: [Double]
    }
    let paths: [Path]
    /// The non-zero coupling coefficients of all paths, flattened: entries
    /// `couplingStart[p]..<couplingStart[p+1]` belong to path p, each (m₁, m₂, m₃, value).
    let couplingStart: [Int]
    let couplingM1: [Int], couplingM2: [Int], couplingM3: [Int]
    let couplingValue: [Double]
    /// Per path: input block, l₂, output block (plain arrays for the hot loops).
    let pathInput: [Int], pathL2: [Int], pathOutput: [Int]
    /// Named weights.
    public package(set) var weights: [String: [Double]]
    /// Threads for the edge loops (results are bitwise reproducible for a given thread count).
    public var executor = ParallelExecutor(threads: 1)
    /// Arithmetic precision of evaluations (`Precision`).
    public var precision = Precision.double

    let harmonics: SphericalHarmonics
    let radial: RadialBasis
    /// Index of blocks used specially.
    let scalarBlock: Int, momentBlock: Int

    public init(configuration c: ModelConfiguration, weights: [String: [Double]]? = nil, seed: UInt64 = 0) throws {
        configuration = c
        blocks = c.hiddenIrreps
        var offsets: [Int] = []
        var size = 0
        for b in blocks { offsets.append(size); size += c.channels * b.dimension }
        blockOffsets = offsets
        blockDimensions = blocks.map(\.dimension)
        featureSize = size
        var p: [Path] = []
        for (i, b1) in blocks.enumerated() {
            for l2 in 0...c.lMax {
                for l3 in abs(b1.l - l2)...min(b1.l + l2, c.lMax) {
                    let target = Irrep(l: l3, parity: b1.parity * (l2 % 2 == 0 ? 1 : -1), timeParity: b1.timeParity)
                    guard let o = blocks.firstIndex(of: target), let cg = ClebschGordan.coefficients(b1.l, l2, l3) else { continue }
                    p.append(Path(input: i, l2: l2, output: o, coupling: cg))
                }
            }
        }
        paths = p
        var start = [0], m1 = [Int](), m2 = [Int](), m3 = [Int](), value = [Double]()
        for path in p {
            let d2 = 2 * path.l2 + 1, d3 = blocks[path.output].dimension
            for (k, v) in path.coupling.enumerated() where v != 0 {
                m1.append(k / (d2 * d3)); m2.append((k / d3) % d2); m3.append(k % d3); value.append(v)
            }
            start.append(value.count)
        }
        couplingStart = start
        couplingM1 = m1; couplingM2 = m2; couplingM3 = m3; couplingValue = value
        pathInput = p.map(\.input); pathL2 = p.map(\.l2); pathOutput = p.map(\.output)
        harmonics = SphericalHarmonics(lMax: c.lMax)
        radial = RadialBasis(count: c.radialBasis, cutoff: c.cutoff)
        scalarBlock = blocks.firstIndex(of: .scalar)!
        momentBlock = blocks.firstIndex(of: .magneticMoment)!
        let shapes = Self.weightShapes(c, pathCount: p.count, blocks: blocks.count)
        if let weights {
            for (name, count) in shapes {
                guard let w = weights[name] else { throw SpinMDError.unsupported("model weights lack '\(name)'") }
                guard w.count == count else { throw SpinMDError.unsupported("model weight '\(name)' has \(w.count) values, expected \(count)") }
            }
            self.weights = weights
        } else {
            var g = SeededGenerator(seed: seed)
            var w: [String: [Double]] = [:]
            for (name, count) in shapes {
                // Fan-in scaled Gaussian initialisation (biases start at zero).
                let fanIn = Self.fanIn(name, c, blocks: blocks.count)
                w[name] = name.hasSuffix(".bias") ? Array(repeating: 0, count: count)
                    : (0..<count).map { _ in g.nextGaussian() / Double(fanIn).squareRoot() }
            }
            // NOTE: the spin readout starts as the left inverse of the moment embedding, so an
            // untrained model maps m to a damped copy of itself (gates scale by σ(·) < 1) and the
            // self-consistent spin iteration of a fresh model converges.
            let a = w["moment_embedding.weight"]!
            let norm = a.reduce(0) { $0 + $1 * $1 }
            w["spin_readout.weight"] = a.map { $0 / norm }
            self.weights = w
        }
    }

    /// Names and sizes of every weight array.
    static func weightShapes(_ c: ModelConfiguration, pathCount: Int, blocks: Int) -> [(String, Int)] {
        let inputs = c.species.count + c.momentBasis
        var s: [(String, Int)] = [
            ("embedding.weight", c.channels * inputs), ("embedding.bias", c.channels),
            ("moment_embedding.weight", c.channels),
        ]
        for k in 0..<c.layers {
            s += [("layer\(k).radial1.weight", c.hidden * (c.radialBasis + c.momentBasis)), ("layer\(k).radial1.bias", c.hidden),
                  ("layer\(k).radial2.weight", pathCount * c.channels * c.hidden), ("layer\(k).radial2.bias", pathCount * c.channels),
                  ("layer\(k).linear.weight", blocks * c.channels * c.channels)]
        }
        s += [("readout1.weight", c.hidden * c.channels), ("readout1.bias", c.hidden), ("readout2.weight", c.hidden),
              ("spin_readout.weight", c.channels)]
        return s
    }

    static func fanIn(_ name: String, _ c: ModelConfiguration, blocks: Int) -> Int {
        if name.hasPrefix("embedding") { return c.species.count + c.momentBasis }
        if name.hasSuffix("radial1.weight") { return c.radialBasis + c.momentBasis }
        if name.hasSuffix("radial2.weight") || name == "readout2.weight" { return c.hidden }
        return c.channels
    }

    /// Tensor-product paths per layer and their non-zero coupling coefficients.
    public var pathCount: Int { paths.count }
    public var nonZeroCouplings: Int { couplingValue.count }

    /// Replaces the per-species reference energies [eV] (same order as `configuration.species`).
    public func setReferenceEnergies(_ energies: [Double]) {
        precondition(energies.count == configuration.species.count)
        configuration.referenceEnergies = energies
    }

    /// Replaces weights by name (each must exist with the same size).
    public func setWeights(_ w: [String: [Double]]) {
        for (name, values) in w { precondition(weights[name]?.count == values.count, name); weights[name] = values }
    }

    /// Total number of weights.
    public var parameterCount: Int { weights.values.reduce(0) { $0 + $1.count } }

    /// Index of an element in the one-hot embedding, nil if the model does not know it.
    public func speciesIndex(_ e: Element) -> Int? { configuration.species.firstIndex(of: e.atomicNumber) }
}
