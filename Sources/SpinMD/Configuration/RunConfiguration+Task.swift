import SpinMDCore

extension RunConfiguration.Task {
    /// Reads the root key `task` and its section (`md`, `relax`, or `relax` and `orderings`),
    /// rejecting the sections of the other tasks.
    init(_ root: ConfigObject) throws {
        let name = try root.choice("task", ["md", "relax", "orderings"])
        if name == "md" {
            self = .md(try RunConfiguration.MDSettings(try root.object("md")))
            if root.contains("relax") { throw root.error("relax", "is for \"task\": \"relax\" or \"orderings\"; this input's task is md") }
            if root.contains("orderings") { throw root.error("orderings", "is for \"task\": \"orderings\"; this input's task is md") }
            return
        }
        let relax = try RunConfiguration.RelaxSettings(try root.object("relax"), pseudoCubicByDefault: name == "orderings")
        if root.contains("md") { throw root.error("md", "is for \"task\": \"md\"; this input's task is \(name)") }
        if name == "orderings" {
            let settings = try RunConfiguration.OrderingSettings(try root.object("orderings"), relax: relax)
            if root.contains("initial_magmoms") { throw root.error("initial_magmoms", "an orderings task takes its moments from 'orderings'") }
            self = .orderings(settings)
        } else {
            self = .relax(relax)
            if root.contains("orderings") { throw root.error("orderings", "is for \"task\": \"orderings\"; this input's task is relax") }
        }
    }

    /// Default output period and the number of steps (MD steps, or the relaxation's step limit).
    var outputDefaults: (every: Int, steps: Int) {
        switch self {
        case let .md(md): return (max(1, md.steps / 100), md.steps)
        case let .relax(relax): return (1, relax.maxSteps)
        case let .orderings(orderings): return (1, orderings.relax.maxSteps)
        }
    }
}

extension RunConfiguration.MDSettings {
    /// Reads the `md` section (and its `thermostat`, for NVT).
    init(_ md: ConfigObject) throws {
        ensemble = try md.choice("ensemble", ["nve", "nvt"])
        guard let dt = try md.optionalTime("timestep") else { throw md.missing("timestep_fs", "a positive number, in fs; or timestep_ps") }
        timestep = dt
        steps = try md.int("steps", .nonNegative)
        let t0 = try md.optionalDouble("initial_temperature_K", .range(0, RunConfiguration.maximumTemperature))
        seed = UInt64(try md.int("seed", default: 12345, .nonNegative))
        if ensemble == "nvt" {
            thermostat = try RunConfiguration.ThermostatSettings(try md.object("thermostat"))
        } else if md.contains("thermostat") {
            throw md.error("thermostat", "a thermostat needs \"ensemble\": \"nvt\"")
        } else {
            thermostat = nil
        }
        initialTemperature = t0 ?? thermostat?.temperature
        runaway = try RunawayLimits(try md.optionalObject("runaway"))
        try md.finish()
    }

    /// The runaway limits of this run: the temperature reference is the highest of the initial
    /// temperature, the thermostat's and `startingTemperature` [K] (the input structure's
    /// velocities, before any are drawn or restored from a checkpoint, so a resumed run has the
    /// limits of the run it continues).
    public func runawayLimits(startingTemperature: Double) -> RunawayLimits {
        var limits = runaway
        limits.referenceTemperature = Swift.max(initialTemperature ?? 0, thermostat?.temperature ?? 0,
                                                startingTemperature.isFinite ? startingTemperature : 0)
        return limits
    }
}

extension RunConfiguration.ThermostatSettings {
    /// Reads the `md.thermostat` section (a Nosé–Hoover chain).
    init(_ t: ConfigObject) throws {
        temperature = try t.double("temperature_K", NumberCheck(minimum: 0, minimumInclusive: false, maximum: RunConfiguration.maximumTemperature,
                                                           expectation: "a temperature in (0, \(RunConfiguration.maximumTemperature)] K"))
        guard let tdamp = try t.optionalTime("tdamp") else { throw t.missing("tdamp_fs", "the damping time τ in fs, typically 100 timesteps; or tdamp_ps") }
        damping = tdamp
        _ = try t.choice("type", ["nose-hoover-chain"], default: "nose-hoover-chain")
        chainLength = try t.int("chain_length", default: 3, .range(1, 20))
        loops = try t.int("loops", default: 1, .range(1, 100))
        suzukiYoshidaOrder = try t.int("suzuki_yoshida_order", default: 3, .range(1, 5))
        if ![1, 3, 5].contains(suzukiYoshidaOrder) {
            throw t.error("suzuki_yoshida_order", "expected 1, 3 or 5, got \(suzukiYoshidaOrder)")
        }
        try t.finish()
    }
}

extension RunConfiguration.RelaxSettings {
    /// Reads the `relax` section; `pseudo_cubic` defaults to `pseudoCubicByDefault`.
    init(_ r: ConfigObject, pseudoCubicByDefault: Bool) throws {
        fire = FIRE()
        fire.fmax = try r.double("fmax_eV_per_A", default: 0.01, .positive)
        fire.timestep = try r.optionalTime("timestep") ?? 1.0
        fire.maxDisplacement = try r.double("max_displacement_A", default: 0.1, .positive)
        maxSteps = try r.int("max_steps", default: 1000, .positive)
        relaxCell = try r.bool("cell", default: false)
        let pressure = try r.double("pressure_GPa", default: 0, .range(-1e4, 1e4))
        if !relaxCell && r.contains("pressure_GPa") { throw r.error("pressure_GPa", "a target pressure needs \"cell\": true") }
        self.pressure = pressure * Units.gigapascal
        pseudoCubic = try r.bool("pseudo_cubic", default: pseudoCubicByDefault)
        try r.finish()
    }
}

extension RunConfiguration.OrderingSettings {
    /// Reads the `orderings` section: named rocksalt orderings (`names`, `moments_uB`) and
    /// `custom` MAGMOM strings; each is relaxed with `relax`.
    init(_ o: ConfigObject, relax: RunConfiguration.RelaxSettings) throws {
        var list: [(name: String, moments: RunConfiguration.OrderingMoments)] = []
        let magnitudes = try o.optionalObject("moments_uB").map(RunConfiguration.magnitudes) ?? [:]
        for name in try o.optionalStrings("names") ?? [] {
            guard let ordering = RocksaltOrdering(rawValue: name) else {
                throw o.error("names", "unknown ordering '\(name)'; named orderings are \(RocksaltOrdering.allCases.map(\.rawValue).joined(separator: ", ")) (others go in 'custom' as MAGMOM strings)")
            }
            guard !magnitudes.isEmpty else { throw o.missing("moments_uB", "the |m| of each magnetic element, e.g. {\"Mn\": 5}") }
            list.append((name, .rocksalt(RunConfiguration.MagneticOrdering(ordering: ordering, magnitudes: magnitudes))))
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
        if Set(list.map(\.name)).count != list.count { throw o.error("custom", "ordering names must be unique") }
        try o.finish()
        self.init(orderings: list, relax: relax)
    }
}
