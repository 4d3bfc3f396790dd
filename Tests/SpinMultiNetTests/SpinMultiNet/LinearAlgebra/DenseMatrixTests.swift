import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential

/// The package's one dense solver (`DenseMatrix.solution`), used by the harmonics' constants and
/// the Anderson mixer of the adjoint.
final class DenseMatrixTests: XCTestCase {
    func random(_ rows: Int, _ columns: Int, _ g: inout SeededGenerator) -> DenseMatrix {
        DenseMatrix(rows: rows, columns: columns, values: (0..<rows * columns).map { _ in g.nextGaussian() })
    }

    func testSolutionsSatisfyTheSystem() throws {
        var g = SeededGenerator(seed: 11)
        for n in 1...8 {
            for columns in [1, 3] {
                var a = random(n, n, &g)
                for i in 0..<n { a[i, i] += Double(n) }  // well conditioned
                let b = random(n, columns, &g)
                let x = try XCTUnwrap(DenseMatrix.solution(a, b))
                XCTAssertLessThan(zip((a * x).values, b.values).map { abs($0 - $1) }.max()!, 1e-12 * Double(n))
                XCTAssertEqual(DenseMatrix.solve(a, b), x)
            }
        }
    }

    func testASingularMatrixHasNoSolution() {
        var g = SeededGenerator(seed: 12)
        for n in 2...6 {
            var a = random(n, n, &g)
            for j in 0..<n { a[n - 1, j] = 0 }  // a zero row: no pivot for the last column
            XCTAssertNil(DenseMatrix.solution(a, random(n, 1, &g)))
        }
    }

    func testTheAndersonMixerWithoutHistoryIsLinearMixing() {
        var g = SeededGenerator(seed: 13)
        for depth in [0, 3] {
            var mixer = AndersonMixer(depth: depth, mixing: 0.4)
            let x = (0..<5).map { _ in g.nextGaussian() }, gx = (0..<5).map { _ in g.nextGaussian() }
            XCTAssertEqual(mixer.next(x, gx), zip(x, gx).map { $0 + 0.4 * ($1 - $0) })
        }
    }

    func testTheAndersonMixerSolvesALinearFixedPointInFewSteps() {
        // x = Mx + c with a contraction M: Anderson with depth ≥ n is exact after n + 1 steps (up to rounding).
        var g = SeededGenerator(seed: 14)
        let n = 4
        var m = random(n, n, &g)
        m.values = m.values.map { 0.2 * $0 }
        let c = (0..<n).map { _ in g.nextGaussian() }
        func map(_ x: [Double]) -> [Double] { (0..<n).map { i in (0..<n).reduce(c[i]) { $0 + m[i, $1] * x[$1] } } }
        var mixer = AndersonMixer(depth: n, mixing: 1)
        var x = [Double](repeating: 0, count: n)
        for _ in 0..<(n + 2) { x = mixer.next(x, map(x)) }
        XCTAssertLessThan(zip(map(x), x).map { abs($0 - $1) }.max()!, 1e-9)
    }
}
