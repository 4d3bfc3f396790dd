import Foundation
import SpinMDCore

/// Everything `spinmd run` needs, read and validated from an input JSON file before any output
/// is opened. Keys that carry a quantity name its unit; see docs/input-format.md.
public struct RunConfiguration {
    public enum StructureSource {
        /// A file (extxyz or POSCAR), the given frame of it (negative counts from the end).
        case file(path: String, format: String, frame: Int)
        /// A cubic crystal built in place.
        case crystal(lattice: CrystalBuilder.Lattice, elements: [Element], a: Double, repeats: SIMD3<Int>)
    }

    public enum Task {
        case md(MDSettings)
        case relax(RelaxSettings)
        /// Relax the structure once per magnetic ordering and rank the orderings by energy.
        case orderings(OrderingSettings)
    }

    /// Initial moments by a named ordering of a rocksalt crystal (`RocksaltOrdering`).
    public struct MagneticOrdering {
        public var ordering: RocksaltOrdering
        /// |m| [μB] per magnetic element; other elements get 0.
        public var magnitudes: [Element: Double]
    }

    public struct OrderingSettings {
        /// Each ordering: its name and how its moments are made.
        public var orderings: [(name: String, moments: OrderingMoments)]
        public var relax: RelaxSettings
    }

    public enum OrderingMoments {
        case rocksalt(MagneticOrdering)
        case explicit([Double])
    }

    public struct MDSettings {
        public var ensemble: String  // "nve" | "nvt"
        /// Timestep [fs].
        public var timestep: Double
        public var steps: Int
        /// Initial Maxwell–Boltzmann temperature [K], nil to keep the structure's velocities.
        public var initialTemperature: Double?
        public var seed: UInt64
        public var thermostat: ThermostatSettings?
        /// `md.runaway`: when the run counts as blown up (see `runawayLimits(startingTemperature:)`).
        public var runaway: RunawayLimits
    }

    public struct ThermostatSettings {
        /// Target temperature [K] and damping time τ [fs].
        public var temperature: Double
        public var damping: Double
        public var chainLength: Int
        public var loops: Int
        public var suzukiYoshidaOrder: Int
    }

    public struct RelaxSettings {
        public var fire: FIRE
        public var maxSteps: Int
        /// Relax the cell too, towards `pressure` [eV/Å³].
        public var relaxCell: Bool
        public var pressure: Double
        /// Report the pseudo-cubic lattice parameter and rhombohedral angle of a rocksalt-derived
        /// cell (cubic axes along x, y, z in the input structure).
        public var pseudoCubic: Bool
    }

    public struct OutputSettings {
        /// Directory for every output file (created if missing).
        public var directory: String
        public var thermoFile: String
        public var thermoEvery: Int
        public var finalStructure: String
        public var trajectory: TrajectorySettings?
        /// AMBER restart file and its period in steps.
        public var restart: (file: String, every: Int)?
        /// spinmd checkpoint (MD only) and its period in steps.
        public var checkpoint: (file: String, every: Int)
        /// Progress lines every N steps when stdout is not a terminal (0 = auto).
        public var progressEvery: Int
        /// Replace output files that already exist (otherwise that is an error).
        public var overwrite: Bool

        /// Every file a run may create, relative to `directory`.
        public var files: [String] {
            [thermoFile, finalStructure, checkpoint.file] + [trajectory?.file, trajectory?.topologyFile, restart?.file].compactMap { $0 }
        }
    }

    public struct TrajectorySettings {
        public enum Format: String { case amberNetCDF = "AMBER NetCDF", extxyz }
        public var file: String
        public var format: Format
        public var every: Int
        /// NetCDF only: also store velocities, forces, per-atom energies.
        public var velocities: Bool
        public var forces: Bool
        public var atomicEnergies: Bool
        /// NetCDF only: how velocities are stored (`velocity_units`).
        public var velocityUnits: AmberTrajectoryWriter.VelocityUnits

        /// The PDB topology written beside a NetCDF trajectory (`PDBTopology`), nil for extxyz.
        public var topologyFile: String? { format == .amberNetCDF ? PDBTopology.fileName(forTrajectory: file) : nil }
    }

    /// Largest `neighbor.skin_A` and `min_distance_A` [Å] (What spinmd refuses, docs/input-format.md).
    public static let maximumSkin = 10.0
    public static let maximumMinimumDistance = 10.0
    /// Largest initial and thermostat temperature [K].
    public static let maximumTemperature = 1e6

    /// The input file [path].
    public var inputPath: String
    public var structure: StructureSource
    /// `structure.fixed_atoms`: replaces the structure file's constraints when given.
    public var fixedAtoms: FixedAtomSelection?
    /// `structure.incar`: a VASP INCAR whose MAGMOM gives the initial moments [path].
    public var incarPath: String?
    public var initialMagneticMoments: MagneticMoments?
    /// Initial moments by a named ordering (computed from the structure in `makeSystem`).
    public var magneticOrdering: MagneticOrdering?
    /// The `potential` section, read by the reader its type registered with `PotentialFactory`.
    public var potential: PotentialSettings
    /// Verlet skin [Å].
    public var skin: Double
    /// Closest allowed approach between atoms at the start [Å].
    public var minimumDistance: Double
    public var task: Task
    public var output: OutputSettings
    public var threads: Int?
    /// The input's root object, for located errors found when the structure is read (`makeSystem`).
    let root: ConfigObject

