import Foundation
import SpinMDCore

/// What one forward pass returns.
public struct ModelOutput: Sendable {
    /// Total energy [eV].
    public var energy: Double
    /// (nodeCount) per-atom energies [eV] (reference energies included).
    public var atomicEnergies: [Double]
    /// (nodeCount, 3) predicted moments S(R, m) [μB], Cartesian.
    public var spins: [Vector3]

    package init(energy: Double, atomicEnergies: [Double], spins: [Vector3]) {
        self.energy = energy; self.atomicEnergies = atomicEnergies; self.spins = spins
    }
}

/// Cotangents of the inputs from one backward pass: ∂L/∂(edge vectors) and ∂L/∂m for
/// L = ē·E + Σᵢ S̄ᵢ·Sᵢ.
public struct ModelInputGradients: Sendable {
    /// (edgeCount, 3) [units of L per Å].
    public var edgeVectors: [Vector3]
    /// (nodeCount, 3) [units of L per μB].
    public var moments: [Vector3]
}

/// Intermediate values of a forward pass, kept for the backward pass.
public struct ModelTape {
    public let geometry: EdgeGeometry
    let moments: [Vector3]
    var graph: ModelGraph { geometry.graph }
    // Node embedding.
    var momentNorms: [Double] = []
    var embeddingInputs: [Double] = []          // N × (S + G)
    var normBasisDerivatives: [Double] = []     // N × G
    // Pairs (the radial MLP's rows).
    var edgeInputs: [Double] = []               // pairs × (Nb + G)
    var couplingBasisDerivatives: [Double] = [] // pairs × G
    /// Pairs of each thread's chunk.
    var pairChunks: [Range<Int>] = []
    // Layers.
    var layerInputs: [[Double]] = []            // per layer N × F
    var hidden: [[Double]] = []                 // per layer pairs × H (pre-activation)
    var activated: [[Double]] = []              // per layer pairs × H (SiLU of hidden)
    var aggregates: [[Double]] = []             // per layer N × F (messages summed into each node)
    var preGate: [[Double]] = []                // per layer N × F
    var finalFeatures: [Double] = []            // N × F
    var readoutHidden: [Double] = []            // N × H
}

@inline(__always) func silu(_ x: Double) -> Double { x / (1 + exp(-x)) }
@inline(__always) func siluDerivative(_ x: Double) -> Double { let s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s)) }
@inline(__always) func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Pairs of the radial MLP handled together: their edge weights (rows × P·C) stay in cache
/// between the matrix product that makes them and the tensor products that use them.
let pairBlock = 48

extension SpinMultiNetModel {
    var yCount: Int { harmonics.count }
    var momentGaussians: GaussianBasis { GaussianBasis(count: configuration.momentBasis, lower: 0, upper: configuration.momentRange) }
    var couplingGaussians: GaussianBasis {
        switch configuration.coupling {
        case .dot:
            let r2 = configuration.momentRange * configuration.momentRange
            return GaussianBasis(count: configuration.momentBasis, lower: -r2, upper: r2)
        case .normalized:
            return GaussianBasis(count: configuration.momentBasis, lower: -1, upper: 1)
        }
    }

    /// The edge moment invariant q(mᵢ, mⱼ) (`MomentCoupling`) and its gradients ∂q/∂mᵢ, ∂q/∂mⱼ.
    @inline(__always)
    func coupling(_ mi: Vector3, _ mj: Vector3) -> (q: Double, di: Vector3, dj: Vector3) {
        let dot = mi.dot(mj)
        switch configuration.coupling {
        case .dot:
            return (dot, mj, mi)
        case .normalized:
            let s2 = MomentCoupling.saturation * MomentCoupling.saturation
            let ni2 = mi.normSquared + s2, nj2 = mj.normSquared + s2
            let inv = 1 / (ni2 * nj2).squareRoot(), q = dot * inv
            return (q, inv * mj - (q / ni2) * mi, inv * mi - (q / nj2) * mj)
        }
    }

    /// The node basis sees the softened norm √(m·m + δ²) [μB] instead of |m|.
    /// NOTE: |m| has a kink at m = 0; with self-consistent spins the moments of non-magnetic
    /// atoms (O) sit at and cross zero, and the kink made the energy non-differentiable there
    /// (self-consistent forces 30 % off finite differences, FIRE stalled). δ = 0.1 μB keeps
    /// E smooth on the scale of those moments and leaves |m| ≥ 1 μB changed by < 0.5 %.
    static let momentSoftening = 0.1

