import Foundation
import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// What users bring besides positions: POSCAR selective dynamics, extxyz `move_mask`, INCAR
/// MAGMOM, the input's `fixed_atoms`, and DFT moments standing in for initial moments.
final class StructureInputTests: TemporaryDirectoryTestCase {
    static let poscar = """
    NiO slab
    1.0
    4.2 0.0 0.0
    0.3 4.2 0.0
    0.0 0.0 12.0
    Ni O
    2 2
    Selective dynamics
    Direct
    0.0 0.0 0.0 F F F
    0.5 0.5 0.2 T T F
    0.5 0.0 0.1 T T T
    0.0 0.5 0.3 t f T

    """

    func testPOSCARSelectiveDynamicsFixesFractionalCoordinates() throws {
        let s = try POSCAR.parse(Self.poscar, file: "POSCAR")
        let c = try XCTUnwrap(s.constraints)
        XCTAssertEqual(c.frame, .lattice)
        XCTAssertEqual(c.fixedMask, [7, 4, 0, 2])
        XCTAssertEqual(c.source, "POSCAR selective dynamics")
        XCTAssertEqual(s.degreesOfFreedom, 12 - 5)
        XCTAssertNil(try POSCAR.parse(Self.poscar.replacingOccurrences(of: "Selective dynamics\n", with: "").replacingOccurrences(of: " F F F", with: ""), file: "P").constraints)
        for (bad, line) in [(" T T F\n0.5 0.0", 11), ("0.5 0.5 0.2 T T F", 11)] {
            let text = Self.poscar.replacingOccurrences(of: bad, with: bad == " T T F\n0.5 0.0" ? " T X F\n0.5 0.0" : "0.5 0.5 0.2 T T")
            XCTAssertThrowsError(try POSCAR.parse(text, file: "POSCAR")) {
                XCTAssertTrue("\($0)".contains("POSCAR:\(line): Selective dynamics needs three T/F flags after the position"), "\($0)")
            }
        }
    }

    func testExtendedXYZMoveMaskReadsAndWritesAsASE() throws {
        let header = "Lattice=\"6 0 0 0 6 0 0 0 6\" pbc=\"T T T\" Properties=species:S:1:pos:R:3:move_mask:L:"
        let whole = try ExtendedXYZ.parse("3\n\(header)1\nAr 0 0 0 F\nAr 3 0 0 T\nAr 0 3 0 F\n", file: "a.extxyz")[0].system
        XCTAssertEqual(whole.constraints?.fixedMask, [7, 0, 7])
        XCTAssertEqual(whole.constraints?.frame, .cartesian)
        let partial = try ExtendedXYZ.parse("2\n\(header)3\nAr 0 0 0 T T F\nAr 3 0 0 T T T\n", file: "b.extxyz")[0].system
        XCTAssertEqual(partial.constraints?.fixedMask, [4, 0])
        // Written back in the same form, and read back the same.
        for s in [whole, partial] {
            let text = ExtendedXYZ.format(s)
            XCTAssertTrue(text.contains(":move_mask:L:\(s.constraints!.fixesWholeAtomsOnly ? 1 : 3)"), text)
            XCTAssertEqual(try ExtendedXYZ.parse(text, file: "c.extxyz")[0].system.constraints?.fixedMask, s.constraints?.fixedMask)
        }
        XCTAssertThrowsError(try ExtendedXYZ.parse("1\n\(header)2\nAr 0 0 0 T T\n", file: "d.extxyz")) {
            XCTAssertTrue("\($0)".contains("Properties column 'move_mask:L:2' must be move_mask:L:1 or move_mask:L:3"), "\($0)")
        }
        // Lattice directions of a skewed cell have no Cartesian mask: not written (whole atoms are).
        var skewed = try POSCAR.parse(StructureInputTests.poscar, file: "POSCAR")
        XCTAssertFalse(ExtendedXYZ.format(skewed).contains("move_mask"))
        skewed.constraints!.fixedMask = [7, 0, 0, 7]
        XCTAssertTrue(ExtendedXYZ.format(skewed).contains("move_mask:L:1"))
    }

