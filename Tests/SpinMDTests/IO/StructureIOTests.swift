import XCTest
import SpinMD
@testable import SpinMDCore

final class StructureIOTests: XCTestCase {
    /// The project's shared DFT data, written by ASE.
    /// The shared seed dataset as the project keeps it (a copy of ../shared/datasets/).
    var sharedDataset: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../inputs/dft/data/tmo-pbeu-seed.extxyz").standardized.path }

    func testReadsTheSharedASEDataset() throws {
        let frames = try ExtendedXYZ.read(path: sharedDataset)
        XCTAssertGreaterThan(frames.count, 0)
        for f in frames {
            XCTAssertEqual(f.system.cell.pbc, [true, true, true])
            XCTAssertEqual(f.arrays["forces"]?.count, f.system.atomCount)
            XCTAssertEqual(f.arrays["magmoms"]?.count, f.system.atomCount)
            guard case let .collinear(m)? = f.system.initialMagneticMoments else { return XCTFail("initial_magmoms missing") }
            XCTAssertEqual(m.count, f.system.atomCount)
            XCTAssertNotNil(Double(f.info["energy"] ?? ""))
            XCTAssertTrue(["Ni", "Mn"].contains(f.info["tm"] ?? ""))
            XCTAssertTrue(f.system.species.contains(Element(symbol: "O")!))
        }
    }

    func testExtendedXYZRoundTripKeepsEverything() throws {
        var s = Fixtures.nioRhombohedral()
        Fixtures.rattle(&s, sigma: 0.05)
        s.velocities = s.positions.map { 0.001 * $0 }
        let result = PotentialResult(energy: -12.5, forces: s.positions.map { -0.1 * $0 }, virial: Matrix3.diagonal(Vector3(0.1, 0.2, 0.3)),
                                     magneticMoments: .collinear([1.7, -1.7, 0.01, -0.01]))
        let text = ExtendedXYZ.format(s, result: result, extra: [("step", "3")])
        let frame = try ExtendedXYZ.parse(text + text, file: "roundtrip.extxyz")
        XCTAssertEqual(frame.count, 2)
        let back = frame[0].system
        XCTAssertEqual(back.species, s.species)
        XCTAssertEqual(back.cell.pbc, s.cell.pbc)
        for i in 0..<s.atomCount {
            XCTAssertLessThan((back.positions[i] - s.positions[i]).norm, 1e-9)
            XCTAssertLessThan((back.velocities[i] - s.velocities[i]).norm, 1e-9)
        }
        XCTAssertLessThan((back.cell.matrix - s.cell.matrix).maxAbs, 1e-9)
        XCTAssertEqual(back.initialMagneticMoments, s.initialMagneticMoments)
        XCTAssertEqual(frame[0].arrays["magmoms"]!.map { $0[0] }, [1.7, -1.7, 0.01, -0.01])
        XCTAssertEqual(Double(frame[0].info["energy"]!)!, -12.5)
        XCTAssertEqual(frame[0].info["step"], "3")
    }

    func testExtendedXYZErrorsNameTheLine() {
        let cases: [(String, String)] = [
            ("2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nAr 0 0 0\nAr 1 1\n", "extxyz:4: expected 4 columns"),
            ("2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nAr 0 0 0\nXx 1 1 1\n", "extxyz:4: unknown element 'Xx'"),
            ("3\nLattice=\"5 0 0 0 5 0 0 0 5\"\nAr 0 0 0\n", "file ends inside a frame"),
            ("1\nLattice=\"5 0 0 0 5 0\" Properties=species:S:1:pos:R:3\nAr 0 0 0\n", "extxyz:2: Lattice must hold 9 numbers"),
            ("1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nAr 0 nan 0\n", "is not a finite number"),
            ("two\n", "extxyz:1: expected the atom count"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ExtendedXYZ.parse(text, file: "bad.extxyz")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should contain \(expected)")
            }
        }
    }

    func testPOSCARDirectAndCartesianAgree() throws {
        let direct = """
        NiO rocksalt conventional
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
        let cartesian = direct.replacingOccurrences(of: "Direct\n0 0 0\n0.5 0.5 0.5", with: "Cartesian\n0 0 0\n2.085 2.085 2.085")
        let a = try POSCAR.parse(direct, file: "POSCAR")
        let b = try POSCAR.parse(cartesian, file: "POSCAR")
        XCTAssertEqual(a.species.map(\.symbol), ["Ni", "O"])
        XCTAssertEqual(a.positions, b.positions)
        XCTAssertEqual(a.positions[1], Vector3(2.085, 2.085, 2.085))
        // A negative scale is the volume.
        let scaled = try POSCAR.parse(direct.replacingOccurrences(of: "\n1.0\n", with: "\n-100.0\n"), file: "POSCAR")
        XCTAssertEqual(scaled.cell.volume, 100, accuracy: 1e-9)
        XCTAssertThrowsError(try POSCAR.parse(direct.replacingOccurrences(of: "Ni O\n", with: ""), file: "POSCAR")) { e in
            XCTAssertTrue("\(e)".contains("POSCAR:6: expected element symbols"), "\(e)")
        }
    }

    func testMagmomStrings() throws {
        XCTAssertEqual(try MagmomParser.parse("2*2 2*-2 4*0"), [2, 2, -2, -2, 0, 0, 0, 0])
        XCTAssertEqual(try MagmomParser.parse(" 1.5  -1.5 "), [1.5, -1.5])
        XCTAssertThrowsError(try MagmomParser.parse("2*x"))
        XCTAssertThrowsError(try MagmomParser.parse("0*1"))
    }

    func testDecimalFormatterRoundsLikePrintf() {
        for x in [0.0, -0.0, 1.0, -2.5, 123.456789012345, -0.000000000049, 0.00000000005, 999999.99999999999, 1e7, -3e-20, .nan] {
            let fast = DecimalFormatter.string(x)
            if x.isFinite && abs(x) < 1e6 {
                XCTAssertEqual(Double(fast)!, Double(String(format: "%.10f", x))!, "\(x) → \(fast)")
            } else {
                XCTAssertEqual(fast, x.description)
            }
        }
    }
}
