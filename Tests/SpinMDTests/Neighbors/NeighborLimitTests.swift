import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// Issue 24, class 2: the neighbour-list builder's memory does not grow with how far atoms sit
/// outside the cell, its lists stay those of brute force, and absurd radii are refused.
final class NeighborLimitTests: XCTestCase {
    func assertMatchesOracle(_ positions: [Vector3], _ cell: Cell, radius: Double, file: StaticString = #filePath, line: UInt = #line) {
        let oracle = BruteForceNeighbors.pairs(positions: positions, cell: cell, radius: radius)
        for kind in [NeighborList.Kind.full, .half] {
            let list = CellListBuilder().build(positions: positions, cell: cell, radius: radius, kind: kind)
            var pairs = Set<BruteForceNeighbors.Pair>()
            for p in BruteForceNeighbors.pairs(of: list) {
                pairs.insert(p)
                if kind == .half { pairs.insert(.init(i: p.j, j: p.i, image: 0 &- p.image)) }
            }
            XCTAssertEqual(pairs, oracle, "\(kind) list differs from brute force", file: file, line: line)
            // Memory: the translation table stays small however far the atoms are.
            XCTAssertLessThan(list.shifts.count, 2000 + list.pairCount, "translation table grows with the distance", file: file, line: line)
        }
    }

    func testNeighborMemoryIsBoundedForAtomsFarOutsideCell() throws {
        var g = SeededGenerator(seed: 24)
        let cell = try Cell(matrix: Matrix3([4.2, 0, 0, 0.3, 4.0, 0, 0.2, -0.4, 4.4]), pbc: [true, true, true])
        for offset in [300.0, 1000.0, 1e6] {
            var positions: [Vector3] = []
            for _ in 0..<12 {
                let s = Vector3(g.nextUniform(), g.nextUniform(), g.nextUniform())
                // Every other atom far outside, in a different image each.
                let far = positions.count % 2 == 0 ? Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) * offset : .zero
                positions.append(cell.cartesian(s) + far)
            }
            assertMatchesOracle(positions, cell, radius: 5.0)
        }
    }

    func testNeighborListOfAtomsSpreadOverAMillionAngstromsWithoutPeriodicity() throws {
        var g = SeededGenerator(seed: 7)
        let cell = try Cell.orthorhombic(20, 20, 20, pbc: [false, false, false])
        var positions: [Vector3] = []
        for k in 0..<40 {
            // Clusters of close atoms spread over 10⁶ Å.
            let centre = Vector3(Double(k / 4) * 1e5, g.nextUniform() * 1e6, 0)
            positions.append(centre + Vector3(g.nextUniform(), g.nextUniform(), g.nextUniform()) * 3)
        }
        assertMatchesOracle(positions, cell, radius: 4.0)
        let mixed = try Cell.orthorhombic(6, 6, 6, pbc: [true, false, true])
        assertMatchesOracle(positions.map { $0 * 0.5 }, mixed, radius: 4.0)
    }

    func testAbsurdCutoffIsRefused() throws {
        let cell = try Cell.orthorhombic(2.5, 2.5, 2.5, pbc: [true, true, true])
        for radius in [1e6, 1e308, .infinity, .nan, 0, -1] {
            XCTAssertThrowsError(try CellListBuilder.checkRadius(radius, cell: cell, what: "cutoff")) { e in
                XCTAssertTrue("\(e)".contains("50"), "message states the limit: \(e)")
            }
        }
        // A radius within the limit but spanning too many images of a tiny cell.
        let tiny = try Cell.orthorhombic(0.05, 0.05, 0.05, pbc: [true, true, true])
        XCTAssertThrowsError(try CellListBuilder.checkRadius(10, cell: tiny, what: "cutoff"))
        XCTAssertNoThrow(try CellListBuilder.checkRadius(7, cell: cell, what: "cutoff"))
        // Positions the builder cannot take are found, not crashed on.
        XCTAssertEqual(CellListBuilder.firstInvalidPosition([.zero, Vector3(.nan, 0, 0)], cell: cell)?.atom, 1)
        XCTAssertEqual(CellListBuilder.firstInvalidPosition([.zero, Vector3(0, 1e308, 0)], cell: cell)?.atom, 1)
        XCTAssertEqual(CellListBuilder.firstInvalidPosition([Vector3(0, 0, 1e9 * 0.9), .zero], cell: cell)?.atom, 0)  // 3.6e8 cells
        XCTAssertNil(CellListBuilder.firstInvalidPosition([Vector3(1e6, -1e6, 3)], cell: cell))
    }
}
