import Foundation
import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// The PDB topology written beside NetCDF trajectories: its fixed columns (PDB format v3.3), and
/// systems too large for them.
final class PDBTopologyTests: TemporaryDirectoryTestCase {
    func lines(_ system: AtomicSystem, title: String = "test") throws -> [String] {
        String(decoding: try PDBTopology.text(system, title: title, path: "t.pdb"), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Columns `from`…`to` (1-based, inclusive, as the PDB format numbers them).
    func columns(_ line: String, _ from: Int, _ to: Int) -> String {
        let chars = Array(line)
        return from > chars.count ? "" : String(chars[(from - 1)..<min(to, chars.count)])
    }

    func testRecordsAreInTheirColumns() throws {
        var s = Fixtures.nioRhombohedral()
        Fixtures.rattle(&s, sigma: 0.05)
        s.positions[1] = s.positions[1] - s.cell.a  // outside the cell: written where it is
        let text = try lines(s, title: "Ni2O2 md with lennard-jones (input.json)")
        XCTAssertEqual(text.count, 1 + 1 + 4 + 1 + 1, "TITLE, CRYST1, 4 atoms, END, and the final newline")
        XCTAssertEqual(text[0], "TITLE     Ni2O2 md with lennard-jones (input.json)")
        let (cell, rotation) = s.cell.standardOrientation()

        let cryst = text[1]
        XCTAssertEqual(columns(cryst, 1, 6), "CRYST1")
        for (k, (from, to)) in [(7, 15), (16, 24), (25, 33)].enumerated() {
            XCTAssertEqual(Double(columns(cryst, from, to).trimmingCharacters(in: .whitespaces))!, [cell.lengths.x, cell.lengths.y, cell.lengths.z][k], accuracy: 5e-4)
        }
        for (k, (from, to)) in [(34, 40), (41, 47), (48, 54)].enumerated() {
            let angle = [cell.anglesDegrees.x, cell.anglesDegrees.y, cell.anglesDegrees.z][k]
            XCTAssertEqual(Double(columns(cryst, from, to).trimmingCharacters(in: .whitespaces))!, angle, accuracy: 5e-3)
        }
        XCTAssertEqual(columns(cryst, 56, 66), "P 1        ")
        XCTAssertEqual(columns(cryst, 67, 70), "   1")

        for i in 0..<4 {
            let line = text[2 + i], symbol = s.species[i].symbol.uppercased()
            XCTAssertEqual(line.count, 78, line)
            XCTAssertEqual(columns(line, 1, 6), "HETATM")
            XCTAssertEqual(columns(line, 7, 11), "    \(i + 1)")
            XCTAssertEqual(columns(line, 13, 16), symbol == "NI" ? "NI  " : " O  ", "a two-letter element from column 13, one letter from 14")
            XCTAssertEqual(columns(line, 17, 17), " ")
            XCTAssertEqual(columns(line, 18, 20), symbol == "NI" ? " NI" : "  O")
            XCTAssertEqual(columns(line, 22, 22), "A")
            XCTAssertEqual(columns(line, 23, 26), "   \(i + 1)")
            let r = rotation.apply(s.positions[i])
            for (k, from) in [31, 39, 47].enumerated() {
                XCTAssertEqual(Double(columns(line, from, from + 7).trimmingCharacters(in: .whitespaces))!, [r.x, r.y, r.z][k], accuracy: 5e-4)
                XCTAssertEqual(columns(line, from + 4, from + 4), ".", "%8.3f")
            }
            XCTAssertEqual(columns(line, 55, 66), "  1.00  0.00")
            XCTAssertEqual(columns(line, 67, 76), String(repeating: " ", count: 10))
            XCTAssertEqual(columns(line, 77, 78), symbol == "NI" ? "NI" : " O")
        }
        XCTAssertEqual(text[6], "END")
        XCTAssertEqual(text[7], "")
    }

    func testNonPeriodicSystemHasNoCellAndTitleIsASCII() throws {
        let s = AtomicSystem(species: [Fixtures.argon, Fixtures.argon], positions: [Vector3(1, 2, 3), Vector3(-4, 5, 6)],
                             cell: try Cell.orthorhombic(20, 20, 20, pbc: [false, false, false]))
        let text = try lines(s, title: "Ar2 relax with lennard-jones (é\n" + String(repeating: "x", count: 100) + ")")
        XCTAssertFalse(text.contains { $0.hasPrefix("CRYST1") })
        XCTAssertEqual(text[0].count, 80)
        XCTAssertTrue(text[0].hasPrefix("TITLE     Ar2 relax with lennard-jones (??xxx"), text[0])
        XCTAssertEqual(columns(text[2], 31, 54), "  -4.000   5.000   6.000")
    }

    func testCoordinatesLoseDecimalsRatherThanColumns() throws {
        XCTAssertEqual(PDBTopology.fixed(9999.9994, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "9999.999")
        XCTAssertEqual(PDBTopology.fixed(12345.678, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "12345.68")
        XCTAssertEqual(PDBTopology.fixed(-1234.5678, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "-1234.57")
        XCTAssertEqual(PDBTopology.fixed(-999.9996, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "-1000.00")
        XCTAssertEqual(PDBTopology.fixed(99_999_999.4, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "99999999")
        XCTAssertEqual(PDBTopology.fixed(-9_999_999, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "-9999999")
        XCTAssertEqual(PDBTopology.fixed(-0.0004, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "   0.000", "no negative zero")
        XCTAssertEqual(PDBTopology.fixed(0.0005, width: 8, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "   0.001")
        XCTAssertNil(PDBTopology.fixed(99_999_999.6, width: 8, decimals: 3))
        XCTAssertNil(PDBTopology.fixed(-10_000_000, width: 8, decimals: 3))
        XCTAssertNil(PDBTopology.fixed(.nan, width: 8, decimals: 3))
        XCTAssertNil(PDBTopology.fixed(.infinity, width: 8, decimals: 3))
        XCTAssertEqual(PDBTopology.fixed(123_456.7891, width: 9, decimals: 3).map { String(decoding: $0, as: UTF8.self) }, "123456.79")

        // A system with an atom beyond the columns: an error naming the file and the atom, no file.
        let s = AtomicSystem(species: [Fixtures.argon, Fixtures.argon], positions: [.zero, Vector3(2e8, 0, 0)],
                             cell: try Cell.orthorhombic(20, 20, 20, pbc: [false, false, false]))
        XCTAssertThrowsError(try PDBTopology.write(s, title: "t", to: path("far.pdb"))) { error in
            XCTAssertEqual((error as? SpinMDError)?.description,
                           "\(path("far.pdb")): coordinate x of atom 2 (Ar) is 200000000.0 Å, too wide for the 8 columns of a PDB topology; the trajectory's topology cannot be written (an .extxyz trajectory has no such limit)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("far.pdb")))
    }

    func testHybrid36Serials() {
        XCTAssertEqual(PDBTopology.hybrid36(1, width: 5), "    1")
        XCTAssertEqual(PDBTopology.hybrid36(99_999, width: 5), "99999")
        XCTAssertEqual(PDBTopology.hybrid36(100_000, width: 5), "A0000")
        XCTAssertEqual(PDBTopology.hybrid36(100_035, width: 5), "A000Z")
        XCTAssertEqual(PDBTopology.hybrid36(100_036, width: 5), "A0010")
        XCTAssertEqual(PDBTopology.hybrid36(100_000 + 26 * 36 * 36 * 36 * 36 - 1, width: 5), "ZZZZZ")
        XCTAssertEqual(PDBTopology.hybrid36(100_000 + 26 * 36 * 36 * 36 * 36, width: 5), "a0000")
        XCTAssertEqual(PDBTopology.hybrid36(PDBTopology.maximumAtomCount, width: 5), "zzzzz")
        XCTAssertEqual(PDBTopology.maximumAtomCount, 87_440_031)
        XCTAssertNil(PDBTopology.hybrid36(PDBTopology.maximumAtomCount + 1, width: 5))
        XCTAssertEqual(PDBTopology.hybrid36(10_000, width: 4), "A000")
    }

    /// Chain and residue number are unique together (OVITO merges equal ones, reordering atoms).
    func testResiduesAreUniqueByChainAndNumber() {
        XCTAssertTrue(PDBTopology.residue(0, atomCount: 620_000) == ("A", "   1"))
        XCTAssertTrue(PDBTopology.residue(9_998, atomCount: 620_000) == ("A", "9999"))
        XCTAssertTrue(PDBTopology.residue(9_999, atomCount: 620_000) == ("A", "   0"))
        XCTAssertTrue(PDBTopology.residue(10_000, atomCount: 620_000) == ("B", "   1"))
        XCTAssertTrue(PDBTopology.residue(619_999, atomCount: 620_000) == ("9", "   0"))
        // More atoms than 62 chains of 10,000: chains of 2,436,111 hybrid-36 numbers.
        XCTAssertTrue(PDBTopology.residue(0, atomCount: 620_001) == ("A", "   1"))
        XCTAssertTrue(PDBTopology.residue(9_999, atomCount: 620_001) == ("A", "A000"))
        XCTAssertTrue(PDBTopology.residue(2_436_110, atomCount: 620_001) == ("A", "zzzz"))
        XCTAssertTrue(PDBTopology.residue(2_436_111, atomCount: 620_001) == ("B", "   1"))
        XCTAssertEqual(PDBTopology.residue(PDBTopology.maximumAtomCount - 1, atomCount: PDBTopology.maximumAtomCount).chain, "j")
        var seen = Set<String>()
        for i in stride(from: 0, to: 3_000_000, by: 997) {
            let r = PDBTopology.residue(i, atomCount: 3_000_000)
            XCTAssertTrue(seen.insert("\(r.chain)\(r.number)").inserted, "atom \(i)")
        }
    }

    func testMoreAtomsThanFiveDigitsTakeHybrid36SerialsAndWrappedResidues() throws {
        let s = Fixtures.argonCrystal(a: 5.26, repeats: 30)  // 108,000 atoms
        XCTAssertEqual(s.atomCount, 108_000)
        let text = try lines(s)
        let atoms = text.filter { $0.hasPrefix("HETATM") }
        XCTAssertEqual(atoms.count, 108_000)
        XCTAssertTrue(atoms.allSatisfy { $0.count == 78 })
        XCTAssertEqual(columns(atoms[99_998], 7, 11), "99999")
        XCTAssertEqual(columns(atoms[99_999], 7, 11), "A0000")
        XCTAssertEqual(columns(atoms[107_999], 7, 11), "A0668", "108,000 = 100,000 + 6·36² + 6·36 + 8 in hybrid-36")
        XCTAssertEqual(columns(atoms[9_998], 22, 26), "A9999")
        XCTAssertEqual(columns(atoms[9_999], 22, 26), "A   0", "residue numbers wrap after 9,999")
        XCTAssertEqual(columns(atoms[10_000], 22, 26), "B   1", "in the next chain")
        XCTAssertEqual(columns(atoms[107_999], 22, 26), "K8000")
    }
}