    /// (y, z, x) order of an l = 1 feature ↔ Cartesian.
    @inline(__always) static func toHarmonicOrder(_ v: Vector3) -> (Double, Double, Double) { (v.y, v.z, v.x) }

    /// The geometry-only features of `graph` for this model (share them between spin iterations
    /// and between members with the same `lMax`, Bessel count and cutoff).
    public func geometry(_ graph: ModelGraph) -> EdgeGeometry {
        EdgeGeometry(graph: graph, lMax: configuration.lMax, radialBasis: radial, executor: executor)
    }

    /// True when `geometry` was built for this model's harmonics and radial basis.
    public func accepts(_ geometry: EdgeGeometry) -> Bool {
        geometry.lMax == configuration.lMax && geometry.radialCount == configuration.radialBasis && geometry.cutoff == configuration.cutoff
    }

    /// Forward pass: energy, per-atom energies and spins, and the tape for `backward`.
    /// - Parameter moments: (nodeCount, 3) spin inputs [μB], Cartesian.
    public func forward(_ graph: ModelGraph, moments input: [Vector3]) -> (ModelOutput, ModelTape) {
        forward(geometry(graph), moments: input)
    }

    /// Forward pass on prepared geometry (`geometry(_:)`).
    public func forward(_ geometry: EdgeGeometry, moments input: [Vector3]) -> (ModelOutput, ModelTape) {
        precondition(accepts(geometry), "edge geometry built for another harmonic order or radial basis")
        let c = configuration, graph = geometry.graph
        let moments = c.spinBlind == true ? [Vector3](repeating: .zero, count: input.count) : input
        let n = graph.nodeCount, C = c.channels, F = featureSize
        let S = c.species.count, G = c.momentBasis, Nb = c.radialBasis, H = c.hidden
        let pairs = geometry.pairCount
        var tape = ModelTape(geometry: geometry, moments: moments)
        tape.pairChunks = pairChunks(geometry)

        // Node embedding: 0e+ from one-hot(Z) ⊕ Gaussians(|m|); 1e- from m itself.
        var x = [Double](repeating: 0, count: n * F)
        let we = weights["embedding.weight"]!, be = weights["embedding.bias"]!, wm = weights["moment_embedding.weight"]!
        tape.embeddingInputs = [Double](repeating: 0, count: n * (S + G))
        tape.normBasisDerivatives = [Double](repeating: 0, count: n * G)
        tape.momentNorms = moments.map { ($0.normSquared + Self.momentSoftening * Self.momentSoftening).squareRoot() }
        let nodeBasis = momentGaussians
        for i in 0..<n {
            let u = i * (S + G)
            tape.embeddingInputs[u + graph.species[i]] = 1
            tape.embeddingInputs.withUnsafeMutableBufferPointer { ep in
                tape.normBasisDerivatives.withUnsafeMutableBufferPointer { dp in
                    nodeBasis.evaluate(tape.momentNorms[i], values: ep.baseAddress! + u + S, derivatives: dp.baseAddress! + i * G)
                }
            }
            let base = i * F + blockOffsets[scalarBlock]
            for ch in 0..<C {
                var s = be[ch]
                for k in 0..<(S + G) { s += we[ch * (S + G) + k] * tape.embeddingInputs[u + k] }
                x[base + ch] = s
            }
            let (a, b, cc) = Self.toHarmonicOrder(moments[i])
            let mb = i * F + blockOffsets[momentBlock]
            for ch in 0..<C { x[mb + ch] = wm[ch] * a; x[mb + C + ch] = wm[ch] * b; x[mb + 2 * C + ch] = wm[ch] * cc }
        }

        // Pair inputs of the radial MLP: Bessel basis (geometry) ⊕ Gaussians of q(mᵢ, mⱼ).
        tape.edgeInputs = [Double](repeating: 0, count: pairs * (Nb + G))
        tape.couplingBasisDerivatives = [Double](repeating: 0, count: pairs * G)
        let edgeBasis = couplingGaussians
        tape.edgeInputs.withUnsafeMutableBufferPointer { zp in
        tape.couplingBasisDerivatives.withUnsafeMutableBufferPointer { dp in
        geometry.radial.withUnsafeBufferPointer { rp in
            executor.forEachSlice(of: pairs, grain: 1024) { range in
                for p in range {
                    let k = Int(geometry.pairEdges[2 * p])
                    let z = zp.baseAddress! + p * (Nb + G)
                    z.update(from: rp.baseAddress! + p * Nb, count: Nb)
                    let q = coupling(moments[graph.receivers[k]], moments[graph.senders[k]]).q
                    edgeBasis.evaluate(q, values: z + Nb, derivatives: dp.baseAddress! + p * G)
                }
            }
        }}}

        // Interaction layers.
        for layer in 0..<c.layers {
            tape.layerInputs.append(x)
            var hidden = [Double](repeating: 0, count: pairs * H), activated = hidden
            let agg = convolve(layer: layer, features: x, tape: tape, hidden: &hidden, activated: &activated)
            tape.hidden.append(hidden)
            tape.activated.append(activated)
            tape.aggregates.append(agg)
            let y = selfInteraction(layer: layer, features: x, aggregate: agg, nodes: n)
            tape.preGate.append(y)
            x = gate(y, nodes: n)
        }
        tape.finalFeatures = x

        // Readouts.
        let r1 = weights["readout1.weight"]!, rb1 = weights["readout1.bias"]!, r2 = weights["readout2.weight"]!
        let ws = weights["spin_readout.weight"]!
        tape.readoutHidden = [Double](repeating: 0, count: n * H)
        var atomic = [Double](repeating: 0, count: n)
        var spins = [Vector3](repeating: .zero, count: n)
        for i in 0..<n {
            let base = i * F + blockOffsets[scalarBlock]
            var energy = c.referenceEnergies[graph.species[i]]
            for h in 0..<H {
                var s = rb1[h]
                for ch in 0..<C { s += r1[h * C + ch] * x[base + ch] }
                tape.readoutHidden[i * H + h] = s
                energy += r2[h] * silu(s)
            }
            atomic[i] = energy
            let mb = i * F + blockOffsets[momentBlock]
            var a = 0.0, b = 0.0, cc = 0.0
            for ch in 0..<C { a += ws[ch] * x[mb + ch]; b += ws[ch] * x[mb + C + ch]; cc += ws[ch] * x[mb + 2 * C + ch] }
            spins[i] = Vector3(cc, a, b)  // (y, z, x) → Cartesian
        }
        return (ModelOutput(energy: atomic.reduce(0, +), atomicEnergies: atomic, spins: spins), tape)
    }

