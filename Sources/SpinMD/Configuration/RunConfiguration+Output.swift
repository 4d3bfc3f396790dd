import Foundation
import SpinMDCore

extension RunConfiguration.OutputSettings {
    /// Reads the `output` section; periods default from the task (`Task.outputDefaults`), the
    /// directory to `runs/<stem>` for an input file `<stem>.json`.
    init(_ o: ConfigObject, stem: String, task: RunConfiguration.Task) throws {
        let defaults = task.outputDefaults
        let thermo = try o.optionalObject("thermo")
        trajectory = try o.optionalObject("trajectory").map { try RunConfiguration.TrajectorySettings($0, every: defaults.every) }
        if let r = try o.optionalObject("restart") {
            restart = (try r.string("file", default: "restart.ncrst"), try r.int("every", default: max(1, defaults.steps), .positive))
            try r.finish()
        } else {
            restart = nil
        }
        let ck = try o.optionalObject("checkpoint")
        directory = try o.string("directory", default: "runs/\(stem)")
        if let problem = Self.pathProblem(directory) { throw o.error("directory", problem) }
        thermoFile = try thermo?.string("file", default: "thermo.tsv") ?? "thermo.tsv"
        thermoEvery = try thermo?.int("every", default: defaults.every, .positive) ?? defaults.every
        finalStructure = try o.string("final_structure", default: "final.extxyz")
        checkpoint = (try ck?.string("file", default: "checkpoint.spinmd") ?? "checkpoint.spinmd",
                      try ck?.int("every", default: 1000, .positive) ?? 1000)
        progressEvery = try o.int("progress_every", default: 0, .nonNegative)
        overwrite = try o.bool("overwrite", default: false)
        if case .relax = task, let ck { throw ck.error("file", "checkpoints are written for md; a relaxation restarts from its final structure") }
        try thermo?.finish()
        try ck?.finish()
        try o.finish()
        try Self.refuseCollisions(o, thermo: thermo, checkpoint: ck, directory: directory, files: namedFiles(task))
    }

    /// Every file the task creates, relative to `directory` (or absolute), with the key naming
    /// it (dotted, below `output`); the relax summary and the orderings files included.
    func namedFiles(_ task: RunConfiguration.Task) -> [(key: String, file: String)] {
        var named: [(key: String, file: String)] = [("thermo.file", thermoFile), ("final_structure", finalStructure)]
        if case .md = task { named.append(("checkpoint.file", checkpoint.file)) }
        if let t = trajectory { named.append(("trajectory.file", t.file)) }
        if let topology = trajectory?.topologyFile { named.append((Self.topologyKey, topology)) }
        if let r = restart { named.append(("restart.file", r.file)) }
        switch task {
        case .md: break
        case .relax: named.append(("(the relaxation summary)", Simulation.summaryFile))
        case let .orderings(s):
            named = [("(the orderings table)", Simulation.orderingsFile)]
            for (name, _) in s.orderings {
                named += [("thermo.file (ordering \(name))", "\(name)/\(thermoFile)"),
                          ("final_structure (ordering \(name))", "\(name)/\(finalStructure)"),
                          ("(summary of ordering \(name))", "\(name)/\(Simulation.summaryFile)")]
            }
        }
        return named
    }

    /// The key naming the trajectory's PDB topology in messages (it follows `trajectory.file`).
    static let topologyKey = "trajectory.file (its PDB topology)"

