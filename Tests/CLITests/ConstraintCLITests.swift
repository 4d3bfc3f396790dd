import Foundation
import XCTest
import SpinMD
import SpinMDCore

/// Fixed atoms and VASP inputs through `spinmd run`: a slab from a POSCAR with selective
/// dynamics and an INCAR, relaxed and run; what cannot be honoured is refused.
final class ConstraintCLITests: CLITestCase {
    /// An argon (001) slab, 2×2 conventional cells wide and 3 thick, 10 Å of vacuum, with the
    /// bottom layer fixed and the next held along z (selective dynamics), slightly rattled.
    func slabPOSCAR() -> (text: String, mask: [UInt8]) {
        var s = try! CrystalBuilder.cubic(.fcc, a: 5.3, species: [Element(symbol: "Ar")!], repeats: SIMD3(2, 2, 3))
        var g = SeededGenerator(seed: 4)
        var lines = ["Ar slab", "1.0", "10.6 0 0", "0 10.6 0", "0 0 25.9", "Ar", "\(s.atomCount)", "Selective dynamics", "Cartesian"]
        var mask: [UInt8] = []
        for i in 0..<s.atomCount {
            s.positions[i] += 0.05 * Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) + Vector3(0, 0, 0.3)
            let m: UInt8 = s.positions[i].z < 1 ? 7 : (s.positions[i].z < 3.5 ? 4 : 0)
            mask.append(m)
            let flags = (0..<3).map { m & (1 << $0) != 0 ? "F" : "T" }.joined(separator: " ")
            lines.append(String(format: "%.10f %.10f %.10f ", s.positions[i].x, s.positions[i].y, s.positions[i].z) + flags)
        }
        return (lines.joined(separator: "\n") + "\n", mask)
    }

    func input(task: String, structure: String = #""structure": {"file": "POSCAR", "incar": "INCAR"}"#) -> String {
        """
        {
          \(structure),
          \(Self.argonPotential),
          \(task),
          "output": {"directory": "out", "overwrite": true, "trajectory": {"file": "traj.extxyz", "every": 10}}
        }
        """
    }

    /// Positions of the last frame of an extxyz file.
    func lastFrame(_ name: String) throws -> AtomicSystem {
        try ExtendedXYZ.parse(try XCTUnwrap(read(name)), file: name).last!.system
    }

    func testSlabFromPOSCARRelaxesAndRunsWithItsFixedAtoms() throws {
        let (poscar, mask) = slabPOSCAR()
        try write("POSCAR", poscar)
        try write("INCAR", "SYSTEM = Ar slab\nENCUT = 400 ; ISMEAR = 0\nMAGMOM = 48*0\n")
        let start = try POSCAR.parse(poscar, file: "POSCAR")
        XCTAssertEqual(mask.filter { $0 == 7 }.count, 8)
        XCTAssertEqual(mask.filter { $0 == 4 }.count, 8)

        try write("relax.json", input(task: #""task": "relax", "relax": {"fmax_eV_per_A": 1e-3, "max_steps": 2000}"#))
        let r = try spinmd(["run", "relax.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("constraints: 8 of 48 atoms fixed, 8 fixed along some lattice directions (POSCAR selective dynamics)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("INCAR; tags ignored: SYSTEM, ENCUT, ISMEAR"), r.stdout)
        let relaxed = try lastFrame("out/final.extxyz")
        var freeMoved = 0.0
        for i in 0..<start.atomCount {
            let d = relaxed.positions[i] - start.positions[i]
            switch mask[i] {
            case 7: XCTAssertLessThan(d.norm, 1e-9, "atom \(i) is fixed")
            case 4: XCTAssertLessThan(abs(d.z), 1e-9, "atom \(i) is fixed along z")
            default: freeMoved = max(freeMoved, d.norm)
            }
        }
        XCTAssertGreaterThan(freeMoved, 0.02, "the free atoms relaxed")
        XCTAssertTrue(read("out/final.extxyz")!.contains(":move_mask:L:3"), "the constraints travel with the structure (the cell is orthorhombic)")
        XCTAssertEqual(relaxed.constraints?.fixedMask, mask)

        // MD from the relaxed slab keeps them (read back from final.extxyz's move_mask); the
        // temperature counts the free directions only.
        try FileManager.default.copyItem(at: workDirectory.appendingPathComponent("out/final.extxyz"), to: workDirectory.appendingPathComponent("slab.extxyz"))
        try write("md.json", input(task: #""task": "md", "md": {"ensemble": "nve", "timestep_fs": 5, "steps": 40, "initial_temperature_K": 40}"#,
                                   structure: #""structure": {"file": "slab.extxyz"}"#))
        let m = try spinmd(["run", "md.json", "--quiet"])
        XCTAssertEqual(m.status, 0, m.stderr)
        let frames = try ExtendedXYZ.parse(try XCTUnwrap(read("out/traj.extxyz")), file: "traj.extxyz")
        XCTAssertEqual(frames.count, 5)
        for f in frames {
            for i in 0..<start.atomCount where mask[i] != 0 {
                XCTAssertEqual(f.system.positions[i].z, relaxed.positions[i].z, accuracy: 1e-9)
                if mask[i] == 7 { XCTAssertEqual(f.system.velocities[i], .zero) }
            }
        }
        let thermo = try XCTUnwrap(read("out/thermo.tsv")).split(separator: "\n")
        let header = thermo[0].split(separator: "\t"), first = thermo[1].split(separator: "\t")
        let column = try XCTUnwrap(header.firstIndex(of: "temperature_K"))
        XCTAssertEqual(Double(first[column])!, 40, accuracy: 1e-3, "step 0 at the initial temperature, over 3·48 − 24 − 8 degrees of freedom")
    }

    func testWhatCannotBeHonouredIsRefused() throws {
        try write("slab.extxyz", "2\nLattice=\"6 0 0 0 6 0 0 0 6\" Properties=species:S:1:pos:R:3:move_mask:L:3 pbc=\"T T T\"\nAr 0 0 0 T T F\nAr 3 3 3 T T T\n")
        try assertFails(input(task: #""task": "relax", "relax": {"cell": true}"#, structure: #""structure": {"file": "slab.extxyz"}"#),
                        "atoms fixed along Cartesian directions (extxyz move_mask) cannot be held in a relaxation of the cell")
        try assertFails(input(task: #""task": "md", "md": {"ensemble": "nve", "timestep_fs": 5, "steps": 4}"#,
                              structure: #""structure": {"file": "slab.extxyz", "fixed_atoms": [0, 1]}"#),
                        "every atom is fixed (input fixed_atoms): MD has nothing to move")
        try write("POSCAR", slabPOSCAR().text)
        try write("INCAR", "MAGMOM = 47*0\n")
        try assertFails(input(task: #""task": "relax", "relax": {}"#), "INCAR:1: MAGMOM has 47 values but the structure has 48 atoms")
    }
}
