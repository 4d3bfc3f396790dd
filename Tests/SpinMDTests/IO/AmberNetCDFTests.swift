import Foundation
import XCTest
@testable import SpinMD
@testable import SpinMDCore

/// An observer whose close fails.
private final class FailingClose: Observer {
    let trigger = Trigger(every: 1)
    func observe(_ snapshot: Snapshot) throws {}
    func close(status: String) throws { throw SpinMDError.io(path: "other.log", message: "close failed") }
}

final class AmberNetCDFTests: TemporaryDirectoryTestCase {
    /// A rattled NiO cell in a rotated (non-standard) orientation, with velocities.
    func system() -> AtomicSystem {
        var s = Fixtures.nioRhombohedral()
        Fixtures.rattle(&s, sigma: 0.05)
        s.velocities = s.positions.enumerated().map { i, r in Vector3(0.001 * Double(i), -0.002, 0.0005 * r.x) }
        return s
    }

    func snapshot(_ s: AtomicSystem, step: Int, moments: MagneticMoments?) -> Snapshot {
        let result = PotentialResult(energy: -10, forces: s.positions.map { 0.1 * $0 - Vector3(0.2, 0, 0.1) },
                                     atomicEnergies: [-2, -3, -2.5, -2.5], magneticMoments: moments)
        return Snapshot(task: .md, step: step, totalSteps: 10, time: 2.0 * Double(step), system: s, result: result, extendedEnergy: 0)
    }

    func testTrajectoryRoundTripInTheStandardOrientation() throws {
        for moments in [MagneticMoments.collinear([1.7, -1.7, 0.02, 0]), .vector([Vector3(0, 0, 1.7), Vector3(0.1, 0, -1.7), .zero, Vector3(0, 0.01, 0)])] {
            let s = system()
            let width = { if case .vector = moments { return 3 } else { return 1 } }()
            let content = AmberTrajectoryWriter.Content(velocities: true, forces: true, atomicEnergies: true, magneticMomentWidth: width)
            let file = path("t\(width).nc")
            let writer = try AmberTrajectoryWriter(creating: file, system: s, content: content, trigger: Trigger(every: 1), overwrite: false, title: "test")
            for k in 0..<3 { try writer.observe(snapshot(s, step: k, moments: moments)) }
            try writer.close(status: "done")

            XCTAssertEqual(try NetCDFFile(opening: file, writable: false).format, 2, "64-bit offset (CDF-2)")
            let reader = try AmberTrajectoryReader(path: file)
            XCTAssertEqual(reader.frameCount, 3)
            XCTAssertEqual(reader.species, s.species)
            let f = try reader.frame(2)
            XCTAssertEqual(f.time!, 4.0, accuracy: 1e-6)
            let (standard, rotation) = s.cell.standardOrientation()
            XCTAssertEqual(rotation.apply(s.cell.a).y, 0, accuracy: 1e-12)
            let cell = try XCTUnwrap(f.cell)
            XCTAssertLessThan((cell.matrix - standard.matrix).maxAbs, 1e-9, "cell from lengths and angles is the standard-orientation cell")
            XCTAssertEqual(cell.a.y, 0)
            XCTAssertEqual(cell.b.z, 0)
            let forces = snapshot(s, step: 0, moments: nil).result.forces!
            for i in 0..<s.atomCount {
                XCTAssertLessThan((f.positions[i] - rotation.apply(s.positions[i])).norm, 2e-6)
                XCTAssertLessThan((f.velocities![i] - rotation.apply(s.velocities[i])).norm, 1e-9)
                XCTAssertLessThan((f.forces![i] - rotation.apply(forces[i])).norm, 1e-6)
            }
            switch (f.magneticMoments, moments) {
            case let (.collinear(a)?, .collinear(b)): for i in a.indices { XCTAssertEqual(a[i], b[i], accuracy: 1e-6) }
            case let (.vector(a)?, .vector(b)): for i in a.indices { XCTAssertLessThan((a[i] - rotation.apply(b[i])).norm, 1e-6) }
            default: XCTFail("moments lost")
            }
            XCTAssertEqual(f.atomicEnergies!, [-2, -3, -2.5, -2.5])
        }
    }

