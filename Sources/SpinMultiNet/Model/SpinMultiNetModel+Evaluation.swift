import Foundation
import SpinMD

/// What one forward pass returns.
public struct ModelOutput: Sendable {
    /// Total energy [eV].
    public var energy: Double
    /// (nodeCount) per-atom energies [eV] (reference energies included).
    public var atomicEnergies: [Double]
    /// (nodeCount, 3) predicted moments S(R, m) [μB], Cartesian.
    public var spins: [Vector3]
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
    let graph: ModelGraph
    let moments: [Vector3]
    // Node embedding.
    var momentNorms: [Double] = []
    var embeddingInputs: [Double] = []     // N × (S + G)
    var normBasisDerivatives: [Double] = [] // N × G
    // Edges.
    var harmonics: [Double] = []           // E × Yc
    var harmonicGradients: [Vector3] = []  // E × Yc
    var lengths: [Double] = []
    var edgeInputs: [Double] = []          // E × (Nb + G)
    var radialDerivatives: [Double] = []   // E × Nb
    var envelope: [Double] = [], envelopeDerivative: [Double] = []
    var couplingBasisDerivatives: [Double] = [] // E × G
    /// Edges of each thread's chunk (contiguous runs of receivers).
    var edgeChunks: [Range<Int>] = []
    // Layers.
    var layerInputs: [[Double]] = []       // per layer N × F
    var hidden: [[Double]] = []            // per layer E × H (pre-activation)
    var rawWeights: [[Double]] = []        // per layer E × P·C (before the envelope)
    var aggregates: [[Double]] = []        // per layer N × F (messages summed into each node)
    var preGate: [[Double]] = []           // per layer N × F
    var finalFeatures: [Double] = []       // N × F
    var readoutHidden: [Double] = []       // N × H
}

