/// Runs MD: the step loop, with observers notified by their triggers.
public final class MolecularDynamicsRun {
    public private(set) var system: AtomicSystem
    public let evaluator: ForceEvaluator
    public let integrator: any Integrator
    public let steps: Int
    public let schedule: ObserverSchedule
    public let threads: Int

    public init(system: AtomicSystem, evaluator: ForceEvaluator, integrator: any Integrator, steps: Int,
                schedule: ObserverSchedule, threads: Int) {
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
        do {
            result = try evaluator.compute(&system, request: schedule.request(step: 0, isLast: steps == 0).union(.energyAndForces))
            try schedule.notify(snapshot(0, result), isLast: steps == 0)
            if steps > 0 {
                for k in 1...steps {
                    let isLast = k == steps
                    let request = schedule.request(step: k, isLast: isLast).union(.energyAndForces)
                    result = try integrator.step(&system, current: result, evaluator: evaluator, request: request, stepIndex: k, stopwatch: &watch)
                    try schedule.notify(snapshot(k, result), isLast: isLast)
                }
            }
            try schedule.close(status: "completed")
        } catch {
            try? schedule.close(status: "failed")
            throw error
        }
        let loop = Stopwatch.now() - start
        var phases = evaluator.stopwatch
        for (p, t) in watch.seconds { phases.add(p, t) }
        for (p, t) in schedule.stopwatch.seconds { phases.add(p, t) }
        return RunSummary(status: .completed, task: .md, steps: steps, atomCount: system.atomCount, timestep: integrator.timestep,
                          threads: threads, loopSeconds: loop, phases: phases, neighborBuilds: evaluator.neighborBuildCount,
                          forceEvaluations: evaluator.evaluationCount, finalSystem: system, finalResult: result)
    }
}
