import Foundation
import SpinMDCore

/// The equivariant convolution of one layer, forward and backward side by side:
///
///   aggᵢ[out(p), m₃, c] = Σ_{j ∈ N(i)} f(rᵢⱼ)/n̄ · W_p,c(zᵢⱼ) · Σ_{m₁m₂} C^{m₃}_{m₁m₂} Y_{m₂}(r̂ᵢⱼ) · xⱼ[in(p), m₁, c]
///
/// with W(z) = SiLU(z·W₁ᵀ + b₁)·W₂ᵀ + b₂ the radial MLP of the pair invariants z (NequIP's
/// convolution, Batzner et al., Nat. Commun. 13, 2453 (2022)).
///
/// Work is split by pairs (`EdgeGeometry`): each thread takes a contiguous range of pairs and
/// walks it in blocks of `pairBlock`; a block's edge weights W (block × P·C) are made by one
/// matrix product into a per-thread buffer that stays in cache for the tensor products of both
/// directed edges of each pair. The backward pass remakes the block's W (one product) instead
/// of keeping E × P·C values (68 MB per layer at 512 atoms) in memory. Messages go into one
/// node buffer per thread, summed in thread order: bitwise reproducible for a thread count.
extension SpinMultiNetModel {
    /// Pointers to the coupling tables of the tensor-product paths.
    struct PathTables {
        let start: UnsafePointer<Int>, m1: UnsafePointer<Int>, m2: UnsafePointer<Int>, m3: UnsafePointer<Int>
        let value: UnsafePointer<Double>
        let input: UnsafePointer<Int>, output: UnsafePointer<Int>, l2: UnsafePointer<Int>
        let offsets: UnsafePointer<Int>, dimensions: UnsafePointer<Int>
    }

    func withPathTables<R>(_ body: (PathTables) -> R) -> R {
        couplingStart.withUnsafeBufferPointer { s in couplingM1.withUnsafeBufferPointer { a in couplingM2.withUnsafeBufferPointer { b in
        couplingM3.withUnsafeBufferPointer { c in couplingValue.withUnsafeBufferPointer { v in pathInput.withUnsafeBufferPointer { pi in
        pathOutput.withUnsafeBufferPointer { po in pathL2.withUnsafeBufferPointer { pl in blockOffsets.withUnsafeBufferPointer { o in
        blockDimensions.withUnsafeBufferPointer { d in
            body(PathTables(start: s.baseAddress!, m1: a.baseAddress!, m2: b.baseAddress!, m3: c.baseAddress!, value: v.baseAddress!,
                            input: pi.baseAddress!, output: po.baseAddress!, l2: pl.baseAddress!, offsets: o.baseAddress!, dimensions: d.baseAddress!))
        }}}}}}}}}}
    }

    /// The edge weights of pairs `first..<first+rows`: W = act·W₂ᵀ + b₂ (rows × P·C) into `out`.
    func edgeWeights(activated: UnsafePointer<Double>, rows: Int, w2: UnsafePointer<Double>, b2: UnsafePointer<Double>,
                     out: UnsafeMutablePointer<Double>, scratch: inout [Float], w2Single: [Float]) {
        let H = configuration.hidden, PC = paths.count * configuration.channels
        switch precision {
        case .double:
            BLAS.gemm(activated, lda: H, w2, ldb: H, out, ldc: PC, m: rows, n: PC, k: H, transposeB: true)
        case .mixed:
            if scratch.count < rows * (H + PC) { scratch = [Float](repeating: 0, count: rows * (H + PC)) }
            scratch.withUnsafeMutableBufferPointer { s in
                let a = s.baseAddress!, c = a + rows * H
                for q in 0..<(rows * H) { a[q] = Float(activated[q]) }
                w2Single.withUnsafeBufferPointer { w in BLAS.gemm(UnsafePointer(a), lda: H, w.baseAddress!, ldb: H, c, ldc: PC, m: rows, n: PC, k: H, transposeB: true) }
                for q in 0..<(rows * PC) { out[q] = Double(c[q]) }
            }
        }
        for r in 0..<rows { let row = out + r * PC; for q in 0..<PC { row[q] += b2[q] } }
    }

