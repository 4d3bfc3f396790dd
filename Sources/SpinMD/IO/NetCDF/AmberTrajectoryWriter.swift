import CNetCDF
import Foundation
import SpinMDCore

/// Writes an AMBER NetCDF trajectory (Conventions "AMBER", version 1.0) in the 64-bit-offset
/// format that MDAnalysis, ASE, mdtraj, cpptraj, VMD and OVITO read; see
/// docs/trajectory-format.md for every variable and its units.
///
/// Each frame is rotated so that a ∥ x and b lies in the xy-plane (the frame the cell lengths and
/// angles imply), and the file is synced after every frame so a killed run leaves every frame
/// written before it readable. Its frame count is saved in checkpoints, so a resumed run
/// overwrites the frames written after them. Closing sets the file's record count to the frames
/// completed (`frameCount`), so neither a frame whose write failed part-way nor frames past a
/// resumed checkpoint that were not overwritten are seen by readers.
public final class AmberTrajectoryWriter: Observer, Checkpointable {
    /// How the `velocities` variable stores velocities (its `units` attribute is
    /// `angstrom/picosecond` either way).
    public enum VelocityUnits: String, CaseIterable, Sendable {
        /// AMBER's convention: v [Å/ps] / 20.455 with `scale_factor = 20.455`. Readers that apply
        /// the scale factor (MDAnalysis, ASE, chemfiles, ParmEd) give Å/ps, cpptraj AMBER's units,
        /// OVITO (which ignores it) Å/ps / 20.455.
        case amber
        /// v [Å/ps] as it is, no `scale_factor`: every reader gives Å/ps (cpptraj too, though it
        /// takes the numbers for AMBER's units).
        case angstromPerPicosecond = "A/ps"
    }

    /// What each frame holds beyond time, coordinates and cell.
    public struct Content: Equatable, Sendable {
        public var velocities = false
        public var forces = false
        public var atomicEnergies = false
        /// Columns of per-atom magnetic moments: 0 (none), 1 (collinear) or 3 (vectors).
        public var magneticMomentWidth = 0
        /// How velocities are stored (`.amber` when there are none).
        public var velocityUnits = VelocityUnits.amber
        public init(velocities: Bool = false, forces: Bool = false, atomicEnergies: Bool = false, magneticMomentWidth: Int = 0,
                    velocityUnits: VelocityUnits = .amber) {
            self.velocities = velocities
            self.forces = forces
            self.atomicEnergies = atomicEnergies
            self.magneticMomentWidth = magneticMomentWidth
            self.velocityUnits = velocities ? velocityUnits : .amber
        }
    }

    public let trigger: Trigger
    public let path: String
    public let content: Content
    /// Frames in the file (the next frame's index).
    public private(set) var frameCount: Int
    let file: NetCDFFile
    let atomCount: Int
    let periodic: Bool
    let ids: [String: Int32]
    let cellVariables: NetCDFFile.AmberCellVariables?

    public var request: EvaluationRequest {
        var r: EvaluationRequest = content.forces ? [.energy, .forces] : [.energy]
        if content.atomicEnergies { r.insert(.atomicEnergies) }
        if content.magneticMomentWidth > 0 { r.insert(.magneticMoments) }
        return r
    }