    func testRestartIsDoublePrecision() throws {
        var s = Fixtures.argonCrystal(a: 5.3, repeats: 2)
        Fixtures.rattle(&s, sigma: 0.1)
        s.velocities = s.positions.map { 1e-3 * $0 }
        try AmberRestartWriter.write(s, time: 1234.5, to: path("r.ncrst"), title: "restart")
        let r = try AmberTrajectoryReader(path: path("r.ncrst"))
        XCTAssertEqual(r.conventions, "AMBERRESTART")
        let f = try r.frame(0)
        XCTAssertEqual(f.time!, 1234.5, accuracy: 1e-9)
        for i in 0..<s.atomCount {
            XCTAssertLessThan((f.positions[i] - s.positions[i]).norm, 1e-12)
            XCTAssertLessThan((f.velocities![i] - s.velocities[i]).norm, 1e-14)
        }
    }

    func testAppendingKeepsFramesUpToTheCheckpointAndRejectsOtherSystems() throws {
        let s = system()
        let content = AmberTrajectoryWriter.Content(velocities: true)
        let file = path("a.nc")
        let w = try AmberTrajectoryWriter(creating: file, system: s, content: content, trigger: Trigger(every: 1), overwrite: false, title: "t")
        for k in 0..<5 { try w.observe(snapshot(s, step: k, moments: nil)) }
        try w.close(status: "")
        let before = try AmberTrajectoryReader(path: file).frame(3).positions[0]
        XCTAssertThrowsError(try AmberTrajectoryWriter(creating: file, system: s, content: content, trigger: Trigger(every: 1), overwrite: false, title: "t")) {
            XCTAssertTrue("\($0)".contains("exists"), "\($0)")
        }
        let resumed = try AmberTrajectoryWriter(appendingTo: file, system: s, content: content, trigger: Trigger(every: 1))
        XCTAssertEqual(resumed.frameCount, 5, "reopened after its last frame")
        XCTAssertThrowsError(try resumed.restore(from: CheckpointSection(words: ["frames": [6]]))) {
            XCTAssertTrue("\($0)".contains("fewer than the 6 the checkpoint covers"), "\($0)")
        }
        XCTAssertThrowsError(try resumed.restore(from: nil))
        try resumed.restore(from: CheckpointSection(words: ["frames": [3]]))
        XCTAssertEqual(resumed.frameCount, 3, "frames at 0, 2, 4 fs are kept")
        var moved = s
        moved.positions[0].x += 0.5
        try resumed.observe(snapshot(moved, step: 3, moments: nil))
        try resumed.close(status: "")
        let r = try AmberTrajectoryReader(path: file)
        XCTAssertEqual(r.frameCount, 4, "the interrupted run's fifth frame, not overwritten, is dropped at close")
        XCTAssertEqual(try r.frame(3).time!, 6, accuracy: 1e-6)
        XCTAssertNotEqual(try r.frame(3).positions[0], before, "frame 3 overwritten")
        XCTAssertEqual(try r.frame(2).positions[0], before, "frame 2 kept")
        // Another system, or other options: refused.
        let other = Fixtures.argonCrystal(repeats: 1)
        XCTAssertThrowsError(try AmberTrajectoryWriter(appendingTo: file, system: other, content: content, trigger: Trigger(every: 1))) {
            XCTAssertTrue("\($0)".contains("holds other species than the system; it belongs to another run"), "\($0)")
        }
        XCTAssertThrowsError(try AmberTrajectoryWriter(appendingTo: file, system: s, content: .init(velocities: true, forces: true), trigger: Trigger(every: 1)))
    }