    /// The normalised absolute path of an output `name` in `directory` (`a/../b` is `b`; an
    /// absolute name stays itself).
    static func normalisedPath(_ name: String, in directory: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let base = directory.hasPrefix("/") ? directory : cwd + "/" + directory
        let full = name.hasPrefix("/") ? name : base + "/" + name
        var parts: [Substring] = []
        for p in full.split(separator: "/") {
            if p == "." || p.isEmpty { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Longest name of an output file or directory [bytes].
    static let maximumNameLength = 200

    /// What is wrong with an output path (empty, a NUL byte, a part longer than
    /// `maximumNameLength`), nil if nothing.
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty || path.utf8.contains(0) { return "'\(path.abbreviated())' is not a path" }
        if let long = path.split(separator: "/").first(where: { $0.utf8.count > maximumNameLength }) {
            return "'\(path.abbreviated())' has a name of \(long.utf8.count) bytes; names may have at most \(maximumNameLength) (the file system's 255, less room for the temporary file beside it)"
        }
        return nil
    }

    /// Refuses two outputs naming the same file (after normalisation), an output that is the
    /// directory of another, or the output directory's lock file.
    static func refuseCollisions(_ o: ConfigObject, thermo: ConfigObject?, checkpoint: ConfigObject?, directory: String,
                                 files: [(key: String, file: String)]) throws {
        func located(_ key: String) -> SpinMDError? {
            switch key {
            case "thermo.file": return thermo?.error("file", "") ?? o.error("thermo", "")
            case "checkpoint.file": return checkpoint?.error("file", "") ?? o.error("checkpoint", "")
            case "trajectory.file", "restart.file", topologyKey:
                let section = String(key.prefix { $0 != "." })
                return (try? o.optionalObject(section))??.error("file", "")
            default: return key.hasPrefix("(") ? nil : o.error(key.components(separatedBy: " ").first!, "")
            }
        }
        func fail(_ key: String, _ message: String) -> SpinMDError {
            if case let .invalidInput(location, _)? = located(key) { return .invalidInput(location: location, message: message) }
            return .invalidInput(location: "\(o.file): key 'output'", message: "\(key) " + message)
        }
        let lock = normalisedPath(OutputDirectoryLock.fileName, in: directory)
        var seen: [(key: String, path: String)] = []
        for (key, file) in files {
            if file.hasSuffix("/") { throw fail(key, "'\(file.abbreviated())' is not a file name") }
            if let problem = pathProblem(file) { throw fail(key, problem) }
            let path = normalisedPath(file, in: directory)
            let shown = key == topologyKey ? "its PDB topology '\(file)'" : "'\(file)'"
            if path == lock { throw fail(key, "\(shown) is the output directory's lock file; choose another name") }
            if let other = seen.first(where: { $0.path == path }) {
                throw fail(key, "\(shown) names the same file (\(path)) as 'output.\(other.key)'; give each output its own file")
            }
            if let other = seen.first(where: { path.hasPrefix($0.path + "/") || $0.path.hasPrefix(path + "/") }) {
                throw fail(key, "\(shown) and 'output.\(other.key)' ('\(other.path)') would be a file and a directory of the same name")
            }
            seen.append((key, path))
        }
    }
}

extension RunConfiguration.TrajectorySettings {
    /// Reads the `output.trajectory` section; the format follows the file's extension.
    init(_ t: ConfigObject, every defaultEvery: Int) throws {
        file = try t.string("file")
        let lower = file.lowercased()
        if lower.hasSuffix(".nc") || lower.hasSuffix(".netcdf") || lower.hasSuffix(".ncdf") {
            format = .amberNetCDF
        } else if lower.hasSuffix(".extxyz") || lower.hasSuffix(".xyz") {
            format = .extxyz
        } else {
            throw t.error("file", "the format is chosen by extension: '.nc' (AMBER NetCDF) or '.extxyz'; got '\(file)'")
        }
        every = try t.int("every", default: defaultEvery, .positive)
        velocities = try t.bool("velocities", default: false)
        forces = try t.bool("forces", default: false)
        atomicEnergies = try t.bool("energies", default: false)
        let units = try t.choice("velocity_units", AmberTrajectoryWriter.VelocityUnits.allCases.map(\.rawValue), default: "amber")
        velocityUnits = AmberTrajectoryWriter.VelocityUnits(rawValue: units) ?? .amber
        if format == .extxyz, let key = ["velocities", "energies", "velocity_units"].first(where: { t.raw($0) != nil }) {
            throw t.error(key, "only applies to NetCDF trajectories (extxyz frames always hold forces, and momenta when atoms move)")
        }
        if !velocities, t.raw("velocity_units") != nil {
            throw t.error("velocity_units", "applies only with \"velocities\": true (this trajectory stores no velocities)")
        }
        try t.finish()
    }
}
