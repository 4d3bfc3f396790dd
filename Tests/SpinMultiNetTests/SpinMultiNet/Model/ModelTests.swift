import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

final class ModelTests: XCTestCase {
    static let ni = Element(symbol: "Ni")!, o = Element(symbol: "O")!

    func model(lMax: Int = 1, seed: UInt64 = 1, coupling: MomentCoupling? = nil) throws -> SpinMultiNetModel {
        try TestModels.model(seed: seed, lMax: lMax, coupling: coupling)
    }

    /// Every architecture variant the gradient and symmetry tests cover.
    let variants: [(lMax: Int, coupling: MomentCoupling)] = [(1, .dot), (2, .dot), (1, .normalized), (2, .normalized)]

    /// A small random cluster graph with all pairs within the cutoff.
    func cluster(seed: UInt64 = 3, atoms: Int = 6) -> (ModelGraph, [Vector3], [Vector3]) {
        var g = SeededGenerator(seed: seed)
        var positions: [Vector3] = []
        while positions.count < atoms {
            let p = 2.5 * Vector3(g.nextUniform(), g.nextUniform(), g.nextUniform())
            if positions.allSatisfy({ ($0 - p).norm > 1.2 }) { positions.append(p) }
        }
        let moments = (0..<atoms).map { _ in 1.5 * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
        return (graph(positions), positions, moments)
    }

    func graph(_ positions: [Vector3], cutoff: Double = 4.0) -> ModelGraph {
        var r: [Int] = [], s: [Int] = [], v: [Vector3] = []
        for i in positions.indices { for j in positions.indices where i != j {
            let d = positions[j] - positions[i]
            if d.norm < cutoff { r.append(i); s.append(j); v.append(d) }
        } }
        return ModelGraph(species: positions.indices.map { $0 % 2 }, receivers: r, senders: s, vectors: v)
    }

    func loss(_ m: SpinMultiNetModel, _ graph: ModelGraph, _ moments: [Vector3], _ sbar: [Vector3]) -> Double {
        let out = m.forward(graph, moments: moments).0
        return out.energy + zip(out.spins, sbar).reduce(0) { $0 + $1.0.dot($1.1) }
    }

    func testBackwardEqualsFiniteDifferences() throws {
        for (lMax, coupling) in variants {
            let m = try model(lMax: lMax, coupling: coupling)
            let (graph, positions, moments) = cluster()
            var g = SeededGenerator(seed: 9)
            let sbar = moments.map { _ in Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
            let (_, tape) = m.forward(graph, moments: moments)
            let grads = m.backward(tape, energyCotangent: 1, spinCotangents: sbar)
            // Edge-vector cotangents summed onto atoms: −∂L/∂rᵢ (a pair's radial part is
            // carried by one of its two edges, so single edge vectors are not perturbed).
            let forces = tape.geometry.forcesAndVirial(grads.edgeVectors, atomCount: positions.count).forces
            let h = 1e-6
            var worst = 0.0, scale = 0.0
            for i in positions.indices {
                for a in 0..<3 {
                    var p = positions, q = positions
                    p[i][a] += h
                    q[i][a] -= h
                    let fd = (loss(m, self.graph(p), moments, sbar) - loss(m, self.graph(q), moments, sbar)) / (2 * h)
                    worst = max(worst, abs(fd + forces[i][a]))
                    scale = max(scale, abs(fd))
                }
            }
            XCTAssertLessThan(worst, 1e-7 * max(1, scale), "positions, lMax \(lMax), \(coupling): worst \(worst), scale \(scale)")
            worst = 0; scale = 0
            for i in moments.indices {
                for a in 0..<3 {
                    var p = moments, q = moments
                    p[i][a] += h
                    q[i][a] -= h
                    let fd = (loss(m, graph, p, sbar) - loss(m, graph, q, sbar)) / (2 * h)
                    worst = max(worst, abs(fd - grads.moments[i][a]))
                    scale = max(scale, abs(fd))
                }
            }
            XCTAssertLessThan(worst, 1e-7 * max(1, scale), "moments, lMax \(lMax), \(coupling): worst \(worst), scale \(scale)")
            XCTAssertGreaterThan(scale, 1e-3, "gradients are not trivially zero")
        }
    }

    func testRotationReflectionAndTimeReversal() throws {
        for (lMax, coupling) in variants {
            let m = try model(lMax: lMax, coupling: coupling)
            let (_, positions, moments) = cluster(seed: 5, atoms: 7)
            let base = m.forward(graph(positions), moments: moments).0
            var g = SeededGenerator(seed: 11)
            for improper in [false, true] {
                var q = g.nextRotation()
                if improper { q = Matrix3.diagonal(Vector3(1, 1, -1)) * q }
                let det = q.determinant
                let rotated = m.forward(graph(positions.map { q.apply($0) + Vector3(0.3, 1, -2) }), moments: moments.map { det * q.apply($0) }).0
                XCTAssertEqual(rotated.energy, base.energy, accuracy: 1e-11 * max(1, abs(base.energy)))
                for i in moments.indices {
                    XCTAssertLessThan((rotated.spins[i] - det * q.apply(base.spins[i])).norm, 1e-11, "spins are axial vectors")
                }
            }
            // Time reversal: E(R, −m) = E(R, m), S(R, −m) = −S(R, m).
            let reversed = m.forward(graph(positions), moments: moments.map { -$0 }).0
            XCTAssertEqual(reversed.energy, base.energy, accuracy: 1e-12 * max(1, abs(base.energy)))
            for i in moments.indices { XCTAssertLessThan((reversed.spins[i] + base.spins[i]).norm, 1e-12) }
            // FM vs AFM at the same geometry: the model sees spin.
            let flipped = m.forward(graph(positions), moments: moments.enumerated().map { $0.offset == 0 ? -$0.element : $0.element }).0
            XCTAssertGreaterThan(abs(flipped.energy - base.energy), 1e-6)
        }
    }

    func testPermutationInvariance() throws {
        let m = try model()
        let (_, positions, moments) = cluster(seed: 6, atoms: 6)
        let base = m.forward(graph(positions), moments: moments).0
        let order = [3, 0, 5, 1, 4, 2]
        var gr = graph(order.map { positions[$0] })
        gr.species = order.map { $0 % 2 }
        let permuted = m.forward(gr, moments: order.map { moments[$0] }).0
        XCTAssertEqual(permuted.energy, base.energy, accuracy: 1e-12)
        for (k, i) in order.enumerated() { XCTAssertLessThan((permuted.spins[k] - base.spins[i]).norm, 1e-12) }
    }

    /// The energy is smooth where a moment passes through zero (the O moments of a
    /// self-consistent run do): the one-sided slopes at m = 0 agree. With the plain |m| they
    /// differed by 2·∂E/∂|m|, a kink that broke self-consistent forces.
    func testEnergyIsSmoothWhereAMomentCrossesZero() throws {
        let m = try TestModels.magneticModel()
        var (graph, _, moments) = cluster()
        graph.species = graph.species.map { _ in 1 }
        for axis in 0..<3 {
            func energy(_ x: Double) -> Double {
                var v = moments
                v[0] = .zero
                v[0][axis] = x
                return m.forward(graph, moments: v).0.energy
            }
            // Difference of the one-sided slopes: ∝ h for a smooth function, constant at a kink.
            func jump(_ h: Double) -> Double { abs((energy(h) - energy(0)) / h - (energy(0) - energy(-h)) / h) }
            let coarse = jump(1e-3), fine = jump(1e-4)
            XCTAssertLessThan(fine, 0.2 * coarse + 1e-9, "axis \(axis): slope jump \(coarse) at h = 1e-3, \(fine) at h = 1e-4")
        }
    }
}