    /// `velocity_units`: AMBER's scaled numbers with scale_factor 20.455, or Å/ps without one;
    /// both read back as spinmd's Å/fs, and a file of one kind is not continued as the other.
    func testVelocityUnits() throws {
        let s = system()
        for units in AmberTrajectoryWriter.VelocityUnits.allCases {
            let file = path("v-\(units).nc")
            let content = AmberTrajectoryWriter.Content(velocities: true, velocityUnits: units)
            let w = try AmberTrajectoryWriter(creating: file, system: s, content: content, trigger: Trigger(every: 1), overwrite: false, title: "t")
            try w.observe(snapshot(s, step: 0, moments: nil))
            try w.close(status: "")

            let nc = try NetCDFFile(opening: file, writable: false)
            let v = try XCTUnwrap(nc.variable("velocities"))
            XCTAssertEqual(nc.textAttribute("units", variable: v), "angstrom/picosecond")
            XCTAssertEqual(nc.doubleAttribute("scale_factor", variable: v), units == .amber ? 20.455 : nil)
            let stored = try nc.getDoubles(v, start: [0, 0, 0], count: [1, s.atomCount, 3])
            let rotation = s.cell.standardOrientation().rotation
            let perPicosecond = units == .amber ? 1000 / 20.455 : 1000  // Å/fs → stored numbers
            for i in 0..<s.atomCount {
                let expected = rotation.apply(s.velocities[i]) * perPicosecond
                for (k, x) in [expected.x, expected.y, expected.z].enumerated() { XCTAssertEqual(stored[3 * i + k], x, accuracy: 1e-6 * max(1, abs(x))) }
            }
            let back = try XCTUnwrap(try AmberTrajectoryReader(path: file).frame(0).velocities)
            for i in 0..<s.atomCount { XCTAssertLessThan((back[i] - rotation.apply(s.velocities[i])).norm, 1e-9) }

            let other: AmberTrajectoryWriter.VelocityUnits = units == .amber ? .angstromPerPicosecond : .amber
            XCTAssertThrowsError(try AmberTrajectoryWriter(appendingTo: file, system: s, content: .init(velocities: true, velocityUnits: other), trigger: Trigger(every: 1))) {
                let stores = units == .amber ? "AMBER units (scale_factor 20.455)" : "Å/ps without scale_factor"
                let asks = units == .amber ? "Å/ps without scale_factor (output.trajectory.velocity_units \"A/ps\")" : "AMBER units (scale_factor 20.455) (output.trajectory.velocity_units \"amber\")"
                XCTAssertEqual("\($0)", "\(file): stores velocities in \(stores) but the input asks for \(asks); resume with the input that wrote it")
            }
            XCTAssertEqual(try AmberTrajectoryWriter(appendingTo: file, system: s, content: content, trigger: Trigger(every: 1)).frameCount, 1)
        }
    }

    /// Frames past the checkpoint that a resumed run did not overwrite are not counted once the
    /// writer closes (here: the run stops right after restoring).
    func testCloseTrimsFramesPastTheCheckpoint() throws {
        let s = system()
        let file = path("trim.nc")
        let w = try AmberTrajectoryWriter(creating: file, system: s, content: .init(velocities: true), trigger: Trigger(every: 1), overwrite: false, title: "t")
        for k in 0..<3 {
            var moved = s
            moved.positions[0].x += 0.1 * Double(k)
            try w.observe(snapshot(moved, step: k, moments: nil))
        }
        try w.restore(from: CheckpointSection(words: ["frames": [1]]))
        XCTAssertEqual(w.frameCount, 1)
        try w.close(status: "interrupted")
        try w.close(status: "interrupted")  // a second close changes nothing

        let r = try AmberTrajectoryReader(path: file)
        XCTAssertEqual(r.frameCount, 1)
        let f = try r.frame(0)
        XCTAssertEqual(f.time!, 0, accuracy: 1e-12)
        let (_, rotation) = s.cell.standardOrientation()
        for i in 0..<s.atomCount {
            XCTAssertLessThan((f.positions[i] - rotation.apply(s.positions[i])).norm, 2e-6, "the first frame, unchanged")
            XCTAssertLessThan((f.velocities![i] - rotation.apply(s.velocities[i])).norm, 1e-9)
        }
        XCTAssertThrowsError(try r.frame(1))
        // Resuming continues after that frame.
        XCTAssertEqual(try AmberTrajectoryWriter(appendingTo: file, system: s, content: .init(velocities: true), trigger: Trigger(every: 1)).frameCount, 1)
    }