    /// Splits the pairs into one contiguous range per thread with near-equal edge counts.
    func pairChunks(_ geometry: EdgeGeometry) -> [Range<Int>] {
        let pairs = geometry.pairCount
        guard executor.threads > 1, pairs >= 128 else { return [0..<pairs] }
        var cumulative = [Int](repeating: 0, count: pairs + 1)
        for p in 0..<pairs { cumulative[p + 1] = cumulative[p] + (geometry.pairEdges[2 * p + 1] >= 0 ? 2 : 1) }
        return executor.partition(cumulative: cumulative)
    }

    /// The self-interaction with a residual, y = x + W_b·agg per irrep block b (channel mixing,
    /// the same for every component m), as one product per (block, m) over all nodes.
    func selfInteraction(layer: Int, features x: [Double], aggregate agg: [Double], nodes n: Int) -> [Double] {
        let C = configuration.channels, F = featureSize
        var y = x
        let wl = weights["layer\(layer).linear.weight"]!
        wl.withUnsafeBufferPointer { wp in agg.withUnsafeBufferPointer { ap in y.withUnsafeMutableBufferPointer { yp in
            for (b, irrep) in blocks.enumerated() {
                for m in 0..<irrep.dimension {
                    let offset = blockOffsets[b] + m * C
                    BLAS.gemm(ap.baseAddress! + offset, lda: F, wp.baseAddress! + b * C * C, ldb: C, yp.baseAddress! + offset, ldc: F,
                              m: n, n: C, k: C, transposeB: true, beta: 1)
                }
            }
        }}}
        return y
    }

