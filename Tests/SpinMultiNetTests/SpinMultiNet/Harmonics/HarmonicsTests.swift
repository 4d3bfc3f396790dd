import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

final class HarmonicsTests: XCTestCase {
    func randomUnit(_ g: inout SeededGenerator) -> Vector3 {
        let v = Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian())
        return v / v.norm
    }

    func randomRotation(_ g: inout SeededGenerator) -> Matrix3 { g.nextRotation() }

    func testIrrepLabelsAndProducts() {
        XCTAssertEqual(Irrep("1e-"), Irrep.magneticMoment)
        XCTAssertEqual(Irrep.harmonic(1).description, "1o+")
        XCTAssertEqual(Irrep.harmonic(2).description, "2e+")
        XCTAssertNil(Irrep("1x+"))
        // A moment times a displacement harmonic: time-odd, parity odd.
        XCTAssertEqual(Irrep.magneticMoment * Irrep.harmonic(1), [Irrep("0o-")!, Irrep("1o-")!, Irrep("2o-")!])
        // m·m is an invariant scalar; so time-reversal-even features come from even products.
        XCTAssertTrue((Irrep.magneticMoment * Irrep.magneticMoment)[0].isInvariant)
    }

    func testComponentNormalizationAndOrthogonality() {
        let sh = SphericalHarmonics(lMax: 3)
        var g = SeededGenerator(seed: 1)
        // Σ_m Y_lm² = 2l + 1 in every direction.
        for _ in 0..<20 {
            let y = sh.values(randomUnit(&g) * 2.7)
            for l in 0...3 {
                let s = (-l...l).reduce(0.0) { $0 + y[SphericalHarmonics.index(l, $1)] * y[SphericalHarmonics.index(l, $1)] }
                XCTAssertEqual(s, Double(2 * l + 1), accuracy: 1e-12)
            }
        }
        // ⟨Y_a Y_b⟩ over the sphere = δ_ab (Monte Carlo on a dense spiral grid).
        let points = WignerD.samples(20000)
        var gram = [Double](repeating: 0, count: sh.count * sh.count)
        for p in points {
            let y = sh.values(p)
            for a in 0..<sh.count { for b in 0..<sh.count { gram[a * sh.count + b] += y[a] * y[b] / Double(points.count) } }
        }
        for a in 0..<sh.count { for b in 0..<sh.count { XCTAssertEqual(gram[a * sh.count + b], a == b ? 1 : 0, accuracy: 2e-3) } }
        // Known low orders: l = 1 is √3·(y, z, x).
        let v = Vector3(0.36, -0.48, 0.8)
        let y = sh.values(v)
        XCTAssertEqual(y[1], 3.0.squareRoot() * v.y, accuracy: 1e-14)
        XCTAssertEqual(y[2], 3.0.squareRoot() * v.z, accuracy: 1e-14)
        XCTAssertEqual(y[3], 3.0.squareRoot() * v.x, accuracy: 1e-14)
        XCTAssertEqual(y[6], 5.0.squareRoot() * (3 * v.z * v.z - 1) / 2, accuracy: 1e-14)
    }

    func testGradientsEqualFiniteDifferences() {
        let sh = SphericalHarmonics(lMax: 3)
        var g = SeededGenerator(seed: 2)
        for _ in 0..<10 {
            let r = randomUnit(&g) * (1 + 3 * g.nextUniform())
            let (_, grads) = sh.valuesAndGradients(r)
            for a in 0..<3 {
                var p = r, m = r
                p[a] += 1e-6
                m[a] -= 1e-6
                let yp = sh.values(p), ym = sh.values(m)
                for k in 0..<sh.count { XCTAssertEqual((yp[k] - ym[k]) / 2e-6, grads[k][a], accuracy: 1e-7) }
            }
        }
    }

    func testRotationMatricesAreOrthogonalRepresentations() {
        var g = SeededGenerator(seed: 3)
        for l in 0...3 {
            let q1 = randomRotation(&g), q2 = randomRotation(&g)
            let d1 = WignerD.matrix(l: l, rotation: q1), d2 = WignerD.matrix(l: l, rotation: q2)
            let d12 = WignerD.matrix(l: l, rotation: q1 * q2)
            XCTAssertLessThan((d12.values.enumerated().map { $0.element - (d1 * d2).values[$0.offset] }).map(abs).max()!, 1e-11)
            let ddt = d1 * d1.transpose
            XCTAssertLessThan(zip(ddt.values, DenseMatrix.identity(2 * l + 1).values).map { abs($0 - $1) }.max()!, 1e-11)
            // Inversion acts as (−1)^l: the harmonics of a displacement have parity (−1)^l.
            let inv = WignerD.matrix(l: l, rotation: Matrix3.diagonal(Vector3(-1, -1, -1)))
            XCTAssertLessThan(zip(inv.values, DenseMatrix.identity(2 * l + 1).values.map { $0 * (l % 2 == 0 ? 1 : -1) }).map { abs($0 - $1) }.max()!, 1e-11)
        }
    }

    func testClebschGordanCouplingIsEquivariant() throws {
        var g = SeededGenerator(seed: 4)
        for l1 in 0...2 { for l2 in 0...2 { for l3 in abs(l1 - l2)...(l1 + l2) {
            let c = try XCTUnwrap(ClebschGordan.coefficients(l1, l2, l3))
            let (n1, n2, n3) = (2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1)
            XCTAssertEqual(c.reduce(0) { $0 + $1 * $1 }, Double(n3), accuracy: 1e-10)
            // couple(D1 x, D2 y) = D3 couple(x, y) for random x, y and a rotation not used to build C.
            let q = randomRotation(&g)
            let d1 = WignerD.matrix(l: l1, rotation: q), d2 = WignerD.matrix(l: l2, rotation: q), d3 = WignerD.matrix(l: l3, rotation: q)
            let x = (0..<n1).map { _ in g.nextGaussian() }, y = (0..<n2).map { _ in g.nextGaussian() }
            func couple(_ x: [Double], _ y: [Double]) -> [Double] {
                var out = [Double](repeating: 0, count: n3)
                for a in 0..<n1 { for b in 0..<n2 { for k in 0..<n3 { out[k] += c[(a * n2 + b) * n3 + k] * x[a] * y[b] } } }
                return out
            }
            func apply(_ d: DenseMatrix, _ v: [Double]) -> [Double] { (0..<d.rows).map { i in (0..<d.columns).reduce(0) { $0 + d[i, $1] * v[$1] } } }
            let lhs = couple(apply(d1, x), apply(d2, y)), rhs = apply(d3, couple(x, y))
            for k in 0..<n3 { XCTAssertEqual(lhs[k], rhs[k], accuracy: 1e-10, "(\(l1), \(l2), \(l3))") }
        } } }
        XCTAssertNil(ClebschGordan.coefficients(1, 1, 3))
    }

    func testClebschGordanLowOrdersAreDotAndCrossProducts() throws {
        // 1 ⊗ 1 → 0 ∝ the dot product; 1 ⊗ 1 → 1 ∝ the cross product (in the (y, z, x) order).
        let c0 = try XCTUnwrap(ClebschGordan.coefficients(1, 1, 0))
        let c1 = try XCTUnwrap(ClebschGordan.coefficients(1, 1, 1))
        let u = Vector3(0.3, -1.2, 0.5), v = Vector3(-0.7, 0.4, 1.1)
        let uy = [u.y, u.z, u.x], vy = [v.y, v.z, v.x]
        var s = 0.0
        var w = [0.0, 0.0, 0.0]
        for a in 0..<3 { for b in 0..<3 { s += c0[a * 3 + b] * uy[a] * vy[b]; for k in 0..<3 { w[k] += c1[(a * 3 + b) * 3 + k] * uy[a] * vy[b] } } }
        XCTAssertEqual(s / u.dot(v), c0[0], accuracy: 1e-12)  // a fixed multiple of u·v
        let cross = u.cross(v), cy = [cross.y, cross.z, cross.x]
        let ratio = w[0] / cy[0]
        for k in 0..<3 { XCTAssertEqual(w[k], ratio * cy[k], accuracy: 1e-12) }
    }

    func testRadialBasisDerivativesAndSmoothCutoff() {
        let basis = RadialBasis(count: 8, cutoff: 5.0)
        for r in stride(from: 0.7, to: 4.99, by: 0.37) {
            let (_, d) = basis.evaluate(r)
            let (p, _) = basis.evaluate(r + 1e-6), (m, _) = basis.evaluate(r - 1e-6)
            for k in 0..<8 { XCTAssertEqual((p[k] - m[k]) / 2e-6, d[k], accuracy: 1e-6) }
        }
        let (v, d) = basis.evaluate(5.0 - 1e-9)
        XCTAssertLessThan(v.map(abs).max()!, 1e-12, "values vanish at the cutoff")
        XCTAssertLessThan(d.map(abs).max()!, 1e-6, "and so do derivatives")
        XCTAssertEqual(basis.evaluate(5.2).values, [Double](repeating: 0, count: 8))
        XCTAssertEqual(basis.envelope(0.0001).value, 1, accuracy: 1e-12)
    }
}
