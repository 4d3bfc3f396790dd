import Foundation
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

/// Labelled data the training tests make themselves.
enum TrainingData {
    typealias Frame = (system: AtomicSystem, result: PotentialResult, extra: [(String, String)])

    /// Writes frames as ASE-style extxyz (initial_magmoms, forces, magmoms, energy, stress).
    static func write(_ frames: [Frame], to path: String) throws {
        let text = frames.map { ExtendedXYZ.format($0.system, result: $0.result, extra: $0.extra) }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Rattled AFM-II NiO cells labelled by a teacher model with fixed spins.
    static func teacherFrames(_ teacher: SpinMultiNetModel, count: Int, seed: UInt64) throws -> [Frame] {
        let potential = SpinMultiNetPotential(model: teacher, mode: .fixed)
        var g = SeededGenerator(seed: seed)
        return try (0..<count).map { k in
            var s = try TestModels.nio(rattle: 0.1, seed: seed &+ UInt64(k))
            let scale = 0.7 + 0.6 * g.nextUniform()
            if case let .collinear(m) = s.initialMagneticMoments { s.initialMagneticMoments = .collinear(m.map { $0 * scale }) }
            let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: teacher.configuration.cutoff, kind: .full)
            let r = try potential.evaluate(s, neighbors: list, request: [.energy, .forces, .virial, .magneticMoments])
            return (s, r, [("order", k % 2 == 0 ? "afm2" : "afm2-scaled")])
        }
    }
}

/// An analytic spin–lattice energy for bcc "Fe" cells, the training target of the toy test:
///
///     E = Σ_{i<j} [V(r) + J(r) mᵢ·mⱼ] + Σᵢ (aᵢ mᵢ² + b mᵢ⁴),   aᵢ = a₀ + a₁ Σⱼ f(rᵢⱼ)(r₀/rᵢⱼ)³
///
/// with V(r) = ε[(r₀/r)¹² − 2(r₀/r)⁶]f(r), an antiferromagnetic exchange J(r) = J₀(r₀/r)⁶f(r)
/// and f(r) = (1 − (r/r_c)²)² a smooth cutoff. The "converged" moments are the Landau minima
/// |mᵢ| = √(−aᵢ/2b) with the sign of the initial moment (a magneto-volume effect: they shrink
/// when neighbours come closer), and the forces are central differences of E at fixed signs.
struct HeisenbergToy {
    var epsilon = 0.3, r0 = 2.5, j0 = 0.012, a0 = -0.5, a1 = 0.05, b = 0.05, cutoff = 3.5

    func switching(_ r: Double) -> Double { r < cutoff ? pow(1 - (r / cutoff) * (r / cutoff), 2) : 0 }

    /// Every pair (i, j, r) within the cutoff, each unordered pair once (images included).
    func pairs(_ s: AtomicSystem) -> [(Int, Int, Double)] {
        var out: [(Int, Int, Double)] = []
        let m = s.cell.matrix
        for i in 0..<s.atomCount {
            for j in i..<s.atomCount {
                for a in -2...2 { for b in -2...2 { for c in -2...2 {
                    if i == j && (a, b, c) <= (0, 0, 0) { continue }
                    let shift = m.leftApply(Vector3(Double(a), Double(b), Double(c)))
                    let r = (s.positions[j] + shift - s.positions[i]).norm
                    if r < cutoff { out.append((i, j, r)) }
                } } }
            }
        }
        return out
    }

    /// Energy [eV] and moments [μB] for the signs of `signs`.
    func evaluate(_ s: AtomicSystem, signs: [Double]) -> (Double, [Double]) {
        let p = pairs(s)
        var a = [Double](repeating: a0, count: s.atomCount)
        for (i, j, r) in p {
            let w = a1 * switching(r) * pow(r0 / r, 3)
            a[i] += w; a[j] += w
        }
        let m = (0..<s.atomCount).map { signs[$0] * (-a[$0] / (2 * b)).squareRoot() }
        var e = 0.0
        for (i, j, r) in p {
            let x = pow(r0 / r, 6)
            e += (epsilon * (x * x - 2 * x) + j0 * x * m[i] * m[j]) * switching(r)
        }
        for i in 0..<s.atomCount { e += a[i] * m[i] * m[i] + b * pow(m[i], 4) }
        return (e, m)
    }

    /// A labelled frame: energy, central-difference forces and moments.
    func label(_ s: AtomicSystem, signs: [Double]) -> PotentialResult {
        let (e, m) = evaluate(s, signs: signs)
        var forces = [Vector3](repeating: .zero, count: s.atomCount)
        let h = 1e-5
        for i in 0..<s.atomCount {
            for k in 0..<3 {
                var plus = s, minus = s
                plus.positions[i][k] += h; minus.positions[i][k] -= h
                forces[i][k] = -(evaluate(plus, signs: signs).0 - evaluate(minus, signs: signs).0) / (2 * h)
            }
        }
        var r = PotentialResult(energy: e)
        r.forces = forces
        r.magneticMoments = .collinear(m)
        return r
    }

    /// A bcc cell of 2·nx atoms (cubic cell a = 2.87 Å repeated nx times along x), strained and
    /// rattled, with moments ±2 μB × scale by `signs`.
    static func cell(nx: Int, signs: [Double], strain: Double, rattle: Double, scale: Double, _ g: inout SeededGenerator) throws -> AtomicSystem {
        let a = 2.87
        var positions: [Vector3] = []
        for k in 0..<nx { positions += [Vector3(Double(k) * a, 0, 0), Vector3((Double(k) + 0.5) * a, 0.5 * a, 0.5 * a)] }
        var e = Matrix3((0..<9).map { _ in strain * (2 * g.nextUniform() - 1) }).symmetricPart
        e = e + Matrix3.identity
        let cell = Matrix3(rows: e.apply(Vector3(Double(nx) * a, 0, 0)), e.apply(Vector3(0, a, 0)), e.apply(Vector3(0, 0, a)))
        positions = positions.map { e.apply($0) + rattle * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) }
        let fe = Element(symbol: "Fe")!
        return AtomicSystem(species: Array(repeating: fe, count: positions.count), positions: positions, cell: try Cell(matrix: cell),
                            initialMagneticMoments: .collinear(signs.map { 2 * scale * $0 }))
    }
}