    /// The messages of one layer summed into each node: (nodeCount × F). Also fills the radial
    /// MLP's hidden pre-activations Z·W₁ᵀ + b₁ and their SiLU (pairs × H each) for the backward pass.
    func convolve(layer: Int, features x: [Double], tape: ModelTape, hidden: inout [Double], activated: inout [Double]) -> [Double] {
        let geometry = tape.geometry, graph = geometry.graph
        let n = graph.nodeCount, F = featureSize, C = configuration.channels, P = paths.count, PC = P * C, Y = yCount
        let chunks = tape.pairChunks
        let w1 = weights["layer\(layer).radial1.weight"]!, b1 = weights["layer\(layer).radial1.bias"]!
        let w2 = weights["layer\(layer).radial2.weight"]!, b2 = weights["layer\(layer).radial2.bias"]!
        let w2Single = precision == .mixed ? w2.map(Float.init) : []
        let inverseNeighbors = 1 / configuration.averageNeighbors
        let maxDimension = blocks.map(\.dimension).max()!
        let Z = configuration.radialBasis + configuration.momentBasis
        var agg = [Double](repeating: 0, count: n * F)
        var extra = [Double](repeating: 0, count: max(0, chunks.count - 1) * n * F)
        withPathTables { t in
        x.withUnsafeBufferPointer { xp in activated.withUnsafeMutableBufferPointer { ap in w2.withUnsafeBufferPointer { w2p in b2.withUnsafeBufferPointer { b2p in
        agg.withUnsafeMutableBufferPointer { aggp in extra.withUnsafeMutableBufferPointer { exp in
        hidden.withUnsafeMutableBufferPointer { hp in tape.edgeInputs.withUnsafeBufferPointer { zp in
        w1.withUnsafeBufferPointer { w1p in b1.withUnsafeBufferPointer { b1p in
        geometry.harmonics.withUnsafeBufferPointer { yp in geometry.pairEdges.withUnsafeBufferPointer { pe in
        graph.receivers.withUnsafeBufferPointer { rp in graph.senders.withUnsafeBufferPointer { sp in
            let H = configuration.hidden
            executor.forEachChunk { c in
                guard c < chunks.count else { return }
                let out = c == 0 ? aggp.baseAddress! : exp.baseAddress! + (c - 1) * n * F
                var weightsBlock = [Double](repeating: 0, count: pairBlock * PC)
                var scaled = [Double](repeating: 0, count: PC)
                var wx = [Double](repeating: 0, count: maxDimension * C)
                var scratch: [Float] = []
                weightsBlock.withUnsafeMutableBufferPointer { wb in scaled.withUnsafeMutableBufferPointer { fw in wx.withUnsafeMutableBufferPointer { wxp in
                    let wb = wb.baseAddress!, fw = fw.baseAddress!, wxp = wxp.baseAddress!
                    for first in stride(from: chunks[c].lowerBound, to: chunks[c].upperBound, by: pairBlock) {
                        let rows = min(pairBlock, chunks[c].upperBound - first)
                        // Hidden layer: Z·W₁ᵀ + b₁ and SiLU, then the edge weights.
                        let h = hp.baseAddress! + first * H, a = ap.baseAddress! + first * H
                        BLAS.gemm(zp.baseAddress! + first * Z, lda: Z, w1p.baseAddress!, ldb: Z, h, ldc: H, m: rows, n: H, k: Z, transposeB: true)
                        for q in 0..<(rows * H) { h[q] += b1p[q % H]; a[q] = silu(h[q]) }
                        edgeWeights(activated: a, rows: rows, w2: w2p.baseAddress!, b2: b2p.baseAddress!,
                                    out: wb, scratch: &scratch, w2Single: w2Single)
                        for r in 0..<rows {
                            let p = first + r
                            let f = geometry.envelope[p] * inverseNeighbors
                            let w = wb + r * PC
                            for q in 0..<PC { fw[q] = f * w[q] }
                            for side in 0..<2 {
                                let k = Int(pe[2 * p + side])
                                if k < 0 { continue }
                                Self.messageForward(t, paths: P, channels: C,
                                                    sender: xp.baseAddress! + sp[k] * F, receiver: out + rp[k] * F,
                                                    harmonics: yp.baseAddress! + k * Y, scaledWeights: fw, scratch: wxp)
                            }
                        }
                    }
                }}}
            }
        }}}}}}}}}}}}}}}
        Self.addThreadBuffers(extra, into: &agg)
        return agg
    }

