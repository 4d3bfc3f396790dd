import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// Named rocksalt orderings and the pseudo-cubic analysis of relaxation reports.
final class OrderingTests: XCTestCase {
    let ni = Element(symbol: "Ni")!, o = Element(symbol: "O")!

    /// Parallel and antiparallel cation nearest neighbours (12 in fcc) per cation.
    func neighbourCounts(_ s: AtomicSystem, _ m: [Double]) -> (parallel: Int, antiparallel: Int) {
        let a = pow(4 * s.cell.volume / Double(m.filter { $0 != 0 }.count), 1.0 / 3)
        let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: 0.75 * a, kind: .full)
        var p = 0, q = 0
        for i in 0..<s.atomCount where m[i] != 0 {
            for k in list.offsets[i]..<list.offsets[i + 1] where m[Int(list.neighbors[k])] != 0 {
                if m[i] * m[Int(list.neighbors[k])] > 0 { p += 1 } else { q += 1 }
            }
        }
        let cations = m.filter { $0 != 0 }.count
        return (p / cations, q / cations)
    }

    func testOrderingsHaveTheirNeighbourCountsAndMagnitudes() throws {
        let s = try CrystalBuilder.cubic(.rocksalt, a: 4.17, species: [ni, o], repeats: SIMD3(2, 2, 2))
        let expected: [RocksaltOrdering: (Int, Int)] = [.fm: (12, 0), .afm1: (4, 8), .afm2: (6, 6)]
        for ordering in RocksaltOrdering.allCases {
            let m = try ordering.moments(for: s, magnitudes: [ni: 2])
            let counts = neighbourCounts(s, m)
            XCTAssertEqual(counts.parallel, expected[ordering]!.0, ordering.rawValue)
            XCTAssertEqual(counts.antiparallel, expected[ordering]!.1, ordering.rawValue)
            XCTAssertEqual(m.filter { $0 == 0 }.count, 32)
            XCTAssertTrue(m.allSatisfy { [0, 2, -2].contains($0) })
        }
        // AFM-II of the (111) planes also fits the 4-atom rhombohedral cell, rattled.
        let h = 4.17 / 2
        var rhombohedral = AtomicSystem(species: [ni, o, ni, o], positions: [.zero, Vector3(3 * h, 3 * h, 3 * h), Vector3(2 * h, 2 * h, 2 * h), Vector3(h, h, h)],
                                        cell: try Cell(matrix: Matrix3(rows: Vector3(2 * h, h, h), Vector3(h, 2 * h, h), Vector3(h, h, 2 * h))))
        rhombohedral.positions[2] += Vector3(0.05, -0.03, 0.02)
        XCTAssertEqual(try RocksaltOrdering.afm2.moments(for: rhombohedral, magnitudes: [ni: 2]), [2, 0, -2, 0])
    }

    func testOrderingsThatDoNotFitTheCellAreErrors() throws {
        let s = try CrystalBuilder.cubic(.rocksalt, a: 4.17, species: [ni, o], repeats: SIMD3(1, 1, 1))
        XCTAssertThrowsError(try RocksaltOrdering.afm2.moments(for: s, magnitudes: [ni: 2])) { e in
            XCTAssertTrue("\(e)".contains("does not fit this cell"), "\(e)")
        }
        XCTAssertNoThrow(try RocksaltOrdering.afm1.moments(for: s, magnitudes: [ni: 2]))
        let fcc = try CrystalBuilder.cubic(.sc, a: 3.0, species: [ni], repeats: SIMD3(2, 2, 2))
        XCTAssertThrowsError(try RocksaltOrdering.fm.moments(for: fcc, magnitudes: [ni: 2]))
    }

    func testPseudoCubicCellOfATrigonalShear() throws {
        let initial = try CrystalBuilder.cubic(.rocksalt, a: 4.17, species: [ni, o], repeats: SIMD3(2, 2, 2))
        let s = -0.012, stretch = 1.03
        let n = Vector3(1, 1, 1) / 3.0.squareRoot()
        let deformation = stretch * (Matrix3.identity + s * (Matrix3.outer(n, n) - (1.0 / 3) * Matrix3.identity))
        var final = initial
        final.cell = try Cell(matrix: initial.cell.matrix * deformation)
        final.positions = initial.positions.map { deformation.apply($0) }
        let report = RelaxationReport(initial: initial, final: final, result: PotentialResult(energy: -10), pseudoCubic: true)
        let axes = (0..<3).map { 4.17 * deformation[$0] }
        let expectedAngle = acos(axes[0].dot(axes[1]) / (axes[0].norm * axes[1].norm)) * 180 / .pi
        XCTAssertEqual(report.rhombohedralAngle!, expectedAngle, accuracy: 1e-10)
        XCTAssertGreaterThan(report.rhombohedralAngle!, 90)  // contraction along [111]
        XCTAssertEqual(report.pseudoCubicA!, axes[0].norm, accuracy: 1e-10)
        XCTAssertEqual(report.formulaUnits, 32)
        XCTAssertEqual(report.energyPerFormulaUnit, -10.0 / 32, accuracy: 1e-15)
    }
}