    /// The gate nonlinearity: SiLU on invariant scalars, tanh on the other scalars (odd, so
    /// parity and time reversal are kept), and l > 0 blocks scaled by σ(invariant scalar) of
    /// the same channel.
    func gate(_ y: [Double], nodes n: Int) -> [Double] {
        let C = configuration.channels, F = featureSize
        var out = y
        out.withUnsafeMutableBufferPointer { op in y.withUnsafeBufferPointer { yp in
            executor.forEachSlice(of: n, grain: 64) { range in
                for i in range {
                    let s0 = i * F + blockOffsets[scalarBlock]
                    for (b, irrep) in blocks.enumerated() {
                        let base = i * F + blockOffsets[b], d = irrep.dimension
                        for ch in 0..<C {
                            if irrep.isInvariant {
                                op[base + ch] = silu(yp[base + ch])
                            } else if irrep.l == 0 {
                                op[base + ch] = tanh(yp[base + ch])
                            } else {
                                let g = sigmoid(yp[s0 + ch])
                                for m in 0..<d { op[base + m * C + ch] = yp[base + m * C + ch] * g }
                            }
                        }
                    }
                }
            }
        }}
        return out
    }

    /// Backward pass: cotangents of the edge vectors and of the input moments for
    /// L = energyCotangent·E + Σᵢ spinCotangents[i]·Sᵢ. With `energyNodes`, E is the energy of
    /// nodes 0..<energyNodes only (the atoms a process owns; the rest are ghost atoms).
    public func backward(_ tape: ModelTape, energyCotangent ebar: Double, spinCotangents: [Vector3]?,
                         energyNodes: Int? = nil) -> ModelInputGradients {
        backward(tape, energyCotangent: ebar, spinCotangents: spinCotangents, energyNodes: energyNodes, accumulate: nil)
    }

    /// The same backward pass, also adding ∂L/∂(weights) into `weightGradients` (by weight name,
    /// shapes as `weights`; missing names start at zero).
    public func backward(_ tape: ModelTape, energyCotangent ebar: Double, spinCotangents: [Vector3]?,
                         weightGradients: inout [String: [Double]]) -> ModelInputGradients {
        var collected: [(String, [Double])] = []
        let result = backward(tape, energyCotangent: ebar, spinCotangents: spinCotangents) { collected.append(($0, $1)) }
        for (name, g) in collected {
            if weightGradients[name] == nil { weightGradients[name] = [Double](repeating: 0, count: g.count) }
            weightGradients[name]!.withUnsafeMutableBufferPointer { w in for q in 0..<g.count { w[q] += g[q] } }
        }
        return result
    }

