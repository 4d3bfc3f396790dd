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
        if format == .extxyz, let key = ["velocities", "energies"].first(where: { t.raw($0) != nil }) {
            throw t.error(key, "only applies to NetCDF trajectories (extxyz frames always hold forces, and momenta when atoms move)")
        }
        try t.finish()
    }
}