    /// Adds the node buffers of threads 1, 2, … (each `total.count` long, back to back) into
    /// `total` (thread 0's), in thread order.
    static func addThreadBuffers(_ extra: [Double], into total: inout [Double]) {
        for base in stride(from: 0, to: extra.count, by: max(1, total.count)) {
            for q in total.indices { total[q] += extra[base + q] }
        }
    }

    /// One directed edge's messages into its receiver: for every path p,
    /// out[m₃] += Σ C·Y_{m₂} · (f·W_p ⊙ x_in[m₁]).
    @inline(__always)
    static func messageForward(_ t: PathTables, paths P: Int, channels C: Int,
                               sender x: UnsafePointer<Double>, receiver out: UnsafeMutablePointer<Double>,
                               harmonics y: UnsafePointer<Double>, scaledWeights fw: UnsafePointer<Double>, scratch wx: UnsafeMutablePointer<Double>) {
        if C == 16 {
            messageForward(SIMD16<Double>.self, t, paths: P, channels: C, sender: x, receiver: out, harmonics: y, scaledWeights: fw, scratch: wx)
        } else if C == 8 {
            messageForward(SIMD8<Double>.self, t, paths: P, channels: C, sender: x, receiver: out, harmonics: y, scaledWeights: fw, scratch: wx)
        } else if C % 4 == 0 {
            messageForward(SIMD4<Double>.self, t, paths: P, channels: C, sender: x, receiver: out, harmonics: y, scaledWeights: fw, scratch: wx)
        } else {
            messageForward(Double.self, t, paths: P, channels: C, sender: x, receiver: out, harmonics: y, scaledWeights: fw, scratch: wx)
        }
    }

    @inline(__always)
    static func messageForward<L: ChannelLane>(_: L.Type, _ t: PathTables, paths P: Int, channels C: Int,
                                               sender x: UnsafePointer<Double>, receiver out: UnsafeMutablePointer<Double>,
                                               harmonics y: UnsafePointer<Double>, scaledWeights fw: UnsafePointer<Double>, scratch wx: UnsafeMutablePointer<Double>) {
        for p in 0..<P {
            let xin = x + t.offsets[t.input[p]], o = out + t.offsets[t.output[p]]
            let d1 = t.dimensions[t.input[p]], w = fw + p * C
            for m in 0..<d1 {
                let s = xin + m * C, d = wx + m * C
                for ch in stride(from: 0, to: C, by: L.width) { (L.load(w + ch) * L.load(s + ch)).store(d + ch) }
            }
            let yb = y + t.l2[p] * t.l2[p]
            for q in t.start[p]..<t.start[p + 1] {
                let coefficient = L(t.value[q] * yb[t.m2[q]])
                let s = wx + t.m1[q] * C, d = o + t.m3[q] * C
                for ch in stride(from: 0, to: C, by: L.width) { (L.load(d + ch) + coefficient * L.load(s + ch)).store(d + ch) }
            }
        }
    }

