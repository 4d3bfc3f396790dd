import SpinMDCore

/// Runs MD: the step loop, with observers notified by their triggers.
public final class MolecularDynamicsRun {
    public private(set) var system: AtomicSystem
    public let evaluator: ForceEvaluator
    public let integrator: any Integrator
    public let steps: Int
    public let schedule: ObserverSchedule
    public let threads: Int
    /// Step the run starts from (non-zero when resuming a checkpoint).
    public let startStep: Int
    /// Written when the run is interrupted by SIGINT/SIGTERM.
    public var checkpoint: CheckpointWriter?
    /// Checked at every step before observers see it (nil: no runaway check, only the
    /// non-finite checks of the force evaluator). `Simulation` sets the input's.
    public var runawayLimits: RunawayLimits? = RunawayLimits()

    /// - Parameter startStep: the step of `system` (0 for a new run); observers are not told about
    ///   it again when resuming, since the interrupted run already reported it.
    public init(system: AtomicSystem, evaluator: ForceEvaluator, integrator: any Integrator, steps: Int,
                schedule: ObserverSchedule, threads: Int, startStep: Int = 0) {
        self.startStep = startStep
        self.system = system
        self.evaluator = evaluator
        self.integrator = integrator
        self.steps = steps
        self.schedule = schedule
        self.threads = threads
    }

    func snapshot(_ step: Int, _ result: PotentialResult) -> Snapshot {
        Snapshot(task: .md, step: step, totalSteps: steps, time: Double(step) * integrator.timestep, system: system,
                 result: result, extendedEnergy: integrator.extendedEnergy(system))
    }

    /// Runs all steps. On an error the observers are closed (files stay valid) and it is rethrown.
    public func run() throws -> RunSummary {
        var watch = Stopwatch()
        let start = Stopwatch.now()
        var result: PotentialResult
        var status = RunSummary.Status.completed
        var step = startStep
        integrator.verlet.runawayLimits = runawayLimits
        do {
            try VelocityVerlet.checkMasses(system)
            if let projection = try system.constraintProjection(cell: system.cell.matrix, what: "MD") {
                integrator.verlet.constraints = projection
                // The structure's velocities lose their fixed components; a resumed run's already have
                // (projecting again could change the last bit and break the exact resume).
                if startStep == 0 { projection.apply(&system.velocities) }
            }
            result = try evaluator.compute(&system, request: schedule.request(step: startStep, isLast: steps == startStep).union(.energyAndForces))
            if startStep == 0 { try schedule.notify(snapshot(0, result), isLast: steps == 0) }
            while step < steps {
                if StopSignal.requested {
                    try checkpoint?.observe(snapshot(step, result))
                    status = .interrupted
                    break
                }
                step += 1
                let isLast = step == steps
                let request = schedule.request(step: step, isLast: isLast).union(.energyAndForces)
                result = try integrator.step(&system, current: result, evaluator: evaluator, request: request, stepIndex: step, stopwatch: &watch)
                try runawayLimits?.checkTemperature(system, step: step)
                try schedule.notify(snapshot(step, result), isLast: isLast)
            }
            try schedule.close(status: status.description)
        } catch {
            try? schedule.close(status: "failed")
            throw error
        }
        let loop = Stopwatch.now() - start
        var phases = evaluator.stopwatch
        for (p, t) in watch.seconds { phases.add(p, t) }
        for (p, t) in schedule.stopwatch.seconds { phases.add(p, t) }
        return RunSummary(status: status, task: .md, steps: step - startStep, atomCount: system.atomCount, timestep: integrator.timestep,
                          threads: threads, loopSeconds: loop, phases: phases, neighborBuilds: evaluator.neighborBuildCount,
                          forceEvaluations: evaluator.evaluationCount, finalSystem: system, finalResult: result,
                          outputReport: schedule.report)
    }
}
