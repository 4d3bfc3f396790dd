import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

/// Models and structures shared by the SpinMultiNet tests.
enum TestModels {
    /// A random NiO model whose spin map is contractive (so self-consistency converges).
    static func model(seed: UInt64 = 1, lMax: Int = 1, coupling: MomentCoupling? = nil) throws -> SpinMultiNetModel {
        var c = ModelConfiguration(species: [28, 8], referenceEnergies: [-4.0, -2.0])
        c.lMax = lMax
        c.momentCoupling = coupling
        c.cutoff = 4.5
        c.channels = 4
        c.hidden = 8
        c.averageNeighbors = 12
        let m = try SpinMultiNetModel(configuration: c, seed: seed)
        var g = SeededGenerator(seed: seed + 7)
        for name in m.weights.keys.sorted() where name.hasSuffix(".bias") { let w = m.weights[name]!; m.weights[name] = w.map { _ in 0.2 * g.nextGaussian() } }
        m.weights["spin_readout.weight"] = m.weights["spin_readout.weight"]!.map { 0.3 * $0 }
        m.weights["readout2.weight"] = m.weights["readout2.weight"]!.map { 20 * $0 }  // forces of a realistic size
        return m
    }

    /// A random model made magnetic: its gates close as |m| grows (the |m| Gaussians push the
    /// invariant scalars down) and its spin readout has a gain above one at small |m|, so the
    /// self-consistent spins settle at non-zero moments (about ±1.5 μB on Ni in AFM-II NiO)
    /// instead of collapsing to the trivial fixed point m* = 0 that a random model has.
    static func magneticModel(seed: UInt64 = 1) throws -> SpinMultiNetModel {
        let m = try model(seed: seed)
        let c = m.configuration
        let S = c.species.count, G = c.momentBasis
        var we = m.weights["embedding.weight"]!, be = m.weights["embedding.bias"]!
        for ch in 0..<c.channels {
            for k in 0..<G { we[ch * (S + G) + S + k] = -0.5 * c.momentRange * Double(k) / Double(G - 1) }
            be[ch] = 3
        }
        m.weights["embedding.weight"] = we
        m.weights["embedding.bias"] = be
        m.weights["spin_readout.weight"] = m.weights["spin_readout.weight"]!.map { $0 / 0.3 * 2.5 }
        return m
    }

    /// AFM-II NiO: the 4-atom rhombohedral cell repeated, rattled.
    static func nio(repeats: Int = 1, rattle: Double = 0.1, seed: UInt64 = 3) throws -> AtomicSystem {
        let a = 4.17, h = a / 2
        let v1 = Vector3(h, h, 0), v2 = Vector3(0, h, h), v3 = Vector3(h, 0, h)
        let cell = Matrix3(rows: v1 + v2, v2 + v3, v1 + v3)
        let ni = Element(symbol: "Ni")!, o = Element(symbol: "O")!
        let base: [(Vector3, Element, Double)] = [(.zero, ni, 2), (v1 + v2 + v3, ni, -2), (0.5 * (v1 + v2 + v3), o, 0), (1.5 * (v1 + v2 + v3), o, 0)]
        var species: [Element] = [], positions: [Vector3] = [], moments: [Double] = []
        for i in 0..<repeats { for j in 0..<repeats { for k in 0..<repeats {
            for (p, e, m) in base {
                positions.append(p + Double(i) * cell[0] + Double(j) * cell[1] + Double(k) * cell[2])
                species.append(e)
                moments.append(m)
            }
        } } }
        var s = AtomicSystem(species: species, positions: positions, cell: try Cell(matrix: Double(repeats) * cell),
                             initialMagneticMoments: .collinear(moments))
        var g = SeededGenerator(seed: seed)
        for i in 0..<s.atomCount { s.positions[i] += rattle * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
        return s
    }

    /// Self-consistent forces and virial against finite differences of E(R, m*(R)): steps of
    /// 10⁻⁴ Å and 10⁻⁵ strain keep the spins' convergence noise below the step.
    @discardableResult
    static func assertTotalDerivatives(_ p: SpinMultiNetPotential, _ s: AtomicSystem, file: StaticString = #filePath, line: UInt = #line) throws -> FiniteDifferenceCheck.Report {
        var check = FiniteDifferenceCheck()
        check.displacement = 1e-4
        check.strain = 1e-5
        let report = try check.run(p, s)
        XCTAssertLessThan(report.maxForceError, 2e-6 * max(1, report.maxForce), "\(report)", file: file, line: line)
        XCTAssertLessThan(report.maxVirialError!, 2e-5 * max(1, report.maxVirial!), "\(report)", file: file, line: line)
        return report
    }
}
