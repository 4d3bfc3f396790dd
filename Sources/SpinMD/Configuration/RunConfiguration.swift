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
            [thermoFile, finalStructure, checkpoint.file] + [trajectory?.file, restart?.file].compactMap { $0 }
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
    }

    /// The input file [path].
    public var inputPath: String
    public var structure: StructureSource
    public var initialMagneticMoments: MagneticMoments?
    /// Initial moments by a named ordering (computed from the structure in `makeSystem`).
    public var magneticOrdering: MagneticOrdering?
    /// The `potential` object, read by the potential's own factory.
    public var potential: ConfigObject
    /// Verlet skin [Å].
    public var skin: Double
    /// Closest allowed approach between atoms at the start [Å].
    public var minimumDistance: Double
    public var task: Task
    public var output: OutputSettings
    public var threads: Int?

    /// Reads and validates an input file.
    public static func load(path: String) throws -> RunConfiguration {
        let root = try ConfigObject.load(path: path)
        return try RunConfiguration(root: root, inputPath: path)
    }

    /// Directory that relative input paths are resolved against (the input file's).
    public var baseDirectory: String { URL(fileURLWithPath: inputPath).deletingLastPathComponent().path }

    init(root: ConfigObject, inputPath: String) throws {
        self.inputPath = inputPath
        let base = URL(fileURLWithPath: inputPath).deletingLastPathComponent()
        // Structure.
        let s = try root.object("structure")
        if let file = try s.optionalString("file") {
            let resolved = file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
            let lower = file.lowercased()
            let guess = lower.hasSuffix(".xyz") || lower.hasSuffix(".extxyz") ? "extxyz"
                : (lower.contains("poscar") || lower.contains("contcar") || lower.hasSuffix(".vasp") ? "poscar" : "")
            let format = try s.choice("format", ["extxyz", "poscar"], default: guess.isEmpty ? nil : guess)
            structure = .file(path: resolved, format: format, frame: try s.int("frame", default: -1))
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw s.error("file", "structure file '\(resolved)' does not exist")
            }
        } else if s.contains("lattice") {
            let lattice = try s.choice("lattice", CrystalBuilder.Lattice.allCases.map(\.rawValue))
            let elements = try s.elements("elements")
            let a = try s.double("a_A", .positive)
            let r = try s.optionalNumbers("repeat") ?? [1, 1, 1]
            guard r.count == 3, r.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }) else {
                throw s.error("repeat", "expected three positive integers, e.g. [4, 4, 4]")
            }
            structure = .crystal(lattice: CrystalBuilder.Lattice(rawValue: lattice)!, elements: elements, a: a, repeats: SIMD3(Int(r[0]), Int(r[1]), Int(r[2])))
        } else {
            throw s.missing("file", "a structure file (extxyz or POSCAR), or a 'lattice' to build")
        }
        try s.finish()

        // Magnetic moments from the JSON, if any.
        if let m = root.raw("initial_magmoms") {
            switch m.value {
            case let .string(text):
                do { initialMagneticMoments = .collinear(try MagmomParser.parse(text)) } catch let e as SpinMDError {
                    throw root.error("initial_magmoms", "bad MAGMOM string: \(e.description)")
                }
            case let .array(items):
                if items.allSatisfy({ if case .number = $0.value { return true } else { return false } }) {
                    initialMagneticMoments = .collinear(try root.optionalNumbers("initial_magmoms")!)
                } else {
                    initialMagneticMoments = .vector(try items.map { item in
                        guard case let .array(v) = item.value, v.count == 3,
                              case let .number(x) = v[0].value, case let .number(y) = v[1].value, case let .number(z) = v[2].value else {
                            throw SpinMDError.invalidInput(location: "\(root.file):\(item.line): key 'initial_magmoms'",
                                                           message: "expected numbers (collinear) or [x, y, z] triples (vectors) in μB")
                        }
                        return Vector3(x, y, z)
                    })
                }
            case .object:
                let o = try root.object("initial_magmoms")
                magneticOrdering = try Self.ordering(o)
                try o.finish()
            default:
                throw root.error("initial_magmoms", "expected a MAGMOM string such as \"2*2 2*-2 4*0\", an array of moments in μB, or {\"ordering\": \"afm2\", \"moments_uB\": {\"Ni\": 2}}")
            }
        }

        potential = try root.object("potential")
        let neighbor = try root.optionalObject("neighbor")
        skin = try neighbor?.double("skin_A", default: 1.0, .nonNegative) ?? 1.0
        try neighbor?.finish()
        minimumDistance = try root.double("min_distance_A", default: 0.5, .nonNegative)
        threads = try root.optionalInt("threads", .positive)

        // Task.
        let taskName = try root.choice("task", ["md", "relax", "orderings"])
        let outputDefaults: (every: Int, steps: Int)
        if taskName == "md" {
            let md = try root.object("md")
            let ensemble = try md.choice("ensemble", ["nve", "nvt"])
            guard let dt = try md.optionalTime("timestep") else { throw md.missing("timestep_fs", "a positive number, in fs; or timestep_ps") }
            let steps = try md.int("steps", .nonNegative)
            let t0 = try md.optionalDouble("initial_temperature_K", .nonNegative)
            let seed = try md.int("seed", default: 12345, .nonNegative)
            var thermostat: ThermostatSettings?
            if ensemble == "nvt" {
                let t = try md.object("thermostat")
                let temperature = try t.double("temperature_K", .positive)
                guard let damping = try t.optionalTime("tdamp") else { throw t.missing("tdamp_fs", "the damping time τ in fs, typically 100 timesteps; or tdamp_ps") }
                _ = try t.choice("type", ["nose-hoover-chain"], default: "nose-hoover-chain")
                thermostat = ThermostatSettings(
                    temperature: temperature, damping: damping,
                    chainLength: try t.int("chain_length", default: 3, .range(1, 20)),
                    loops: try t.int("loops", default: 1, .range(1, 100)),
                    suzukiYoshidaOrder: try t.int("suzuki_yoshida_order", default: 3, .range(1, 5)))
                if ![1, 3, 5].contains(thermostat!.suzukiYoshidaOrder) {
                    throw t.error("suzuki_yoshida_order", "expected 1, 3 or 5, got \(thermostat!.suzukiYoshidaOrder)")
                }
                try t.finish()
            } else if md.contains("thermostat") {
                throw md.error("thermostat", "a thermostat needs \"ensemble\": \"nvt\"")
            }
            task = .md(MDSettings(ensemble: ensemble, timestep: dt, steps: steps, initialTemperature: t0 ?? thermostat?.temperature,
                                  seed: UInt64(seed), thermostat: thermostat))
            try md.finish()
            if root.contains("relax") { throw root.error("relax", "is for \"task\": \"relax\" or \"orderings\"; this input's task is md") }
            if root.contains("orderings") { throw root.error("orderings", "is for \"task\": \"orderings\"; this input's task is md") }
            outputDefaults = (max(1, steps / 100), steps)
        } else {
            let r = try root.object("relax")
            var fire = FIRE()
            fire.fmax = try r.double("fmax_eV_per_A", default: 0.01, .positive)
            fire.timestep = try r.optionalTime("timestep") ?? 1.0
            fire.maxDisplacement = try r.double("max_displacement_A", default: 0.1, .positive)
            let maxSteps = try r.int("max_steps", default: 1000, .positive)
            let cell = try r.bool("cell", default: false)
            let pressure = try r.double("pressure_GPa", default: 0)
            if !cell && r.contains("pressure_GPa") { throw r.error("pressure_GPa", "a target pressure needs \"cell\": true") }
            let settings = RelaxSettings(fire: fire, maxSteps: maxSteps, relaxCell: cell, pressure: pressure * Units.gigapascal,
                                         pseudoCubic: try r.bool("pseudo_cubic", default: taskName == "orderings"))
            try r.finish()
            if root.contains("md") { throw root.error("md", "is for \"task\": \"md\"; this input's task is \(taskName)") }
            if taskName == "orderings" {
                let o = try root.object("orderings")
                var list: [(String, OrderingMoments)] = []
                let magnitudes = try o.optionalObject("moments_uB").map(Self.magnitudes) ?? [:]
                for name in try o.optionalStrings("names") ?? [] {
                    guard let ordering = RocksaltOrdering(rawValue: name) else {
                        throw o.error("names", "unknown ordering '\(name)'; named orderings are \(RocksaltOrdering.allCases.map(\.rawValue).joined(separator: ", ")) (others go in 'custom' as MAGMOM strings)")
                    }
                    guard !magnitudes.isEmpty else { throw o.missing("moments_uB", "the |m| of each magnetic element, e.g. {\"Mn\": 5}") }
                    list.append((name, .rocksalt(MagneticOrdering(ordering: ordering, magnitudes: magnitudes))))
                }
                if let custom = try o.optionalObject("custom") {
                    for key in custom.keys {
                        do { list.append((key, .explicit(try MagmomParser.parse(try custom.string(key))))) } catch let e as SpinMDError {
                            throw custom.error(key, "bad MAGMOM string: \(e.description)")
                        }
                    }
                    try custom.finish()
                }
                guard list.count >= 1 else { throw o.missing("names", "orderings to compare, e.g. [\"fm\", \"afm1\", \"afm2\"]") }
                if Set(list.map(\.0)).count != list.count { throw o.error("custom", "ordering names must be unique") }
                try o.finish()
                if root.contains("initial_magmoms") { throw root.error("initial_magmoms", "an orderings task takes its moments from 'orderings'") }
                task = .orderings(OrderingSettings(orderings: list, relax: settings))
            } else {
                task = .relax(settings)
                if root.contains("orderings") { throw root.error("orderings", "is for \"task\": \"orderings\"; this input's task is relax") }
            }
            outputDefaults = (1, maxSteps)
        }

        // Outputs.
        let stem = URL(fileURLWithPath: inputPath).deletingPathExtension().lastPathComponent
        let o = try root.optionalObject("output") ?? ConfigObject(JSONValue.Located(value: .object([]), line: root.line), file: root.file, path: "output")
        let thermo = try o.optionalObject("thermo")
        var trajectory: TrajectorySettings?
        if let t = try o.optionalObject("trajectory") {
            let file = try t.string("file")
            let lower = file.lowercased()
            let format: TrajectorySettings.Format
            if lower.hasSuffix(".nc") || lower.hasSuffix(".netcdf") || lower.hasSuffix(".ncdf") {
                format = .amberNetCDF
            } else if lower.hasSuffix(".extxyz") || lower.hasSuffix(".xyz") {
                format = .extxyz
            } else {
                throw t.error("file", "the format is chosen by extension: '.nc' (AMBER NetCDF) or '.extxyz'; got '\(file)'")
            }
            trajectory = TrajectorySettings(
                file: file, format: format, every: try t.int("every", default: outputDefaults.every, .positive),
                velocities: try t.bool("velocities", default: false), forces: try t.bool("forces", default: false),
                atomicEnergies: try t.bool("energies", default: false))
            if format == .extxyz, let key = ["velocities", "energies"].first(where: { t.member($0) != nil }) {
                throw t.error(key, "only applies to NetCDF trajectories (extxyz frames always hold forces, and momenta when atoms move)")
            }
            try t.finish()
        }
        var restart: (String, Int)?
        if let r = try o.optionalObject("restart") {
            restart = (try r.string("file", default: "restart.ncrst"), try r.int("every", default: max(1, outputDefaults.steps), .positive))
            try r.finish()
        }
        let ck = try o.optionalObject("checkpoint")
        output = OutputSettings(
            directory: try o.string("directory", default: "runs/\(stem)"),
            thermoFile: try thermo?.string("file", default: "thermo.tsv") ?? "thermo.tsv",
            thermoEvery: try thermo?.int("every", default: outputDefaults.every, .positive) ?? outputDefaults.every,
            finalStructure: try o.string("final_structure", default: "final.extxyz"),
            trajectory: trajectory,
            restart: restart,
            checkpoint: (try ck?.string("file", default: "checkpoint.spinmd") ?? "checkpoint.spinmd",
                         try ck?.int("every", default: 1000, .positive) ?? 1000),
            progressEvery: try o.int("progress_every", default: 0, .nonNegative),
            overwrite: try o.bool("overwrite", default: false))
        if taskName == "relax", let ck { throw ck.error("file", "checkpoints are written for md; a relaxation restarts from its final structure") }
        try thermo?.finish()
        try ck?.finish()
        try o.finish()
        try root.finish()
    }

    static func magnitudes(_ o: ConfigObject) throws -> [Element: Double] {
        var m: [Element: Double] = [:]
        for key in o.keys {
            guard let e = Element(symbol: key) else { throw o.error(key, "expected an element symbol as key") }
            m[e] = try o.double(key, .nonNegative)
        }
        try o.finish()
        return m
    }

    static func ordering(_ o: ConfigObject) throws -> MagneticOrdering {
        let name = try o.choice("ordering", RocksaltOrdering.allCases.map(\.rawValue))
        let magnitudes = try Self.magnitudes(try o.object("moments_uB"))
        guard !magnitudes.isEmpty else { throw o.error("moments_uB", "give the |m| of at least one magnetic element, e.g. {\"Ni\": 2}") }
        return MagneticOrdering(ordering: RocksaltOrdering(rawValue: name)!, magnitudes: magnitudes)
    }

    /// Builds the initial system: reads or builds the structure and attaches moments.
    public func makeSystem() throws -> AtomicSystem {
        var system: AtomicSystem
        switch structure {
        case let .file(path, format, frame):
            if format == "poscar" {
                system = try POSCAR.read(path: path)
            } else {
                let frames = try ExtendedXYZ.read(path: path)
                let index = frame < 0 ? frames.count + frame : frame
                guard frames.indices.contains(index) else {
                    throw SpinMDError.invalidInput(location: "\(inputPath): key 'structure.frame'", message: "\(path) has \(frames.count) frames; frame \(frame) does not exist")
                }
                system = frames[index].system
            }
        case let .crystal(lattice, elements, a, repeats):
            system = try CrystalBuilder.cubic(lattice, a: a, species: elements, repeats: repeats)
        }
        if let o = magneticOrdering {
            do {
                system.initialMagneticMoments = .collinear(try o.ordering.moments(for: system, magnitudes: o.magnitudes))
            } catch let e as SpinMDError {
                throw SpinMDError.invalidInput(location: "\(inputPath): key 'initial_magmoms.ordering'", message: e.description)
            }
        }
        if let m = initialMagneticMoments {
            guard m.count == system.atomCount else {
                throw SpinMDError.invalidInput(location: "\(inputPath): key 'initial_magmoms'",
                                               message: "has \(m.count) moments but the structure has \(system.atomCount) atoms")
            }
            system.initialMagneticMoments = m
        }
        guard system.atomCount > 0 else { throw SpinMDError.invalidInput(location: "\(inputPath): key 'structure'", message: "the structure has no atoms") }
        return system
    }
}
