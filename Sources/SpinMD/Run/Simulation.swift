import Foundation
import SpinMDCore

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
    public var log: (String) -> Void = { print($0); fflush(nil) }

    /// Continue the run from the checkpoint in the output directory.
    public var resume = false
    /// Replace existing output files (also `output.overwrite`).
    public var overwrite = false

    public init(configuration: RunConfiguration, threads: Int? = nil, outputDirectory: String? = nil) {
        self.configuration = configuration
        self.threads = threads ?? configuration.threads ?? ParallelExecutor.defaultThreadCount
        self.outputDirectory = outputDirectory ?? configuration.output.directory
    }

    func outputPath(_ name: String) -> String {
        name.hasPrefix("/") ? name : (outputDirectory as NSString).appendingPathComponent(name)
    }

    /// Validates, then runs. Returns the summary (its status says whether a relaxation converged).
    public func run() throws -> RunSummary {
        let c = configuration
        let o = c.output
        var notes: [String] = []
        var system = try c.makeSystem(notes: &notes)
        let executor = ParallelExecutor(threads: threads)
        let potential = try c.potential.makePotential(executor: executor)
        do { try potential.checkSupports(system.species) } catch let e as SpinMDError {
            throw c.potential.section.error("species", e.description)
        }
        do { try Self.checkOverlaps(system, minimum: c.minimumDistance) } catch let e as SpinMDError { throw c.structureError(e.description) }
        if potential.predictsMagneticMoments, system.initialMagneticMoments == nil, !Self.isOrderings(c.task) {
            throw c.root.error("initial_magmoms", "is required: the \(potential.name) potential needs initial magnetic moments (a MAGMOM string such as \"2*2 2*-2 4*0\", or initial_magmoms in the structure file)")
        }
        let evaluator = ForceEvaluator(potential: potential, skin: c.skin, executor: executor)
        let task: Snapshot.Task
        switch c.task { case .md: task = .md; case .relax, .orderings: task = .relax }

        // The output directory, locked for the life of the run (a second run into it fails here).
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw SpinMDError.io(path: outputDirectory, message: "cannot create the output directory: \(error.localizedDescription)")
        }
        let lock = try OutputDirectoryLock(directory: outputDirectory)
        defer { withExtendedLifetime(lock) {} }

        // Resume, or refuse to overwrite earlier results: decided before anything is written.
        var checkpoint: Checkpoint?
        if resume {
            guard case let .md(md) = c.task else { throw SpinMDError.unsupported("--resume continues MD runs; restart a relaxation from its final structure") }
            let path = outputPath(o.checkpoint.file)
            guard FileManager.default.fileExists(atPath: path) else {
                throw SpinMDError.io(path: path, message: "no checkpoint to resume from (was the run started with this input and output directory?)")
            }
            let ck = try Checkpoint.read(path: path)
            guard ck.system.species == system.species else {
                throw SpinMDError.io(path: path, message: "holds a different system (\(ck.system.formula)) than the input (\(system.formula))")
            }
            let changes = RunFingerprint(c).changes(since: ck.fingerprint)
            guard changes.isEmpty else {
                throw SpinMDError.io(path: path, message: "was written by a run with other settings; --resume continues a run with the input that started it (md.steps may grow). Changed: " + changes.joined(separator: "; "))
            }
            guard ck.step <= md.steps else {
                throw SpinMDError.io(path: path, message: "is at step \(ck.step), beyond md.steps = \(md.steps)")
            }
            checkpoint = ck
        } else if !(overwrite || o.overwrite) {
            let created = o.namedFiles(c.task).map(\.file)
            if let existing = created.map(outputPath).first(where: { FileManager.default.fileExists(atPath: $0) }) {
                throw SpinMDError.io(path: existing, message: "exists; set \"overwrite\": true in output or pass --overwrite to replace it (or --resume to continue that run)")
            }
        }

        try Self.cleanStaleTemporaryFiles(in: outputDirectory, outputs: o.namedFiles(c.task).map(\.file).map(outputPath))

        /// The observers of an md or relax run (opens their files).
        func makeSchedule() throws -> ObserverSchedule {
            let title = "\(system.formula) \(task.rawValue) with \(potential.name) (\((c.inputPath as NSString).lastPathComponent))"
            // The NetCDF trajectory's PDB topology: written first, so that a system it cannot
            // describe creates no output. It holds the first frame: the input structure wrapped
            // into the cell, as the first neighbor-list build wraps it. That is the same at every
            // start, so a resumed run keeps the file and writes it only if it is missing.
            if let topology = o.trajectory?.topologyFile.map(outputPath),
               checkpoint == nil || !FileManager.default.fileExists(atPath: topology) {
                var first = system
                first.wrapPositions()
                try PDBTopology.write(first, title: title, to: topology)
            }
            let schedule = ObserverSchedule()
            // Those opened before one that fails are closed.
            return try schedule.closing(onFailureOf: {
                schedule.add(checkpointed: try ThermoLog(path: outputPath(o.thermoFile), every: o.thermoEvery, task: task,
                                                         extraColumns: potential.diagnosticNames, resuming: checkpoint != nil))
                if let t = o.trajectory {
                    let trigger = Trigger(every: t.every)
                    switch t.format {
                    case .extxyz:
                        schedule.add(checkpointed: try StructureWriter(path: outputPath(t.file), trigger: trigger, mode: .append, executor: executor,
                                                                       resuming: checkpoint != nil))
                    case .amberNetCDF:
                        var width = 0
                        if potential.predictsMagneticMoments { if case .vector = system.initialMagneticMoments { width = 3 } else { width = 1 } }
                        let content = AmberTrajectoryWriter.Content(velocities: t.velocities, forces: t.forces, atomicEnergies: t.atomicEnergies,
                                                                    magneticMomentWidth: width, velocityUnits: t.velocityUnits)
                        if checkpoint != nil {
                            schedule.add(checkpointed: try AmberTrajectoryWriter(appendingTo: outputPath(t.file), system: system, content: content, trigger: trigger))
                        } else {
                            schedule.add(checkpointed: try AmberTrajectoryWriter(creating: outputPath(t.file), system: system, content: content, trigger: trigger,
                                                                                 overwrite: true, title: title))
                        }
                    }
                }
                if let r = o.restart { schedule.add(AmberRestartWriter(path: outputPath(r.file), trigger: Trigger(every: r.every, atStart: false), title: title)) }
                schedule.add(try StructureWriter(path: outputPath(o.finalStructure), trigger: .endOnly, mode: .replace, executor: executor))
                return schedule
            })
        }
        log("spinmd \(SpinMDVersion.string): \(task.rawValue) of \(system.formula) (\(system.atomCount) atoms) with \(potential.name), cutoff \(potential.cutoff) Å, \(threads) thread\(threads == 1 ? "" : "s")")
        log("outputs in \(outputDirectory)/" + (checkpoint.map { ", resuming from step \($0.step)" } ?? ""))
        for note in notes { log(note) }
        StopSignal.install()
        switch c.task {
        case let .md(md):
            let schedule = try makeSchedule()
            // A failure in the setup (e.g. a checkpoint refused) closes the outputs, as one in the run does.
            return try schedule.closing(onFailureOf: {
                let random = RandomStream(seed: md.seed)
                let runawayLimits = md.runawayLimits(startingTemperature: system.temperature)
                if checkpoint == nil, let t = md.initialTemperature {
                    MaxwellBoltzmann.assign(to: &system, temperature: t, generator: &random.generator)
                }
                let integrator: any Integrator
                if let th = md.thermostat {
                    let chain = NoseHooverChain(temperature: th.temperature, damping: th.damping, degreesOfFreedom: system.degreesOfFreedom,
                                                chainLength: th.chainLength, loops: th.loops, suzukiYoshidaOrder: th.suzukiYoshidaOrder)
                    integrator = NVTIntegrator(timestep: md.timestep, thermostat: chain, executor: executor)
                } else {
                    integrator = NVEIntegrator(timestep: md.timestep, executor: executor)
                }
                // Everything a checkpoint holds beyond the atoms, saved and restored in one place.
                let state = try RunState([integrator, random, evaluator, potential] + schedule.checkpointed)
                state.fingerprint = RunFingerprint(c)
                if let ck = checkpoint { try state.restore(ck, into: &system, path: outputPath(o.checkpoint.file)) }
                if showProgress { schedule.add(ProgressReporter(every: o.progressEvery > 0 ? o.progressEvery : max(1, md.steps / 10), interactive: interactiveProgress)) }
                let checkpointWriter = CheckpointWriter(path: outputPath(o.checkpoint.file), trigger: Trigger(every: o.checkpoint.every, atStart: false),
                                                        state: state)
                schedule.add(checkpointWriter)  // last: after every output of its step
                let run = MolecularDynamicsRun(system: system, evaluator: evaluator, integrator: integrator, steps: md.steps,
                                               schedule: schedule, threads: threads, startStep: checkpoint?.step ?? 0)
                run.checkpoint = checkpointWriter
                run.runawayLimits = runawayLimits
                return try run.run()
            })
        case let .relax(r):
            let schedule = try makeSchedule()
            if showProgress { schedule.add(ProgressReporter(every: o.progressEvery > 0 ? o.progressEvery : 10, interactive: interactiveProgress)) }
            var summary = try schedule.closing(onFailureOf: {
                try RelaxationRun(system: system, evaluator: evaluator, fire: r.fire, maxSteps: r.maxSteps, relaxCell: r.relaxCell,
                                  pressure: r.pressure, schedule: schedule, threads: threads).run()
            })
            let report = RelaxationReport(initial: system, final: summary.finalSystem, result: summary.finalResult, pseudoCubic: r.pseudoCubic)
            try AtomicFile.write(Array(report.json.utf8), to: outputPath(Self.summaryFile))
            summary.relaxation = report
            return summary
        case let .orderings(settings):
            return try runOrderings(system, settings, potential: potential, executor: executor)
        }
    }

    static func isOrderings(_ task: RunConfiguration.Task) -> Bool { if case .orderings = task { return true } else { return false } }

    /// Removes what killed runs left of atomic writes (`AtomicFile`'s `.<name>.tmp-<pid>`) of
    /// the given output files [paths]; called only while holding the directory's lock.
    static func cleanStaleTemporaryFiles(in directory: String, outputs: [String]) throws {
        for output in outputs {
            let folder = (output as NSString).deletingLastPathComponent
            let prefix = "." + (output as NSString).lastPathComponent + ".tmp-"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(prefix) {
                let pid = name.dropFirst(prefix.count)
                guard !pid.isEmpty, pid.allSatisfy(\.isNumber) else { continue }
                try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
            }
        }
    }

    /// Throws `SpinMDError.overlappingAtoms` for the first pair closer than `minimum` [Å].
    public static func checkOverlaps(_ system: AtomicSystem, minimum: Double) throws {
        guard minimum > 0 else { return }
        if let (i, problem) = CellListBuilder.firstInvalidPosition(system.positions, cell: system.cell) {
            throw SpinMDError.unsupported("atom \(i + 1) (\(system.species[i].symbol)) of the structure \(problem)")
        }
        try CellListBuilder.checkRadius(minimum, cell: system.cell, what: "min_distance_A")
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: minimum, kind: .half)
        for i in 0..<system.atomCount {
            for k in list.offsets[i]..<list.offsets[i + 1] {
                let d = list.separation(i, k, positions: system.positions).norm
                throw SpinMDError.overlappingAtoms(i: i, j: Int(list.neighbors[k]), distance: d, minimum: minimum)
            }
        }
    }
}