    /// A frame whose write stopped part-way (only its coordinates written, as a full disk would
    /// leave it) makes libnetcdf count a record, but not the writer: closing drops it.
    func testHalfWrittenFrameIsNotCounted() throws {
        let s = system()
        let file = path("half.nc")
        let w = try AmberTrajectoryWriter(creating: file, system: s, content: .init(velocities: true), trigger: Trigger(every: 1), overwrite: false, title: "t")
        for k in 0..<2 { try w.observe(snapshot(s, step: k, moments: nil)) }
        let coordinates = try XCTUnwrap(w.file.variable("coordinates"))
        try w.file.put(coordinates, start: [2, 0, 0], count: [1, s.atomCount, 3], floats: [Float](repeating: 1, count: 3 * s.atomCount))
        try w.file.sync()
        XCTAssertEqual(w.file.dimension("frame")?.length, 3, "libnetcdf counts the partial record")
        XCTAssertEqual(w.frameCount, 2)
        // The run fails; its failure path closes every observer, even after one whose close fails.
        let schedule = ObserverSchedule([FailingClose(), w])
        XCTAssertThrowsError(try schedule.closing(onFailureOf: { throw SpinMDError.io(path: file, message: "write failed (disk full)") })) {
            XCTAssertTrue("\($0)".contains("disk full"), "the run's error, not the close's: \($0)")
        }
        XCTAssertTrue(schedule.isClosed)

        let r = try AmberTrajectoryReader(path: file)
        XCTAssertEqual(r.frameCount, 2)
        XCTAssertEqual(try r.frame(1).time!, 2, accuracy: 1e-6)
        XCTAssertEqual(try NetCDFFile.limitRecordCount(path: file, to: 2), 2, "nothing left to trim")
        // Only CDF-1 and CDF-2 headers are patched; anything else is refused, naming the file.
        try Data("\u{89}HDF\r\n\u{1A}\n".utf8).write(to: URL(fileURLWithPath: path("n4.nc")))
        XCTAssertThrowsError(try NetCDFFile.limitRecordCount(path: path("n4.nc"), to: 0)) {
            XCTAssertTrue("\($0)".contains("n4.nc: is not a classic NetCDF file"), "\($0)")
        }
        try Data([0x43, 0x44, 0x46, 5, 0, 0, 0, 0, 0, 0, 0, 3]).write(to: URL(fileURLWithPath: path("cdf5.nc")))
        XCTAssertThrowsError(try NetCDFFile.limitRecordCount(path: path("cdf5.nc"), to: 0)) {
            XCTAssertTrue("\($0)".contains("of format CDF-5"), "\($0)")
        }
    }

    func testTextOutputsResumeAtTheLengthTheCheckpointRecorded() throws {
        let s = system()
        let thermo = try ThermoLog(path: path("thermo.tsv"), every: 1, task: .md, extraColumns: ["spin_iterations"])
        let trajectory = try StructureWriter(path: path("traj.extxyz"), trigger: Trigger(every: 1), mode: .append)
        let state = try RunState([thermo, trajectory])
        var checkpoint: Checkpoint?
        var atCheckpoint: [String?] = []
        for k in 0..<7 {
            try thermo.observe(snapshot(s, step: k, moments: nil))
            try trajectory.observe(snapshot(s, step: k, moments: nil))
            if k == 3 {
                checkpoint = state.capture(step: k, time: 6, system: s)
                atCheckpoint = ["thermo.tsv", "traj.extxyz"].map { try? String(contentsOfFile: path($0), encoding: .utf8) }
            }
        }
        try thermo.close(status: "")
        try trajectory.close(status: "")
        XCTAssertEqual(checkpoint?.sections["output.thermo.tsv"]?.words["length"]?.first, UInt64(atCheckpoint[0]!.utf8.count))

        // Reopened and restored: each file is cut to what the checkpoint covers, and continues there.
        let thermo2 = try ThermoLog(path: path("thermo.tsv"), every: 1, task: .md, extraColumns: ["spin_iterations"], resuming: true)
        let trajectory2 = try StructureWriter(path: path("traj.extxyz"), trigger: Trigger(every: 1), mode: .append, resuming: true)
        var restored = s
        try RunState([thermo2, trajectory2]).restore(checkpoint!, into: &restored, path: "c.spinmd")
        try thermo2.close(status: "")
        try trajectory2.close(status: "")
        XCTAssertEqual(["thermo.tsv", "traj.extxyz"].map { try? String(contentsOfFile: path($0), encoding: .utf8) }, atCheckpoint)
        XCTAssertEqual(try ExtendedXYZ.read(path: path("traj.extxyz")).map { $0.info["step"] }, ["0", "1", "2", "3"])

        // A checkpoint covering more than the file holds, a missing section, another log: refused.
        var longer = checkpoint!
        longer.sections["output.thermo.tsv"] = CheckpointSection(words: ["length": [1_000_000]])
        let thermo3 = try ThermoLog(path: path("thermo.tsv"), every: 1, task: .md, extraColumns: ["spin_iterations"], resuming: true)
        XCTAssertThrowsError(try thermo3.restore(from: longer.sections["output.thermo.tsv"])) {
            XCTAssertTrue("\($0)".contains("fewer than the 1000000 the checkpoint covers"), "\($0)")
        }
        XCTAssertThrowsError(try RunState([thermo3]).restore(Checkpoint(step: 3, time: 6, system: s), into: &restored, path: "c.spinmd")) {
            XCTAssertTrue("\($0)".contains("c.spinmd: section 'output.thermo.tsv' is missing"), "\($0)")
        }
        XCTAssertThrowsError(try ThermoLog(path: path("thermo.tsv"), every: 1, task: .relax, resuming: true)) {
            XCTAssertTrue("\($0)".contains("is not a relax thermo log"), "\($0)")
        }
        // Two parts saving one section: an error, not a crash.
        XCTAssertThrowsError(try RunState([thermo3, thermo3]))
    }

