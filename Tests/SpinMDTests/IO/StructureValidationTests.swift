import XCTest
import SpinMD
@testable import SpinMDCore

/// The structure readers on hostile files: every bad header or line is an error that names the
/// file and the line, never a crash or a silently wrong structure.
final class StructureValidationTests: XCTestCase {
    static let lattice = "Lattice=\"5 0 0 0 5 0 0 0 5\""

    /// Asserts that `text` is refused with a message containing `expected`.
    func assertRefused(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ExtendedXYZ.parse(text, file: "bad.extxyz"), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "'\(error)' should contain '\(expected)'", file: file, line: line)
        }
    }

    func testExtXYZWithZeroAtomsIsRefused() {
        assertRefused("0\n\(Self.lattice) Properties=species:S:1:pos:R:3\n", "bad.extxyz:1: a frame needs at least one atom")
        assertRefused("1\n\(Self.lattice)\nAr 0 0 0\n0\n\n", "bad.extxyz:4: a frame needs at least one atom")
    }

    func testExtXYZWithTwoComponentPositionsIsRefused() {
        assertRefused("2\n\(Self.lattice) Properties=species:S:1:pos:R:2\nAr 0 0\nAr 1 1\n", "bad.extxyz:2: Properties column 'pos:R:2' must be pos:R:3")
    }

    func testExtXYZKnownColumnsNeedTheirShapes() {
        let header = "1\n\(Self.lattice) Properties=species:S:1:pos:R:3"
        assertRefused("\(header):masses:R:1\nAr 0 0 0 0\n", "bad.extxyz:3: column 'masses': 0 is not a mass in (0, ")
        assertRefused("\(header):masses:R:1\nAr 0 0 0 -4\n", "bad.extxyz:3: column 'masses'")
        assertRefused("\(header):masses:R:2\nAr 0 0 0 1 1\n", "must be masses:R:1")
        assertRefused("\(header):initial_magmoms:R:2\nAr 0 0 0 1 1\n", "must be initial_magmoms:R:1 or initial_magmoms:R:3")
        assertRefused("\(header):magmoms:S:1\nAr 0 0 0 x\n", "must be magmoms:R:1 or magmoms:R:3")
        assertRefused("\(header):forces:R:2\nAr 0 0 0 1 1\n", "must be forces:R:3")
        assertRefused("\(header):velocities:R:1\nAr 0 0 0 1\n", "must be velocities:R:3")
        assertRefused("\(header):momenta:R:4\nAr 0 0 0 1 1 1 1\n", "must be momenta:R:3")
        assertRefused("\(header):pos:R:3\nAr 0 0 0 1 1 1\n", "names the column 'pos' twice")
        assertRefused("\(header):tags:I:99999999999999999999\nAr 0 0 0\n", "bad Properties entry")
        assertRefused("\(header):tags:I:1\nAr 0 0 0 1.5\n", "bad.extxyz:3: column 'tags': '1.5' is not an integer")
        assertRefused("\(header):fixed:L:1\nAr 0 0 0 maybe\n", "bad.extxyz:3: column 'fixed': 'maybe' is not T or F")
        assertRefused("\(header)\nAr 0 0 0 7\n", "bad.extxyz:3: expected 4 columns")
        assertRefused("\(header)\nAr 0 inf 0\n", "bad.extxyz:3: column 'pos': 'inf' is not a finite number")
        assertRefused("1\n\(Self.lattice) Properties=Z:I:1:pos:R:3\n200 0 0 0\n", "bad.extxyz:3: unknown element 'Z=200'")
        assertRefused("1\n\(Self.lattice) Properties=Z:I:1:pos:R:3\n9223372036854775807 0 0 0\n", "is not an integer")
    }

    func testExtXYZHeadersAreChecked() {
        let atom = "\nAr 0 0 0\n"
        assertRefused("99999999999999999\n\(Self.lattice)" + atom, "file ends inside a frame of 99999999999999999 atoms")
        assertRefused("9223372036854775807\n\(Self.lattice)" + atom, "file ends inside a frame")
        assertRefused("1\nLattice=\"5 0 0 0 5 0 0 0 nan\"" + atom, "bad.extxyz:2: Lattice must hold 9 numbers")
        assertRefused("1\nLattice=\"5 0 0 0 5 0 0 0 5 x\"" + atom, "Lattice must hold 9 numbers")
        assertRefused("1\nLattice=\"5 0 0 0 5 0 0 0 0\"" + atom, "bad.extxyz:2: every lattice vector needs a non-zero finite length")
        assertRefused("1\nLattice=\"5 0 0 0 5 0 5 5 1e-9\"" + atom, "bad.extxyz:2: the lattice vectors are (nearly) linearly dependent")
        assertRefused("1\nLattice=\"1e300 0 0 0 1e300 0 0 0 1e300\"" + atom, "bad.extxyz:2:")
        assertRefused("1\n\(Self.lattice) pbc=\"T T maybe\"" + atom, "bad.extxyz:2: pbc must hold three T/F flags")
        assertRefused("2\npbc=\"F F F\"\nAr 1e308 0 0\nAr -1e308 0 0\n", "bad.extxyz:2: no box encloses the positions")
        // What ASE writes still reads: T/F and True/False flags, tabs, a trailing blank line.
        XCTAssertNoThrow(try ExtendedXYZ.parse("1\n\(Self.lattice) pbc=\"True F t\"\nAr\t0 0 0\n\n", file: "ok.extxyz"))
    }

    func testMomentaUseTheMassColumn() throws {
        let f = try ExtendedXYZ.parse("1\n\(Self.lattice) Properties=species:S:1:pos:R:3:masses:R:1:momenta:R:3\nAr 0 0 0 2 2 0 0\n", file: "ok.extxyz")[0]
        XCTAssertEqual(f.system.masses, [2])
        XCTAssertEqual(f.system.velocities[0].x, 1 / ExtendedXYZ.aseTimeUnit, accuracy: 1e-15)
    }

    static let poscar = """
    NiO
    1.0
    4.17 0 0
    0 4.17 0
    0 0 4.17
    Ni O
    1 1
    Direct
    0 0 0
    0.5 0.5 0.5
    """

    func assertPOSCARRefused(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try POSCAR.parse(text, file: "POSCAR"), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "'\(error)' should contain '\(expected)'", file: file, line: line)
        }
    }

    func testPOSCARHeadersAreChecked() throws {
        XCTAssertNoThrow(try POSCAR.parse(Self.poscar, file: "POSCAR"))
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "\n1 1\n", with: "\n0 0\n"), "POSCAR:7: the structure needs at least one atom")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "\n1 1\n", with: "\n1 x\n"), "POSCAR:7: expected 2 atom counts")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "\n1 1\n", with: "\n1 1 1\n"), "POSCAR:7: expected 2 atom counts")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "\n1 1\n", with: "\n1 9223372036854775807\n"), "file ends early")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "\n1.0\n", with: "\n0\n"), "POSCAR:2: the scaling factor must not be 0")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "0 0 4.17", with: "4.17 0 1e-9"), "POSCAR:3: the lattice vectors are (nearly) linearly dependent")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "0 0 4.17", with: "0 0 nan"), "POSCAR:5: expected 3 numbers (lattice vector)")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "0.5 0.5 0.5", with: "0.5 0.5"), "POSCAR:10: expected 3 numbers (atom position)")
        assertPOSCARRefused(Self.poscar.replacingOccurrences(of: "Ni O", with: "Ni Qq"), "POSCAR:6: unknown element 'Qq'")
    }

    func testMagmomRepetitionsAreBounded() {
        XCTAssertThrowsError(try MagmomParser.parse("1000000000000*2")) { XCTAssertTrue("\($0)".contains("more than 10000000 times"), "\($0)") }
        XCTAssertThrowsError(try MagmomParser.parse("6000000*2 6000000*1")) { XCTAssertTrue("\($0)".contains("more than 10000000 times"), "\($0)") }
        XCTAssertEqual(try MagmomParser.parse("3*1.5").count, 3)
    }
}