    func testINCARMagmomAsVASPReadsIt() throws {
        let incar = """
        SYSTEM = NiO AFM  # comment
        ISPIN = 2 ; ENCUT = 520
        MAGMOM = 2*2.0 \\
                 -2 -2 ! continued
        LDAU = .TRUE.
        """
        let m = try INCAR.moments(incar, atomCount: 4, file: "INCAR")
        XCTAssertEqual(m.ignoredTags, ["SYSTEM", "ISPIN", "ENCUT", "LDAU"])
        guard case let .collinear(v) = m.moments else { return XCTFail("collinear expected") }
        XCTAssertEqual(v, [2, 2, -2, -2])
        let vector = try INCAR.moments("LNONCOLLINEAR = .TRUE.\nMAGMOM = 0 0 2  0 0 -2\n", atomCount: 2, file: "INCAR")
        guard case let .vector(w) = vector.moments else { return XCTFail("vector expected") }
        XCTAssertEqual(w, [Vector3(0, 0, 2), Vector3(0, 0, -2)])
        for (text, message) in [
            ("MAGMOM = 3*2\n", "INCAR:1: MAGMOM has 3 values but the structure has 4 atoms (one value per atom)"),
            ("ISPIN = 2\n", "has no MAGMOM"),
            ("MAGMOM = 4*2\nmagmom = 4*1\n", "INCAR:2: MAGMOM is set twice (first on line 1)"),
            ("MAGMOM = 4*x\n", "INCAR:1: bad MAGMOM"),
            ("LNONCOLLINEAR = .TRUE.\nSAXIS = 1 0 0\nMAGMOM = 12*0\n", "INCAR:2: SAXIS = 1 0 0 is not supported"),
            ("ENCUT 520\n", "INCAR:1: expected TAG = value"),
        ] {
            XCTAssertThrowsError(try INCAR.moments(text, atomCount: 4, file: "INCAR")) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    /// An input with the given `structure` section (one line), saved beside `files`.
    func configuration(_ structure: String, files: [String: String] = [:], extra: String = "") throws -> RunConfiguration {
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let text = """
        {
          "structure": \(structure),\(extra)
          "potential": {"type": "lennard-jones", "cutoff_A": 4.0, "species": {"Ni": {"epsilon_eV": 0.01, "sigma_A": 2.3}, "O": {"epsilon_eV": 0.01, "sigma_A": 2.3}}},
          "task": "relax", "relax": {}
        }
        """
        let path = directory.appendingPathComponent("input.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try RunConfiguration.load(path: path)
    }

    func testFixedAtomsInTheInputReplaceTheFilesAndAreChecked() throws {
        let files = ["POSCAR": Self.poscar]
        func mask(_ fixed: String) throws -> [UInt8]? {
            try configuration("{\"file\": \"POSCAR\", \"fixed_atoms\": \(fixed)}", files: files).makeSystem().constraints?.fixedMask
        }
        XCTAssertEqual(try mask("[1, 2]"), [0, 7, 7, 0])
        XCTAssertEqual(try mask("[]"), [0, 0, 0, 0], "an empty list frees every atom")
        XCTAssertEqual(try mask(#"{"elements": ["Ni"], "z_below_A": 3}"#), [7, 7, 0, 0])
        XCTAssertEqual(try mask(#"{"z_above_A": 1.5, "directions": "z"}"#), [0, 4, 0, 4])
        XCTAssertEqual(try mask(#"{"indices": [3], "directions": "xy"}"#), [0, 0, 0, 3])
        var notes: [String] = []
        _ = try configuration(#"{"file": "POSCAR", "fixed_atoms": [0]}"#, files: files).makeSystem(notes: &notes)
        XCTAssertTrue(notes.contains("constraints: 1 of 4 atoms fixed (input fixed_atoms)"), "\(notes)")
        for (fixed, message) in [
            ("[4]", "key 'structure.fixed_atoms': index 4 does not exist: the structure has 4 atoms (indices 0…3)"),
            ("[-1]", "key 'structure.fixed_atoms': expected atom indices"),
            (#"{"z_below_A": -5}"#, "key 'structure.fixed_atoms': selects no atom"),
            (#"{"indices": [0], "elements": ["O"]}"#, "not both"),
            (#"{"directions": "z"}"#, "give the atoms to fix"),
            (#"{"indices": [0], "directions": "w"}"#, "key 'structure.fixed_atoms.directions'"),
            (#"{"indices": [0], "below": 1}"#, "structure.fixed_atoms.below"),
        ] {
            let m: String
            do { _ = try mask(fixed); m = "no error" } catch { m = "\(error)" }
            XCTAssertTrue(m.contains(message), "\(fixed): \(m)")
        }
    }

    func testINCARAndDFTMomentsGiveTheInitialMoments() throws {
        var notes: [String] = []
        let s = try configuration(#"{"file": "POSCAR", "incar": "INCAR"}"#, files: ["POSCAR": Self.poscar, "INCAR": "MAGMOM = 2 -2 2*0\nENCUT = 500\n"]).makeSystem(notes: &notes)
        XCTAssertEqual(s.initialMagneticMoments, .collinear([2, -2, 0, 0]))
        XCTAssertTrue(notes.contains { $0.hasPrefix("initial moments: MAGMOM of ") && $0.hasSuffix("INCAR; tags ignored: ENCUT") }, "\(notes)")
        XCTAssertThrowsError(try configuration(#"{"file": "POSCAR", "incar": "INCAR"}"#, extra: #" "initial_magmoms": "4*1","#)) {
            XCTAssertTrue("\($0)".contains("key 'initial_magmoms': and structure.incar both give initial moments"), "\($0)")
        }
        // An ASE file with the moments of a DFT run but no initial_magmoms: taken, with a note.
        let xyz = "2\nLattice=\"4.2 0 0 0 4.2 0 0 0 4.2\" Properties=species:S:1:pos:R:3:magmoms:R:1 pbc=\"T T T\"\nNi 0 0 0 1.7\nO 2.1 2.1 2.1 0.0\n"
        notes = []
        let d = try configuration(#"{"file": "dft.extxyz"}"#, files: ["dft.extxyz": xyz]).makeSystem(notes: &notes)
        XCTAssertEqual(d.initialMagneticMoments, .collinear([1.7, 0]))
        XCTAssertTrue(notes.contains { $0.contains("its magmoms column (the moments of an earlier calculation) is used as the estimates") }, "\(notes)")
    }
}
