import Foundation

/// Turns a validated `RunConfiguration` into a run: builds the system and potential, checks
/// them, opens the outputs and runs the task. Everything that can be wrong with the input is
/// checked before any output file is created.
public struct Simulation {
    public let configuration: RunConfiguration
    public var threads: Int
    public var outputDirectory: String
    /// Progress display: nil = detect a terminal; false = plain lines; true = bar.
    public var interactiveProgress: Bool?
    public var showProgress = true
    /// Where messages go (stdout by default).
    public var log: (String) -> Void = { fputs($0 + "\n", stdout); fflush(stdout) }

    public init(configuration: RunConfiguration, threads: Int? = nil, outputDirectory: String? = nil) {
        self.configuration = configuration
        self.threads = threads ?? configuration.threads ?? ParallelExecutor.defaultThreadCount
        self.outputDirectory = outputDirectory ?? configuration.output.directory
    }

    /// Validates, then runs. Returns the summary (its status says whether a relaxation converged).
    public func run() throws -> RunSummary {
        let c = configuration
        var system = try c.makeSystem()
        let executor = ParallelExecutor(threads: threads)
        let potential = try PotentialFactory.make(c.potential, executor: executor)
        do { try potential.checkSupports(system.species) } catch let e as SpinMDError {
            throw SpinMDError.invalidInput(location: c.potential.location("species"), message: e.description)
        }
        try Self.checkOverlaps(system, minimum: c.minimumDistance)
        let evaluator = ForceEvaluator(potential: potential, skin: c.skin, executor: executor)

        // Outputs: only now is anything created.
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw SpinMDError.io(path: outputDirectory, message: "cannot create the output directory: \(error.localizedDescription)")
        }
        func out(_ name: String) -> String { name.hasPrefix("/") ? name : (outputDirectory as NSString).appendingPathComponent(name) }
        let o = c.output
        let schedule = ObserverSchedule()
        let task: Snapshot.Task
        switch c.task { case .md: task = .md; case .relax: task = .relax }
        schedule.add(try ThermoLog(path: out(o.thermoFile), every: o.thermoEvery, task: task))
        if let t = o.trajectoryFile { schedule.add(try StructureWriter(path: out(t), trigger: Trigger(every: o.trajectoryEvery), mode: .append, executor: executor)) }
        schedule.add(try StructureWriter(path: out(o.finalStructure), trigger: .endOnly, mode: .replace, executor: executor))

        log("spinmd \(SpinMDVersion.string): \(task.rawValue) of \(system.formula) (\(system.atomCount) atoms) with \(potential.name), cutoff \(potential.cutoff) Å, \(threads) thread\(threads == 1 ? "" : "s")")
        log("outputs in \(outputDirectory)/")
        let summary: RunSummary
        switch c.task {
        case let .md(md):
            if let t = md.initialTemperature {
                var g = SeededGenerator(seed: md.seed)
                MaxwellBoltzmann.assign(to: &system, temperature: t, generator: &g)
            }
            let integrator: any Integrator
            if let th = md.thermostat {
                integrator = NVTIntegrator(timestep: md.timestep, thermostat: NoseHooverChain(
                    temperature: th.temperature, damping: th.damping, degreesOfFreedom: system.degreesOfFreedom,
                    chainLength: th.chainLength, loops: th.loops, suzukiYoshidaOrder: th.suzukiYoshidaOrder), executor: executor)
            } else {
                integrator = NVEIntegrator(timestep: md.timestep, executor: executor)
            }
            if showProgress { schedule.add(ProgressReporter(every: o.progressEvery > 0 ? o.progressEvery : max(1, md.steps / 10), interactive: interactiveProgress)) }
            summary = try MolecularDynamicsRun(system: system, evaluator: evaluator, integrator: integrator, steps: md.steps,
                                               schedule: schedule, threads: threads).run()
        case let .relax(r):
            if showProgress { schedule.add(ProgressReporter(every: o.progressEvery > 0 ? o.progressEvery : 10, interactive: interactiveProgress)) }
            summary = try RelaxationRun(system: system, evaluator: evaluator, fire: r.fire, maxSteps: r.maxSteps, relaxCell: r.relaxCell,
                                        pressure: r.pressure, schedule: schedule, threads: threads).run()
        }
        return summary
    }

    /// Throws `SpinMDError.overlappingAtoms` for the first pair closer than `minimum` [Å].
    public static func checkOverlaps(_ system: AtomicSystem, minimum: Double) throws {
        guard minimum > 0 else { return }
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: minimum, kind: .half)
        for i in 0..<system.atomCount {
            for k in list.offsets[i]..<list.offsets[i + 1] {
                let d = list.separation(i, k, positions: system.positions).norm
                throw SpinMDError.overlappingAtoms(i: i, j: Int(list.neighbors[k]), distance: d, minimum: minimum)
            }
        }
    }
}

/// The version of spinmd.
public enum SpinMDVersion {
    public static let string = "0.1.0"
}