    func testCheckpointRoundTripIsBitExactAndTruncationIsDetected() throws {
        var s = system()
        s.initialMagneticMoments = .vector([Vector3(0, 0, 2), Vector3(0, 0, -2), .zero, .zero])
        var c = Checkpoint(step: 1234, time: 2468.000000001, system: s)
        c.sections["integrator"] = CheckpointSection(arrays: ["thermostat_positions": [0.1, -0.2, 1e-300], "thermostat_velocities": [.pi, -.ulpOfOne, 0]])
        c.sections["generator"] = CheckpointSection(words: ["xoshiro256": [.max, 0, 1 << 63, 12345]])
        c.sections["output.thermo.tsv"] = CheckpointSection(words: ["length": [987_654_321_012]])
        c.sections["potential"] = CheckpointSection(arrays: ["spin_history": [1.75, -1.75, .infinity, -0.0, .leastNonzeroMagnitude], "empty": []])
        try c.write(to: path("c.spinmd"))
        let back = try Checkpoint.read(path: path("c.spinmd"))
        XCTAssertEqual(back, c)
        XCTAssertEqual(back.system.initialMagneticMoments, s.initialMagneticMoments)
        XCTAssertEqual(back.system.masses, s.masses)
        XCTAssertEqual(back.sections["potential"]!.arrays["spin_history"]!.map(\.bitPattern), [1.75, -1.75, .infinity, -0.0, .leastNonzeroMagnitude].map(\.bitPattern))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("c.spinmd")))
        XCTAssertThrowsError(try Checkpoint.decode([UInt8](bytes.prefix(bytes.count - 9)), path: "c.spinmd")) {
            XCTAssertTrue("\($0)".contains("truncated"), "\($0)")
        }
        // Format 1 (no output lengths) is refused with a message saying why.
        var version1 = [UInt8](bytes)
        let key = Array("\"format_version\":3".utf8)
        let at = try XCTUnwrap((0...(version1.count - key.count)).first { Array(version1[$0..<($0 + key.count)]) == key })
        version1[at + key.count - 1] = UInt8(ascii: "1")
        XCTAssertThrowsError(try Checkpoint.decode(version1, path: "c.spinmd")) {
            XCTAssertTrue("\($0)".contains("format version 1, written by an earlier spinmd"), "\($0)")
        }
        XCTAssertThrowsError(try Checkpoint.decode(Array("not a checkpoint at all".utf8), path: "x")) {
            XCTAssertTrue("\($0)".contains("not a valid spinmd checkpoint"), "\($0)")
        }
    }
}