    /// Backward of `convolve`: adds the cotangents of the layer's input features into
    /// `featureCotangent`, of the pair envelopes into `envelopeCotangent` (pairs) and of the edge
    /// harmonics into `harmonicCotangent` (edges × Y); returns the cotangent of the MLP's hidden
    /// pre-activations (pairs × H), and gives the radial2 weight cotangents to `accumulate`.
    func convolveBackward(layer: Int, tape: ModelTape, aggregateCotangent aggbar: [Double], featureCotangent xbar: inout [Double],
                          envelopeCotangent fbar: inout [Double], harmonicCotangent ybar: inout [Double],
                          accumulate: ((String, [Double]) -> Void)?) -> [Double] {
        let geometry = tape.geometry, graph = geometry.graph
        let n = graph.nodeCount, F = featureSize, C = configuration.channels, P = paths.count, PC = P * C, Y = yCount, H = configuration.hidden
        let chunks = tape.pairChunks, pairs = geometry.pairCount
        let x = tape.layerInputs[layer], activated = tape.activated[layer], hidden = tape.hidden[layer]
        let w2 = weights["layer\(layer).radial2.weight"]!, b2 = weights["layer\(layer).radial2.bias"]!
        let w2Single = precision == .mixed ? w2.map(Float.init) : []
        let inverseNeighbors = 1 / configuration.averageNeighbors
        let wantWeights = accumulate != nil
        var hbar = [Double](repeating: 0, count: pairs * H)
        var extra = [Double](repeating: 0, count: max(0, chunks.count - 1) * n * F)
        // Per-thread cotangents of W₂ (PC × H) and b₂, summed in thread order.
        var w2bar = [Double](repeating: 0, count: wantWeights ? chunks.count * PC * H : 0)
        var b2bar = [Double](repeating: 0, count: wantWeights ? chunks.count * PC : 0)
        withPathTables { t in
        x.withUnsafeBufferPointer { xp in activated.withUnsafeBufferPointer { ap in hidden.withUnsafeBufferPointer { hp in
        w2.withUnsafeBufferPointer { w2p in b2.withUnsafeBufferPointer { b2p in
        aggbar.withUnsafeBufferPointer { abp in xbar.withUnsafeMutableBufferPointer { xbp in extra.withUnsafeMutableBufferPointer { exp in
        hbar.withUnsafeMutableBufferPointer { hbp in fbar.withUnsafeMutableBufferPointer { fbp in ybar.withUnsafeMutableBufferPointer { ybp in
        w2bar.withUnsafeMutableBufferPointer { w2bp in b2bar.withUnsafeMutableBufferPointer { b2bp in
        geometry.harmonics.withUnsafeBufferPointer { yp in geometry.pairEdges.withUnsafeBufferPointer { pe in
        graph.receivers.withUnsafeBufferPointer { rp in graph.senders.withUnsafeBufferPointer { sp in
            executor.forEachChunk { c in
                guard c < chunks.count else { return }
                let xout = c == 0 ? xbp.baseAddress! : exp.baseAddress! + (c - 1) * n * F
                var weightsBlock = [Double](repeating: 0, count: pairBlock * PC)
                var weightsBar = [Double](repeating: 0, count: pairBlock * PC)
                var activatedBar = [Double](repeating: 0, count: pairBlock * H)
                var scaled = [Double](repeating: 0, count: PC)
                var scratch: [Float] = []
                weightsBlock.withUnsafeMutableBufferPointer { wb in weightsBar.withUnsafeMutableBufferPointer { wbar in
                activatedBar.withUnsafeMutableBufferPointer { abar in scaled.withUnsafeMutableBufferPointer { fw in
                    let wb = wb.baseAddress!, wbar = wbar.baseAddress!, abar = abar.baseAddress!, fw = fw.baseAddress!
                    for first in stride(from: chunks[c].lowerBound, to: chunks[c].upperBound, by: pairBlock) {
                        let rows = min(pairBlock, chunks[c].upperBound - first)
                        edgeWeights(activated: ap.baseAddress! + first * H, rows: rows, w2: w2p.baseAddress!, b2: b2p.baseAddress!,
                                    out: wb, scratch: &scratch, w2Single: w2Single)
                        wbar.update(repeating: 0, count: rows * PC)
                        for r in 0..<rows {
                            let p = first + r
                            let f = geometry.envelope[p] * inverseNeighbors
                            let w = wb + r * PC
                            for q in 0..<PC { fw[q] = f * w[q] }
                            var envelopeSum = 0.0
                            for side in 0..<2 {
                                let k = Int(pe[2 * p + side])
                                if k < 0 { continue }
                                envelopeSum += Self.messageBackward(t, paths: P, channels: C, envelope: f,
                                                                    receiverCotangent: abp.baseAddress! + rp[k] * F,
                                                                    sender: xp.baseAddress! + sp[k] * F, senderCotangent: xout + sp[k] * F,
                                                                    harmonics: yp.baseAddress! + k * Y, harmonicCotangent: ybp.baseAddress! + k * Y,
                                                                    weights: w, scaledWeights: fw, weightCotangent: wbar + r * PC)
                            }
                            fbp[p] += envelopeSum * inverseNeighbors
                        }
                        // āct = W̄·W₂, h̄ = āct ∘ SiLU′(hidden).
                        BLAS.gemm(UnsafePointer(wbar), lda: PC, w2p.baseAddress!, ldb: H, abar, ldc: H, m: rows, n: H, k: PC)
                        for r in 0..<rows {
                            let p = first + r
                            for q in 0..<H { hbp[p * H + q] = abar[r * H + q] * siluDerivative(hp[p * H + q]) }
                        }
                        if wantWeights {
                            // W̄₂ += W̄ᵀ·act, b̄₂ += Σ_rows W̄.
                            BLAS.gemm(UnsafePointer(wbar), lda: PC, ap.baseAddress! + first * H, ldb: H, w2bp.baseAddress! + c * PC * H, ldc: H,
                                      m: PC, n: H, k: rows, transposeA: true, beta: 1)
                            let bb = b2bp.baseAddress! + c * PC
                            for r in 0..<rows { for q in 0..<PC { bb[q] += wbar[r * PC + q] } }
                        }
                    }
                }}}}
            }
        }}}}}}}}}}}}}}}}}}
        Self.addThreadBuffers(extra, into: &xbar)
        if let accumulate {
            var w2Total = Array(w2bar[0..<(PC * H)]), b2Total = Array(b2bar[0..<PC])
            for c in 1..<max(1, chunks.count) {
                for q in 0..<(PC * H) { w2Total[q] += w2bar[c * PC * H + q] }
                for q in 0..<PC { b2Total[q] += b2bar[c * PC + q] }
            }
            accumulate("layer\(layer).radial2.weight", w2Total)
            accumulate("layer\(layer).radial2.bias", b2Total)
        }
        return hbar
    }