    /// Reads and validates an input file.
    public static func load(path: String) throws -> RunConfiguration {
        let root = try ConfigObject.load(path: path)
        return try RunConfiguration(root: root, inputPath: path)
    }

    /// Directory that relative input paths are resolved against (the input file's).
    public var baseDirectory: String { URL(fileURLWithPath: inputPath).deletingLastPathComponent().path }

    /// Reads the input section by section (each section's type reads its own object, see
    /// RunConfiguration+Structure/+Task/+Output.swift); the `potential` section last, by the
    /// reader its type registered with `PotentialFactory`.
    init(root: ConfigObject, inputPath: String) throws {
        self.inputPath = inputPath
        self.root = root
        let base = URL(fileURLWithPath: inputPath).deletingLastPathComponent().path
        let structureSection = try root.object("structure")
        fixedAtoms = try FixedAtomSelection(structureSection)
        if let incar = try structureSection.optionalString("incar") {
            incarPath = incar.hasPrefix("/") ? incar : URL(fileURLWithPath: base).appendingPathComponent(incar).path
        }
        structure = try StructureSource(structureSection, baseDirectory: base)
        (initialMagneticMoments, magneticOrdering) = try Self.initialMoments(root)
        if incarPath != nil, root.contains("initial_magmoms") {
            throw root.error("initial_magmoms", "and structure.incar both give initial moments; keep one of them")
        }
        let potentialSection = try root.object("potential")
        let neighbor = try root.optionalObject("neighbor")
        skin = try neighbor?.double("skin_A", default: 1.0, .range(0, Self.maximumSkin)) ?? 1.0
        try neighbor?.finish()
        minimumDistance = try root.double("min_distance_A", default: 0.5, .range(0, Self.maximumMinimumDistance))
        threads = try root.optionalInt("threads", .positive)
        task = try Task(root)
        let stem = URL(fileURLWithPath: inputPath).deletingPathExtension().lastPathComponent
        let outputSection = try root.optionalObject("output") ?? ConfigObject(JSONValue.Located(value: .object([]), line: root.line), file: root.file, path: "output")
        output = try OutputSettings(outputSection, stem: stem, task: task)
        try root.finish()
        potential = try PotentialFactory.read(potentialSection, baseDirectory: base)
    }

    /// An error about the structure, naming its file (or the `structure` key of a built crystal).
    public func structureError(_ message: String) -> SpinMDError {
        switch structure {
        case let .file(path, _, _): .io(path: path, message: message)
        case .crystal: root.error("structure", message)
        }
    }

    /// Builds the initial system: reads or builds the structure and attaches moments and constraints.
    public func makeSystem() throws -> AtomicSystem {
        var notes: [String] = []
        return try makeSystem(notes: &notes)
    }

    /// `makeSystem()`, adding to `notes` what the run log should say about where moments and
    /// constraints came from and what was ignored.
    public func makeSystem(notes: inout [String]) throws -> AtomicSystem {
        var system: AtomicSystem
        var fileMoments: [[Double]]?  // an extxyz frame's `magmoms` column (a DFT result)
        switch structure {
        case let .file(path, format, frame):
            if format == "poscar" {
                system = try POSCAR.read(path: path)
            } else {
                let frames = try ExtendedXYZ.read(path: path)
                let index = frame < 0 ? frames.count + frame : frame
                guard frames.indices.contains(index) else {
                    throw try root.object("structure").error("frame", "\(path) has \(frames.count) frames; frame \(frame) does not exist")
                }
                system = frames[index].system
                fileMoments = frames[index].arrays["magmoms"]
            }
        case let .crystal(lattice, elements, a, repeats):
            do { system = try CrystalBuilder.cubic(lattice, a: a, species: elements, repeats: repeats) } catch let e as SpinMDError {
                throw structureError(e.description)
            }
        }
        if let o = magneticOrdering {
            do {
                system.initialMagneticMoments = .collinear(try o.ordering.moments(for: system, magnitudes: o.magnitudes))
            } catch let e as SpinMDError {
                throw try root.object("initial_magmoms").error("ordering", e.description)
            }
        }
        if let m = initialMagneticMoments {
            guard m.count == system.atomCount else {
                throw root.error("initial_magmoms", "has \(m.count) moments but the structure has \(system.atomCount) atoms")
            }
            system.initialMagneticMoments = m
        }
        if let path = incarPath {
            let incar = try INCAR.readMoments(path: path, atomCount: system.atomCount)
            system.initialMagneticMoments = incar.moments
            notes.append("initial moments: MAGMOM of \(path)" + (incar.ignoredTags.isEmpty ? "" : "; tags ignored: " + incar.ignoredTags.joined(separator: ", ")))
        }
        if system.initialMagneticMoments == nil, let m = fileMoments {
            system.initialMagneticMoments = m[0].count == 3 ? .vector(m.map { Vector3($0[0], $0[1], $0[2]) }) : .collinear(m.map { $0[0] })
            notes.append("initial moments: the structure file has no initial_magmoms; its magmoms column (the moments of an earlier calculation) is used as the estimates")
        }
        if let selection = fixedAtoms {
            system.constraints = try selection.constraints(for: system)
        }
        if let c = system.constraints, !c.isEmpty {
            notes.append("constraints: " + c.summary)
            if !ExtendedXYZ.canWriteMoveMask(system) {
                notes.append("constraints: directions along the lattice vectors of this cell cannot be written as extxyz move_mask; extxyz outputs carry no constraints")
            }
        }
        guard system.atomCount > 0 else { throw root.error("structure", "the structure has no atoms") }
        return system
    }
}