    /// Creates a new trajectory for `system`.
    /// - Parameter overwrite: replace an existing file (otherwise that is an error).
    public init(creating path: String, system: AtomicSystem, content: Content, trigger: Trigger, overwrite: Bool, title: String) throws {
        self.path = path
        self.trigger = trigger
        self.content = content
        atomCount = system.atomCount
        periodic = system.cell.pbc.contains(true)
        frameCount = 0
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw SpinMDError.io(path: path, message: "exists; set \"overwrite\": true in output (or pass --overwrite) to replace it, or --resume to continue that run")
        }
        file = try NetCDFFile(creating: path, overwrite: true)
        var v: [String: Int32] = [:]
        let frame = try file.defineDimension("frame", length: nil)
        let spatial = try file.defineDimension("spatial", length: 3)
        let atom = try file.defineDimension("atom", length: atomCount)
        try file.setAmberAttributes(conventions: "AMBER", title: title)
        v["spatial"] = try file.defineVariable("spatial", type: NC_CHAR, dimensions: [spatial])
        v["time"] = try file.defineVariable("time", type: NC_FLOAT, dimensions: [frame])
        try file.setAttribute("units", "picosecond", variable: v["time"])
        v["coordinates"] = try file.defineVariable("coordinates", type: NC_FLOAT, dimensions: [frame, atom, spatial])
        try file.setAttribute("units", "angstrom", variable: v["coordinates"])
        cellVariables = periodic ? try file.defineAmberCell(frame: frame) : nil
        if content.velocities {
            v["velocities"] = try file.defineVariable("velocities", type: NC_FLOAT, dimensions: [frame, atom, spatial])
            try file.setAttribute("units", "angstrom/picosecond", variable: v["velocities"])
            if content.velocityUnits == .amber { try file.setAttribute("scale_factor", Units.amberVelocityScale, variable: v["velocities"]!) }
        }
        if content.forces {
            v["forces"] = try file.defineVariable("forces", type: NC_FLOAT, dimensions: [frame, atom, spatial])
            try file.setAttribute("units", "kilocalorie/mole/angstrom", variable: v["forces"])
        }
        // Extra per-atom data, without scale_factor so every reader keeps it.
        v["atom_types"] = try file.defineVariable("atom_types", type: NC_INT, dimensions: [atom])
        try file.setAttribute("long_name", "atomic number", variable: v["atom_types"])
        if content.magneticMomentWidth == 1 {
            v["magmoms"] = try file.defineVariable("magmoms", type: NC_FLOAT, dimensions: [frame, atom])
        } else if content.magneticMomentWidth == 3 {
            v["magmoms"] = try file.defineVariable("magmoms", type: NC_FLOAT, dimensions: [frame, atom, spatial])
        }
        if let m = v["magmoms"] { try file.setAttribute("units", "bohr_magneton", variable: m) }
        if content.atomicEnergies {
            v["energies"] = try file.defineVariable("energies", type: NC_DOUBLE, dimensions: [frame, atom])
            try file.setAttribute("units", "electronvolt", variable: v["energies"])
        }
        try file.endDefinitions()
        try file.put(v["spatial"]!, start: [0], count: [3], text: "xyz")
        if let c = cellVariables { try file.putAmberCellLabels(c) }
        try file.put(v["atom_types"]!, start: [0], count: [atomCount], ints: system.species.map { Int32($0.atomicNumber) })
        try file.sync()
        ids = v
    }

    /// Reopens a trajectory written by spinmd to continue it after its last frame, or, after
    /// `restore(from:)`, after the frames a checkpoint covers (later ones are overwritten, and
    /// those not overwritten are dropped at `close`). Refuses a file of another system, and one
    /// that is not CDF-1 or CDF-2 (its record count could not be set when closing).
    public init(appendingTo path: String, system: AtomicSystem, content: Content, trigger: Trigger) throws {
        self.path = path
        self.trigger = trigger
        self.content = content
        atomCount = system.atomCount
        periodic = system.cell.pbc.contains(true)
        let file = try NetCDFFile(opening: path, writable: true)
        self.file = file
        guard file.textAttribute("Conventions") == "AMBER", let atoms = file.dimension("atom") else {
            throw SpinMDError.io(path: path, message: "is not an AMBER trajectory; cannot resume into it")
        }
        guard [NC_FORMAT_CLASSIC, NC_FORMAT_64BIT_OFFSET].contains(file.format) else {
            throw SpinMDError.io(path: path, message: "is not a classic or 64-bit-offset NetCDF file (spinmd writes 64-bit offset); cannot resume into it")
        }
        guard atoms.length == atomCount else {
            throw SpinMDError.io(path: path, message: "holds \(atoms.length) atoms but the system has \(atomCount); it belongs to another run")
        }
        var v: [String: Int32] = [:]
        for name in ["spatial", "time", "coordinates", "velocities", "forces", "atom_types", "magmoms", "energies"] {
            if let id = file.variable(name) { v[name] = id }
        }
        if let s = file.variable("cell_spatial"), let a = file.variable("cell_angular"), let l = file.variable("cell_lengths"), let g = file.variable("cell_angles") {
            cellVariables = .init(spatialLabels: s, angularLabels: a, lengths: l, angles: g)
        } else {
            cellVariables = nil
        }
        guard (cellVariables != nil) == periodic else {
            throw SpinMDError.io(path: path, message: "has \(periodic ? "no" : "a") cell but the system is \(periodic ? "" : "not ")periodic; it belongs to another run")
        }
        if let types = v["atom_types"] {
            let z = try file.getInts(types, start: [0], count: [atomCount])
            guard z == system.species.map({ Int32($0.atomicNumber) }) else {
                throw SpinMDError.io(path: path, message: "holds other species than the system; it belongs to another run")
            }
        }
        let scaled = v["velocities"].map { file.doubleAttribute("scale_factor", variable: $0) != nil } ?? true
        let storedUnits: VelocityUnits = scaled ? .amber : .angstromPerPicosecond
        let has = Content(velocities: v["velocities"] != nil, forces: v["forces"] != nil, atomicEnergies: v["energies"] != nil,
                          magneticMomentWidth: v["magmoms"].map { file.rank($0) == 3 ? 3 : 1 } ?? 0, velocityUnits: storedUnits)
        if has.velocities && content.velocities && has.velocityUnits != content.velocityUnits {
            func named(_ u: VelocityUnits) -> String { u == .amber ? "AMBER units (scale_factor 20.455)" : "Å/ps without scale_factor" }
            throw SpinMDError.io(path: path, message: "stores velocities in \(named(has.velocityUnits)) but the input asks for \(named(content.velocityUnits)) (output.trajectory.velocity_units \"\(content.velocityUnits.rawValue)\"); resume with the input that wrote it")
        }
        guard has == content else {
            throw SpinMDError.io(path: path, message: "was written with other trajectory options (velocities/forces/moments); resume with the input that wrote it")
        }
        ids = v
        frameCount = file.dimension("frame")?.length ?? 0
    }

    public var checkpointSection: String { "output." + (path as NSString).lastPathComponent }

    /// Words "frames": frames the checkpoint covers.
    public func checkpointState() -> CheckpointSection? { CheckpointSection(words: ["frames": [UInt64(frameCount)]]) }

    /// Continues after the checkpoint's frames; frames written after it are overwritten.
    public func restore(from section: CheckpointSection?) throws {
        guard let section else { throw CheckpointSection.Mismatch("is missing: the checkpoint does not cover \(path)") }
        let frames = try section.words("frames", count: 1)[0]
        guard frames <= UInt64(frameCount) else {
            throw SpinMDError.io(path: path, message: "holds \(frameCount) frames, fewer than the \(frames) the checkpoint covers; it was cut or replaced since, cannot resume into it")
        }
        frameCount = Int(frames)
    }

    /// Writes one frame at index `frameCount`, syncs, and only then counts it: a write that fails
    /// part-way leaves `frameCount` unchanged, so the next frame overwrites the partial one and
    /// `close` drops it.
    public func observe(_ s: Snapshot) throws {
        try s.requireFinite(content.velocities ? [.cell, .positions, .velocities, .results] : [.cell, .positions, .results], writing: path)
        let (cell, rotation) = s.system.cell.standardOrientation()
        let k = frameCount
        let n = atomCount
        /// The file's 32-bit floats; a finite value beyond their range is refused, not written as inf.
        func floats(_ vectors: [Vector3], scale: Double, _ name: String) throws -> [Float] {
            var out = [Float](repeating: 0, count: 3 * n)
            for i in 0..<n {
                let r = rotation.apply(vectors[i]) * scale
                out[3 * i] = Float(r.x); out[3 * i + 1] = Float(r.y); out[3 * i + 2] = Float(r.z)
                guard out[3 * i].isFinite && out[3 * i + 1].isFinite && out[3 * i + 2].isFinite else {
                    throw SpinMDError.io(path: path, message: "step \(s.step): \(name) of atom \(i + 1) (\(r.x), \(r.y), \(r.z)) exceed the range of the trajectory's 32-bit floats; the frame is not written")
                }
            }
            return out
        }
        // NOTE: relaxation frames have no time; they store the FIRE step as if it were fs, so
        // readers see increasing times.
        let time = s.task == .relax ? Double(s.step) : s.time
        try file.put(ids["time"]!, start: [k], count: [1], floats: [Float(time / Units.femtosecondsPerPicosecond)])
        try file.put(ids["coordinates"]!, start: [k, 0, 0], count: [1, n, 3], floats: try floats(s.system.positions, scale: 1, "the coordinates"))
        if let c = cellVariables { try file.putAmberCell(c, cell, start: [k]) }
        if content.velocities {
            let scale = Units.femtosecondsPerPicosecond / (content.velocityUnits == .amber ? Units.amberVelocityScale : 1)
            try file.put(ids["velocities"]!, start: [k, 0, 0], count: [1, n, 3], floats: try floats(s.system.velocities, scale: scale, "the velocities"))
        }
        if content.forces, let f = s.result.forces {
            try file.put(ids["forces"]!, start: [k, 0, 0], count: [1, n, 3], floats: try floats(f, scale: Units.kilocaloriesPerMolePerElectronvolt, "the forces"))
        }
        if let m = ids["magmoms"] {
            switch s.result.magneticMoments {
            case let .collinear(values)?:
                try file.put(m, start: [k, 0], count: [1, n], floats: values.map(Float.init))
            case let .vector(values)?:
                try file.put(m, start: [k, 0, 0], count: [1, n, 3], floats: try floats(values, scale: 1, "the magnetic moments"))
            case nil:
                break
            }
        }
        if let e = ids["energies"], let energies = s.result.atomicEnergies {
            try file.put(e, start: [k, 0], count: [1, n], doubles: energies)
        }
        try file.sync()
        frameCount += 1  // last: only a complete, synced frame counts
    }

    /// Closes the file (whatever `status`, failures included), then lowers its record count to
    /// `frameCount` with `NetCDFFile.limitRecordCount`: libnetcdf counts a record as soon as any
    /// variable of it is written, so a frame cut short (disk full) would read as zeros, and a
    /// resumed run that stops early would leave frames of the interrupted run past its own.
    /// The record count is set even when `nc_close` fails; the first error is rethrown.
    public func close(status: String) throws {
        var failure: (any Error)?
        do { try file.close() } catch { failure = error }
        do { try NetCDFFile.limitRecordCount(path: path, to: frameCount) } catch { failure = failure ?? error }
        if let failure { throw failure }
    }
}