    /// Backward of `messageForward` for one directed edge with receiver cotangent ā: adds
    /// x̄_in[m₁] += f·W ⊙ u[m₁] with u[m₁] = Σ C·Y_{m₂}·ā[m₃], W̄ += f·Σ_{m₁} u[m₁] ⊙ x_in[m₁],
    /// Ȳ_{m₂} += Σ C·⟨f·W ⊙ ā[m₃], x_in[m₁]⟩, and returns Σ_p ⟨W, Σ_{m₁} u ⊙ x_in⟩ (the cotangent
    /// of f before the 1/n̄ factor).
    @inline(__always)
    static func messageBackward(_ t: PathTables, paths P: Int, channels C: Int, envelope f: Double,
                                receiverCotangent abar: UnsafePointer<Double>, sender x: UnsafePointer<Double>,
                                senderCotangent xbar: UnsafeMutablePointer<Double>,
                                harmonics y: UnsafePointer<Double>, harmonicCotangent ybar: UnsafeMutablePointer<Double>,
                                weights w: UnsafePointer<Double>, scaledWeights fw: UnsafePointer<Double>,
                                weightCotangent wbar: UnsafeMutablePointer<Double>) -> Double {
        if C == 16 {
            return messageBackward(SIMD16<Double>.self, t, paths: P, channels: C, envelope: f, receiverCotangent: abar, sender: x, senderCotangent: xbar,
                                   harmonics: y, harmonicCotangent: ybar, weights: w, scaledWeights: fw, weightCotangent: wbar)
        }
        if C == 8 {
            return messageBackward(SIMD8<Double>.self, t, paths: P, channels: C, envelope: f, receiverCotangent: abar, sender: x, senderCotangent: xbar,
                                   harmonics: y, harmonicCotangent: ybar, weights: w, scaledWeights: fw, weightCotangent: wbar)
        }
        if C % 4 == 0 {
            return messageBackward(SIMD4<Double>.self, t, paths: P, channels: C, envelope: f, receiverCotangent: abar, sender: x, senderCotangent: xbar,
                                   harmonics: y, harmonicCotangent: ybar, weights: w, scaledWeights: fw, weightCotangent: wbar)
        }
        return messageBackward(Double.self, t, paths: P, channels: C, envelope: f, receiverCotangent: abar, sender: x, senderCotangent: xbar,
                               harmonics: y, harmonicCotangent: ybar, weights: w, scaledWeights: fw, weightCotangent: wbar)
    }