    /// `accumulate(name, ∂L/∂weights[name])`, when given, receives every weight's cotangent once.
    func backward(_ tape: ModelTape, energyCotangent ebar: Double, spinCotangents: [Vector3]?, energyNodes: Int? = nil,
                  accumulate: ((String, [Double]) -> Void)?) -> ModelInputGradients {
        let c = configuration, geometry = tape.geometry, graph = tape.graph
        let n = graph.nodeCount, e = graph.edgeCount, C = c.channels, F = featureSize
        let S = c.species.count, G = c.momentBasis, Nb = c.radialBasis, H = c.hidden, Y = yCount
        let pairs = geometry.pairCount
        var vbar = [Vector3](repeating: .zero, count: e)
        var mbar = [Vector3](repeating: .zero, count: n)

        // Readouts.
        var xbar = [Double](repeating: 0, count: n * F)
        let r1 = weights["readout1.weight"]!, r2 = weights["readout2.weight"]!, ws = weights["spin_readout.weight"]!
        let wantWeights = accumulate != nil, xf = tape.finalFeatures
        var r1bar = [Double](repeating: 0, count: wantWeights ? H * C : 0), rb1bar = [Double](repeating: 0, count: wantWeights ? H : 0)
        var r2bar = rb1bar, wsbar = [Double](repeating: 0, count: wantWeights ? C : 0)
        let energyNodeCount = energyNodes ?? n
        for i in 0..<n {
            let base = i * F + blockOffsets[scalarBlock]
            if ebar != 0 && i < energyNodeCount {
                for h in 0..<H {
                    let s = tape.readoutHidden[i * H + h]
                    let hb = ebar * r2[h] * siluDerivative(s)
                    for ch in 0..<C { xbar[base + ch] += r1[h * C + ch] * hb }
                    if wantWeights {
                        r2bar[h] += ebar * silu(s)
                        rb1bar[h] += hb
                        for ch in 0..<C { r1bar[h * C + ch] += hb * xf[base + ch] }
                    }
                }
            }
            if let sb = spinCotangents?[i] {
                let (a, b, cc) = Self.toHarmonicOrder(sb)
                let mb = i * F + blockOffsets[momentBlock]
                for ch in 0..<C {
                    xbar[mb + ch] += ws[ch] * a; xbar[mb + C + ch] += ws[ch] * b; xbar[mb + 2 * C + ch] += ws[ch] * cc
                    if wantWeights { wsbar[ch] += a * xf[mb + ch] + b * xf[mb + C + ch] + cc * xf[mb + 2 * C + ch] }
                }
            }
        }
        if let accumulate {
            accumulate("readout1.weight", r1bar); accumulate("readout1.bias", rb1bar)
            accumulate("readout2.weight", r2bar); accumulate("spin_readout.weight", wsbar)
        }

        // Cotangents of the pair inputs, envelopes and harmonics accumulate over layers.
        var zbar = [Double](repeating: 0, count: pairs * (Nb + G))
        var fbar = [Double](repeating: 0, count: pairs)
        var ybarEdges = [Double](repeating: 0, count: e * Y)
        for layer in stride(from: c.layers - 1, through: 0, by: -1) {
            let y = tape.preGate[layer]
            let w1 = weights["layer\(layer).radial1.weight"]!, wl = weights["layer\(layer).linear.weight"]!
            // Gates.
            var ybar = [Double](repeating: 0, count: n * F)
            ybar.withUnsafeMutableBufferPointer { ybar in xbar.withUnsafeBufferPointer { xbar in y.withUnsafeBufferPointer { y in
                executor.forEachSlice(of: n, grain: 64) { range in
                    for i in range {
                        let s0 = i * F + blockOffsets[scalarBlock]
                        for (b, irrep) in blocks.enumerated() {
                            let base = i * F + blockOffsets[b], d = irrep.dimension
                            for ch in 0..<C {
                                if irrep.isInvariant {
                                    ybar[base + ch] += xbar[base + ch] * siluDerivative(y[base + ch])
                                } else if irrep.l == 0 {
                                    let t = tanh(y[base + ch])
                                    ybar[base + ch] += xbar[base + ch] * (1 - t * t)
                                } else {
                                    let g = sigmoid(y[s0 + ch])
                                    var dot = 0.0
                                    for m in 0..<d {
                                        ybar[base + m * C + ch] += xbar[base + m * C + ch] * g
                                        dot += xbar[base + m * C + ch] * y[base + m * C + ch]
                                    }
                                    ybar[s0 + ch] += dot * g * (1 - g)
                                }
                            }
                        }
                    }
                }
            }}}
            // Residual and channel mixing: y = x + W·agg, so x̄ = ȳ and āgg = Wᵀ·ȳ per block.
            var aggbar = [Double](repeating: 0, count: n * F)
            var wlbar = [Double](repeating: 0, count: wantWeights ? wl.count : 0)
            let agg = tape.aggregates[layer]
            wl.withUnsafeBufferPointer { wp in ybar.withUnsafeBufferPointer { yp in aggbar.withUnsafeMutableBufferPointer { ap in
            agg.withUnsafeBufferPointer { gp in wlbar.withUnsafeMutableBufferPointer { wbp in
                for (b, irrep) in blocks.enumerated() {
                    for m in 0..<irrep.dimension {
                        let offset = blockOffsets[b] + m * C
                        BLAS.gemm(yp.baseAddress! + offset, lda: F, wp.baseAddress! + b * C * C, ldb: C, ap.baseAddress! + offset, ldc: F,
                                  m: n, n: C, k: C)
                        if wantWeights {
                            // W̄[co, ci] += Σᵢ ȳ[i, co]·agg[i, ci]
                            BLAS.gemm(yp.baseAddress! + offset, lda: F, gp.baseAddress! + offset, ldb: F, wbp.baseAddress! + b * C * C, ldc: C,
                                      m: C, n: C, k: n, transposeA: true, beta: 1)
                        }
                    }
                }
            }}}}}
            accumulate?("layer\(layer).linear.weight", wlbar)
            // Messages and the radial MLP, block by block.
            var xprev = ybar
            let hbar = convolveBackward(layer: layer, tape: tape, aggregateCotangent: aggbar, featureCotangent: &xprev,
                                        envelopeCotangent: &fbar, harmonicCotangent: &ybarEdges, accumulate: accumulate)
            if let accumulate {
                accumulate("layer\(layer).radial1.weight",
                           BLAS.product(hbar, tape.edgeInputs, m: H, n: Nb + G, k: pairs, transposeA: true, transposeB: false, executor: executor))
                accumulate("layer\(layer).radial1.bias", columnSums(hbar, rows: pairs, columns: H))
            }
            let zadd = BLAS.product(hbar, w1, m: pairs, n: Nb + G, k: H, transposeB: false, executor: executor)
            for q in 0..<zadd.count { zbar[q] += zadd[q] }
            xbar = xprev
        }

        // Pair and edge inputs → edge vectors and moments.
        for k in 0..<e {
            var g = Vector3.zero
            for q in 0..<Y { g += ybarEdges[k * Y + q] * geometry.harmonicGradients[k * Y + q] }
            vbar[k] = g
        }
        for p in 0..<pairs {
            let k = Int(geometry.pairEdges[2 * p])
            let r = geometry.lengths[p]
            var dr = fbar[p] * geometry.envelopeDerivative[p]
            for q in 0..<Nb { dr += zbar[p * (Nb + G) + q] * geometry.radialDerivatives[p * Nb + q] }
            vbar[k] += (dr / r) * graph.vectors[k]
            var qbar = 0.0
            for q in 0..<G { qbar += zbar[p * (Nb + G) + Nb + q] * tape.couplingBasisDerivatives[p * G + q] }
            let i = graph.receivers[k], j = graph.senders[k]
            let (_, di, dj) = coupling(tape.moments[i], tape.moments[j])
            mbar[i] += qbar * di
            mbar[j] += qbar * dj
        }
        // Embeddings.
        let we = weights["embedding.weight"]!, wm = weights["moment_embedding.weight"]!
        if let accumulate {
            var webar = [Double](repeating: 0, count: we.count), bebar = [Double](repeating: 0, count: C), wmbar = [Double](repeating: 0, count: C)
            for i in 0..<n {
                let base = i * F + blockOffsets[scalarBlock], u = i * (S + G), mb = i * F + blockOffsets[momentBlock]
                let (a, b, cc) = Self.toHarmonicOrder(tape.moments[i])
                for ch in 0..<C {
                    let g = xbar[base + ch]
                    bebar[ch] += g
                    for k in 0..<(S + G) { webar[ch * (S + G) + k] += g * tape.embeddingInputs[u + k] }
                    wmbar[ch] += a * xbar[mb + ch] + b * xbar[mb + C + ch] + cc * xbar[mb + 2 * C + ch]
                }
            }
            accumulate("embedding.weight", webar); accumulate("embedding.bias", bebar); accumulate("moment_embedding.weight", wmbar)
        }
        for i in 0..<n {
            let base = i * F + blockOffsets[scalarBlock]
            var normBar = 0.0
            for k in 0..<G {
                var s = 0.0
                for ch in 0..<C { s += we[ch * (S + G) + S + k] * xbar[base + ch] }
                normBar += s * tape.normBasisDerivatives[i * G + k]
            }
            mbar[i] += (normBar / tape.momentNorms[i]) * tape.moments[i]
            let mb = i * F + blockOffsets[momentBlock]
            var a = 0.0, b = 0.0, cc = 0.0
            for ch in 0..<C { a += wm[ch] * xbar[mb + ch]; b += wm[ch] * xbar[mb + C + ch]; cc += wm[ch] * xbar[mb + 2 * C + ch] }
            mbar[i] += Vector3(cc, a, b)
        }
        if c.spinBlind == true { mbar = [Vector3](repeating: .zero, count: n) }  // the input is ignored
        return ModelInputGradients(edgeVectors: vbar, moments: mbar)
    }
}

/// Σ over rows of a row-major (rows × columns) matrix.
func columnSums(_ a: [Double], rows: Int, columns: Int) -> [Double] {
    var s = [Double](repeating: 0, count: columns)
    for r in 0..<rows { for q in 0..<columns { s[q] += a[r * columns + q] } }
    return s
}