@inline(__always) func silu(_ x: Double) -> Double { x / (1 + exp(-x)) }
@inline(__always) func siluDerivative(_ x: Double) -> Double { let s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s)) }
@inline(__always) func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

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

    /// Forward pass: energy, per-atom energies and spins, and the tape for `backward`.
    /// - Parameter moments: (nodeCount, 3) spin inputs [μB], Cartesian.
    public func forward(_ graph: ModelGraph, moments input: [Vector3]) -> (ModelOutput, ModelTape) {
        let c = configuration
        let moments = c.spinBlind == true ? [Vector3](repeating: .zero, count: input.count) : input
        let n = graph.nodeCount, e = graph.edgeCount, C = c.channels, F = featureSize
        let S = c.species.count, G = c.momentBasis, Nb = c.radialBasis, H = c.hidden, P = paths.count
        var tape = ModelTape(graph: graph, moments: moments)
        tape.edgeChunks = edgeChunks(graph)

        // Node embedding: 0e+ from one-hot(Z) ⊕ Gaussians(|m|); 1e- from m itself.
        var x = [Double](repeating: 0, count: n * F)
        let we = weights["embedding.weight"]!, be = weights["embedding.bias"]!, wm = weights["moment_embedding.weight"]!
        tape.embeddingInputs = [Double](repeating: 0, count: n * (S + G))
        tape.normBasisDerivatives = [Double](repeating: 0, count: n * G)
        tape.momentNorms = moments.map { ($0.normSquared + Self.momentSoftening * Self.momentSoftening).squareRoot() }
        for i in 0..<n {
            let (g, dg) = momentGaussians.evaluate(tape.momentNorms[i])
            let u = i * (S + G)
            tape.embeddingInputs[u + graph.species[i]] = 1
            for k in 0..<G { tape.embeddingInputs[u + S + k] = g[k]; tape.normBasisDerivatives[i * G + k] = dg[k] }
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

        // Edge invariants and harmonics (the same for every layer).
        let Y = yCount
        tape.harmonics = [Double](repeating: 0, count: e * Y)
        tape.harmonicGradients = [Vector3](repeating: .zero, count: e * Y)
        tape.lengths = [Double](repeating: 0, count: e)
        tape.edgeInputs = [Double](repeating: 0, count: e * (Nb + G))
        tape.radialDerivatives = [Double](repeating: 0, count: e * Nb)
        tape.envelope = [Double](repeating: 0, count: e)
        tape.envelopeDerivative = [Double](repeating: 0, count: e)
        tape.couplingBasisDerivatives = [Double](repeating: 0, count: e * G)
        for k in 0..<e {
            let v = graph.vectors[k]
            let r = v.norm
            tape.lengths[k] = r
            let (y, dy) = harmonics.valuesAndGradients(v)
            for q in 0..<Y { tape.harmonics[k * Y + q] = y[q]; tape.harmonicGradients[k * Y + q] = dy[q] }
            let (rb, drb) = radial.evaluate(r)
            let (f, df) = radial.envelope(r)
            tape.envelope[k] = f
            tape.envelopeDerivative[k] = df
            let i = graph.receivers[k], j = graph.senders[k]
            let (gq, dgq) = couplingGaussians.evaluate(coupling(moments[i], moments[j]).q)
            for q in 0..<Nb { tape.edgeInputs[k * (Nb + G) + q] = rb[q]; tape.radialDerivatives[k * Nb + q] = drb[q] }
            for q in 0..<G { tape.edgeInputs[k * (Nb + G) + Nb + q] = gq[q]; tape.couplingBasisDerivatives[k * G + q] = dgq[q] }
        }

        // Interaction layers.
        let inverseNeighbors = 1 / c.averageNeighbors
        for layer in 0..<c.layers {
            tape.layerInputs.append(x)
            let w1 = weights["layer\(layer).radial1.weight"]!, b1 = weights["layer\(layer).radial1.bias"]!
            let w2 = weights["layer\(layer).radial2.weight"]!, b2 = weights["layer\(layer).radial2.bias"]!
            let wl = weights["layer\(layer).linear.weight"]!
            // Radial MLP for all edges at once: hidden = Z·W₁ᵀ + b₁, raw = SiLU(hidden)·W₂ᵀ + b₂.
            var hidden = BLAS.product(tape.edgeInputs, w1, m: e, n: H, k: Nb + G, transposeB: true, precision: precision, executor: executor)
            var activated = [Double](repeating: 0, count: e * H)
            for k in 0..<e { for q in 0..<H { hidden[k * H + q] += b1[q]; activated[k * H + q] = silu(hidden[k * H + q]) } }
            var raw = BLAS.product(activated, w2, m: e, n: P * C, k: H, transposeB: true, precision: precision, executor: executor)
            for k in 0..<e { for q in 0..<(P * C) { raw[k * P * C + q] += b2[q] } }
            var agg = [Double](repeating: 0, count: n * F)
            // Tensor-product messages over the non-zero coupling coefficients.
            x.withUnsafeBufferPointer { xp in
            agg.withUnsafeMutableBufferPointer { ap in
            raw.withUnsafeBufferPointer { rp in
            tape.harmonics.withUnsafeBufferPointer { yp in
              let chunks = tape.edgeChunks
              executor.forEachChunk { c in
                guard c < chunks.count else { return }
                for k in chunks[c] {
                    let f = tape.envelope[k] * inverseNeighbors
                    let i = graph.receivers[k], j = graph.senders[k]
                    for p in 0..<P {
                        let xin = j * F + blockOffsets[pathInput[p]], out = i * F + blockOffsets[pathOutput[p]]
                        let yBase = k * Y + pathL2[p] * pathL2[p]
                        let wo = k * P * C + p * C
                        for t in couplingStart[p]..<couplingStart[p + 1] {
                            let cy = f * couplingValue[t] * yp[yBase + couplingM2[t]]
                            let xo = xin + couplingM1[t] * C, oo = out + couplingM3[t] * C
                            for ch in 0..<C { ap[oo + ch] += cy * rp[wo + ch] * xp[xo + ch] }
                        }
                    }
                }
              }
            }}}}
            tape.hidden.append(hidden)
            tape.rawWeights.append(raw)
            tape.aggregates.append(agg)
            // Self-interaction (channel mixing per block) with a residual, then gates.
            var y = x
            for i in 0..<n {
                for (b, irrep) in blocks.enumerated() {
                    let d = irrep.dimension, base = i * F + blockOffsets[b], wb = b * C * C
                    for co in 0..<C {
                        for m in 0..<d {
                            var s = 0.0
                            for ci in 0..<C { s += wl[wb + co * C + ci] * agg[base + m * C + ci] }
                            y[base + m * C + co] += s
                        }
                    }
                }
            }
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

    /// Splits the edges into one contiguous range per thread, cutting only between receivers, so
    /// each thread owns the messages into its atoms (needs edges sorted by receiver; otherwise
    /// one chunk).
    func edgeChunks(_ graph: ModelGraph) -> [Range<Int>] {
        let e = graph.edgeCount
        let sorted = zip(graph.receivers, graph.receivers.dropFirst()).allSatisfy { $0 <= $1 }
        guard executor.threads > 1, sorted, e >= 256 else { return [0..<e] }
        var cuts = [0]
        for t in 1..<executor.threads {
            var k = e * t / executor.threads
            while k < e && k > 0 && graph.receivers[k] == graph.receivers[k - 1] { k += 1 }
            cuts.append(max(cuts.last!, k))
        }
        cuts.append(e)
        return (0..<executor.threads).map { cuts[$0]..<cuts[$0 + 1] }
    }

    /// The gate nonlinearity: SiLU on invariant scalars, tanh on the other scalars (odd, so
    /// parity and time reversal are kept), and l > 0 blocks scaled by σ(invariant scalar) of
    /// the same channel.
    func gate(_ y: [Double], nodes n: Int) -> [Double] {
        let C = configuration.channels, F = featureSize
        var out = y
        for i in 0..<n {
            let s0 = i * F + blockOffsets[scalarBlock]
            for (b, irrep) in blocks.enumerated() {
                let base = i * F + blockOffsets[b], d = irrep.dimension
                for ch in 0..<C {
                    if irrep.isInvariant {
                        out[base + ch] = silu(y[base + ch])
                    } else if irrep.l == 0 {
                        out[base + ch] = tanh(y[base + ch])
                    } else {
                        let g = sigmoid(y[s0 + ch])
                        for m in 0..<d { out[base + m * C + ch] = y[base + m * C + ch] * g }
                    }
                }
            }
        }
        return out
    }

    /// Backward pass: cotangents of the edge vectors and of the input moments for
    /// L = energyCotangent·E + Σᵢ spinCotangents[i]·Sᵢ.
    public func backward(_ tape: ModelTape, energyCotangent ebar: Double, spinCotangents: [Vector3]?) -> ModelInputGradients {
        backward(tape, energyCotangent: ebar, spinCotangents: spinCotangents, accumulate: nil)
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
    func backward(_ tape: ModelTape, energyCotangent ebar: Double, spinCotangents: [Vector3]?,
                  accumulate: ((String, [Double]) -> Void)?) -> ModelInputGradients {
        let c = configuration, graph = tape.graph
        let n = graph.nodeCount, e = graph.edgeCount, C = c.channels, F = featureSize
        let S = c.species.count, G = c.momentBasis, Nb = c.radialBasis, H = c.hidden, P = paths.count, Y = yCount
        var vbar = [Vector3](repeating: .zero, count: e)
        var mbar = [Vector3](repeating: .zero, count: n)

        // Readouts.
        var xbar = [Double](repeating: 0, count: n * F)
        let r1 = weights["readout1.weight"]!, r2 = weights["readout2.weight"]!, ws = weights["spin_readout.weight"]!
        let wantWeights = accumulate != nil, xf = tape.finalFeatures
        var r1bar = [Double](repeating: 0, count: wantWeights ? H * C : 0), rb1bar = [Double](repeating: 0, count: wantWeights ? H : 0)
        var r2bar = rb1bar, wsbar = [Double](repeating: 0, count: wantWeights ? C : 0)
        for i in 0..<n {
            let base = i * F + blockOffsets[scalarBlock]
            if ebar != 0 {
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

        // Edge-input cotangents accumulate over layers.
        var zbar = [Double](repeating: 0, count: e * (Nb + G))
        var fbar = [Double](repeating: 0, count: e)
        var ybarEdges = [Double](repeating: 0, count: e * Y)
        let inverseNeighbors = 1 / c.averageNeighbors
        for layer in stride(from: c.layers - 1, through: 0, by: -1) {
            let y = tape.preGate[layer], x = tape.layerInputs[layer]
            let w1 = weights["layer\(layer).radial1.weight"]!
            let w2 = weights["layer\(layer).radial2.weight"]!, wl = weights["layer\(layer).linear.weight"]!
            // Gates.
            var ybar = [Double](repeating: 0, count: n * F)
            for i in 0..<n {
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
            // Residual and channel mixing: y = x + W·agg.
            var xprev = ybar
            var aggbar = [Double](repeating: 0, count: n * F)
            var wlbar = [Double](repeating: 0, count: wantWeights ? wl.count : 0)
            let agg = tape.aggregates[layer]
            for i in 0..<n {
                for (b, irrep) in blocks.enumerated() {
                    let d = irrep.dimension, base = i * F + blockOffsets[b], wb = b * C * C
                    for co in 0..<C {
                        for m in 0..<d {
                            let g = ybar[base + m * C + co]
                            if g == 0 { continue }
                            for ci in 0..<C { aggbar[base + m * C + ci] += wl[wb + co * C + ci] * g }
                            if wantWeights { for ci in 0..<C { wlbar[wb + co * C + ci] += g * agg[base + m * C + ci] } }
                        }
                    }
                }
            }
            accumulate?("layer\(layer).linear.weight", wlbar)
            // Messages.
            let raw = tape.rawWeights[layer], hidden = tape.hidden[layer]
            var wbarAll = [Double](repeating: 0, count: e * P * C)
            let chunks = tape.edgeChunks
            // Sender contributions go to one buffer per chunk, summed in chunk order below.
            var senderBuffers = [Double](repeating: 0, count: chunks.count * n * F)
            x.withUnsafeBufferPointer { xp in
            senderBuffers.withUnsafeMutableBufferPointer { sbp in
            fbar.withUnsafeMutableBufferPointer { fbp in
            aggbar.withUnsafeBufferPointer { abp in
            raw.withUnsafeBufferPointer { rp in
            tape.harmonics.withUnsafeBufferPointer { yp in
            ybarEdges.withUnsafeMutableBufferPointer { ybp in
            wbarAll.withUnsafeMutableBufferPointer { wbp in
              executor.forEachChunk { c in
                guard c < chunks.count else { return }
                let xbp = sbp.baseAddress! + c * n * F
                for k in chunks[c] {
                    let i = graph.receivers[k], j = graph.senders[k]
                    let f = tape.envelope[k] * inverseNeighbors
                    var fRawSum = 0.0
                    for p in 0..<P {
                        let xin = j * F + blockOffsets[pathInput[p]], out = i * F + blockOffsets[pathOutput[p]]
                        let yBase = k * Y + pathL2[p] * pathL2[p]
                        let wo = k * P * C + p * C
                        for t in couplingStart[p]..<couplingStart[p + 1] {
                            let cv = couplingValue[t], yv = yp[yBase + couplingM2[t]]
                            let xo = xin + couplingM1[t] * C, oo = out + couplingM3[t] * C
                            var yAccumulated = 0.0
                            for ch in 0..<C {
                                let g = abp[oo + ch] * cv
                                let xv = xp[xo + ch], rawW = rp[wo + ch]
                                let gxy = g * xv * yv  // ∂L/∂(raw weight · f)
                                wbp[wo + ch] += gxy * f
                                fRawSum += gxy * rawW
                                xbp[xo + ch] += rawW * f * g * yv
                                yAccumulated += rawW * f * g * xv
                            }
                            ybp[yBase + couplingM2[t]] += yAccumulated
                        }
                    }
                    fbp[k] += fRawSum * inverseNeighbors
                }
              }
            }}}}}}}}
            for c in 0..<chunks.count {
                let base = c * n * F
                for q in 0..<(n * F) { xprev[q] += senderBuffers[base + q] }
            }
            // Radial MLP backward for all edges: āct = W̄·W₂, h̄ = āct ∘ SiLU′(hidden), Z̄ += h̄·W₁.
            var hbar = BLAS.product(wbarAll, w2, m: e, n: H, k: P * C, transposeB: false, precision: precision, executor: executor)
            if let accumulate {
                // W̄₂ = W̄ᵀ·SiLU(hidden), b̄₂ = Σ_edges W̄; W̄₁ = h̄ᵀ·Z, b̄₁ = Σ_edges h̄ (below).
                let activated = hidden.map(silu)
                accumulate("layer\(layer).radial2.weight",
                           BLAS.product(wbarAll, activated, m: P * C, n: H, k: e, transposeA: true, transposeB: false, precision: .double, executor: executor))
                accumulate("layer\(layer).radial2.bias", columnSums(wbarAll, rows: e, columns: P * C))
            }
            for q in 0..<(e * H) { hbar[q] *= siluDerivative(hidden[q]) }
            if let accumulate {
                accumulate("layer\(layer).radial1.weight",
                           BLAS.product(hbar, tape.edgeInputs, m: H, n: Nb + G, k: e, transposeA: true, transposeB: false, precision: .double, executor: executor))
                accumulate("layer\(layer).radial1.bias", columnSums(hbar, rows: e, columns: H))
            }
            let zadd = BLAS.product(hbar, w1, m: e, n: Nb + G, k: H, transposeB: false, precision: precision, executor: executor)
            for q in 0..<zadd.count { zbar[q] += zadd[q] }
            xbar = xprev
        }

        // Edge inputs → edge vectors and moments.
        for k in 0..<e {
            let v = graph.vectors[k], r = tape.lengths[k]
            var dr = fbar[k] * tape.envelopeDerivative[k]
            for q in 0..<Nb { dr += zbar[k * (Nb + G) + q] * tape.radialDerivatives[k * Nb + q] }
            var g = (dr / r) * v
            for q in 0..<Y { g += ybarEdges[k * Y + q] * tape.harmonicGradients[k * Y + q] }
            vbar[k] = g
            var qbar = 0.0
            for q in 0..<G { qbar += zbar[k * (Nb + G) + Nb + q] * tape.couplingBasisDerivatives[k * G + q] }
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
