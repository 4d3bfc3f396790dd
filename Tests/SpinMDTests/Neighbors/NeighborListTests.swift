import XCTest
@testable import SpinMD
@testable import SpinMDCore

final class NeighborListTests: XCTestCase {
    /// Compares a cell-list build with the O(N²) oracle, as sets of (i, j, image).
    func assertMatchesOracle(_ positions: [Vector3], _ cell: Cell, radius: Double, file: StaticString = #filePath, line: UInt = #line) {
        let oracle = BruteForceNeighbors.pairs(positions: positions, cell: cell, radius: radius)
        let full = CellListBuilder().build(positions: positions, cell: cell, radius: radius, kind: .full)
        let fullPairs = BruteForceNeighbors.pairs(of: full)
        XCTAssertEqual(fullPairs.count, Set(fullPairs).count, "duplicate entries in full list", file: file, line: line)
        XCTAssertEqual(Set(fullPairs), oracle, "full list differs from brute force", file: file, line: line)
        let half = CellListBuilder().build(positions: positions, cell: cell, radius: radius, kind: .half)
        let halfPairs = BruteForceNeighbors.pairs(of: half)
        XCTAssertEqual(halfPairs.count * 2, oracle.count, "half list must hold each pair once", file: file, line: line)
        var doubled = Set<BruteForceNeighbors.Pair>()
        for p in halfPairs {
            doubled.insert(p)
            doubled.insert(.init(i: p.j, j: p.i, image: 0 &- p.image))
        }
        XCTAssertEqual(doubled, oracle, "half list plus mirror differs from brute force", file: file, line: line)
    }

    func randomCell(_ g: inout SeededGenerator, thin: Bool) throws -> Cell {
        while true {
            var rows: [Vector3] = []
            for k in 0..<3 {
                let scale = thin ? 2 + 4 * g.nextUniform() : 8 + 6 * g.nextUniform()
                var v = Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) * 0.4
                v[k] += 1
                rows.append(scale * v / v.norm)
            }
            let m = Matrix3(rows: rows[0], rows[1], rows[2])
            if let c = try? Cell(matrix: m), c.faceDistances.min() > 1.0 { return c }
        }
    }

    func randomPositions(_ g: inout SeededGenerator, cell: Cell, count: Int, spread: Double = 1) -> [Vector3] {
        (0..<count).map { _ in cell.cartesian(Vector3(g.nextUniform(), g.nextUniform(), g.nextUniform()) * spread - Vector3(repeating: (spread - 1) / 2)) }
    }

    func testRandomTriclinicCellsMatchBruteForce() throws {
        var g = Fixtures.rng(1)
        for _ in 0..<12 {
            let cell = try randomCell(&g, thin: false)
            assertMatchesOracle(randomPositions(&g, cell: cell, count: 40), cell, radius: 3 + 3 * g.nextUniform())
        }
    }

    func testThinCellsNeedingManyImagesMatchBruteForce() throws {
        var g = Fixtures.rng(2)
        for _ in 0..<12 {
            let cell = try randomCell(&g, thin: true)
            assertMatchesOracle(randomPositions(&g, cell: cell, count: 5), cell, radius: 4 + 2 * g.nextUniform())
        }
    }

    func testUnwrappedPositionsMatchBruteForce() throws {
        var g = Fixtures.rng(3)
        let cell = try randomCell(&g, thin: false)
        // Atoms up to two cells outside the box: the list must give the same physical pairs.
        assertMatchesOracle(randomPositions(&g, cell: cell, count: 30, spread: 5), cell, radius: 4.5)
    }

    func testRhombohedralNiOCellWithFiveAngstromCutoff() throws {
        let s = Fixtures.nioRhombohedral()
        XCTAssertEqual(s.cell.anglesDegrees.x, 33.56, accuracy: 0.01)
        assertMatchesOracle(s.positions, s.cell, radius: 5.0)
        // Each Ni has 6 O at a/2 and 12 Ni at a/√2 in rocksalt.
        let full = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: 3.0, kind: .full)
        XCTAssertEqual(full.neighbors(of: 0).count, 6 + 12)
    }

    func testTwoAtomCellAndSingleAtomCell() throws {
        let cell = try Cell(lengths: Vector3(2.9, 2.9, 2.9), anglesDegrees: Vector3(60, 60, 60))
        assertMatchesOracle([.zero, cell.cartesian(Vector3(0.5, 0.5, 0.5))], cell, radius: 5)
        assertMatchesOracle([Vector3(0.1, 0.2, 0.3)], cell, radius: 6)
    }

    func testNonPeriodicDirections() throws {
        var g = Fixtures.rng(4)
        for pbc in [[false, false, false], [true, false, true], [false, true, true]] {
            let cell = try Cell(matrix: Matrix3(rows: Vector3(9, 0, 0), Vector3(2, 8, 0), Vector3(1, 1, 7)), pbc: pbc)
            assertMatchesOracle(randomPositions(&g, cell: cell, count: 40, spread: 1.5), cell, radius: 4)
        }
    }

    func testVerletListRebuildsOnlyWhenNeeded() throws {
        var s = Fixtures.argonCrystal()
        var list = VerletNeighborList(cutoff: 8.5, skin: 1.0, kind: .half)
        XCTAssertTrue(list.update(&s))
        s.positions[0].x += 0.4  // below skin/2
        XCTAssertFalse(list.update(&s))
        s.positions[1].y += 0.6  // above skin/2
        XCTAssertTrue(list.update(&s))
        try s.cell.setMatrix(1.001 * s.cell.matrix)
        XCTAssertTrue(list.update(&s), "a changed cell forces a rebuild")
        XCTAssertEqual(list.buildCount, 3)
    }
}

final class ParallelNeighborListTests: XCTestCase {
    func testParallelBuildIsIdenticalToSerial() throws {
        var s = try CrystalBuilder.cubic(.fcc, a: 5.3, species: [Fixtures.argon], repeats: SIMD3(8, 8, 8))
        Fixtures.rattle(&s, sigma: 0.3)
        for kind in [NeighborList.Kind.half, .full] {
            let serial = CellListBuilder(executor: ParallelExecutor(threads: 1)).build(positions: s.positions, cell: s.cell, radius: 7.5, kind: kind)
            let parallel = CellListBuilder(executor: ParallelExecutor(threads: 2)).build(positions: s.positions, cell: s.cell, radius: 7.5, kind: kind)
            XCTAssertEqual(serial.offsets, parallel.offsets)
            XCTAssertEqual(serial.imageOffsets, parallel.imageOffsets)
            XCTAssertEqual(serial.neighbors, parallel.neighbors)
            XCTAssertEqual(serial.shiftIndices, parallel.shiftIndices)
            XCTAssertGreaterThan(serial.pairCount, s.atomCount * (kind == .half ? 20 : 40))
        }
    }
}