    @inline(__always)
    static func messageBackward<L: ChannelLane>(_: L.Type, _ t: PathTables, paths P: Int, channels C: Int, envelope f: Double,
                                                receiverCotangent abar: UnsafePointer<Double>, sender x: UnsafePointer<Double>,
                                                senderCotangent xbar: UnsafeMutablePointer<Double>,
                                                harmonics y: UnsafePointer<Double>, harmonicCotangent ybar: UnsafeMutablePointer<Double>,
                                                weights w: UnsafePointer<Double>, scaledWeights fw: UnsafePointer<Double>,
                                                weightCotangent wbar: UnsafeMutablePointer<Double>) -> Double {
        // Per coupling (m₁, m₂, m₃, c) of path p, with ā = ā[out(p), m₃] and x = x_in[m₁]:
        //   W̄_p += f·c·Y_{m₂}·ā ⊙ x,   x̄[m₁] += c·Y_{m₂}·(f·W_p ⊙ ā),   Ȳ_{m₂} += c·⟨f·W_p ⊙ ā, x⟩,
        // one group of channels at a time so the W̄ sum stays in registers.
        var envelopeSum = 0.0
        let fl = L(f)
        for g in stride(from: 0, to: C, by: L.width) {
            var envelopeGroup = L(0)
            for p in 0..<P {
                let a = abar + t.offsets[t.output[p]] + g, xin = x + t.offsets[t.input[p]] + g, xb = xbar + t.offsets[t.input[p]] + g
                let l2 = t.l2[p], yb = y + l2 * l2, yo = ybar + l2 * l2
                let fwp = L.load(fw + p * C + g)
                var weightGroup = L(0)
                for q in t.start[p]..<t.start[p + 1] {
                    let cv = t.value[q], m1 = t.m1[q] * C, m2 = t.m2[q]
                    let coefficient = L(cv * yb[m2])
                    let av = L.load(a + t.m3[q] * C), xv = L.load(xin + m1)
                    let fwa = fwp * av
                    weightGroup = weightGroup + coefficient * (av * xv)
                    (L.load(xb + m1) + coefficient * fwa).store(xb + m1)
                    yo[m2] += cv * (fwa * xv).sum
                }
                (L.load(wbar + p * C + g) + fl * weightGroup).store(wbar + p * C + g)
                envelopeGroup = envelopeGroup + L.load(w + p * C + g) * weightGroup
            }
            envelopeSum += envelopeGroup.sum
        }
        return envelopeSum
    }
}

/// A group of channels the tensor-product kernels process together: one Double, or a SIMD
/// vector of them (loads and stores are unaligned).
protocol ChannelLane {
    static var width: Int { get }
    init(_ value: Double)
    static func load(_ p: UnsafePointer<Double>) -> Self
    func store(_ p: UnsafeMutablePointer<Double>)
    static func + (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var sum: Double { get }
}

extension Double: ChannelLane {
    static var width: Int { 1 }
    @inline(__always) static func load(_ p: UnsafePointer<Double>) -> Double { p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>) { p.pointee = self }
    var sum: Double { self }
}

extension ChannelLane where Self: SIMD, Scalar == Double {
    @inline(__always) static var width: Int { scalarCount }
    @inline(__always) init(_ value: Double) { self.init(repeating: value) }
    @inline(__always) static func load(_ p: UnsafePointer<Double>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    var sum: Double { self.sum() }
}

extension SIMD4<Double>: ChannelLane {}
extension SIMD8<Double>: ChannelLane {}
extension SIMD16<Double>: ChannelLane {}
