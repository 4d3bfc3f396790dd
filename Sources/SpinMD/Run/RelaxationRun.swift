import SpinMDCore

/// Runs a FIRE relaxation of positions, or positions and cell, with observers.
public final class RelaxationRun {
    public let evaluator: ForceEvaluator
    public let fire: FIRE
    public let maxSteps: Int
    public let schedule: ObserverSchedule
    public let threads: Int
    let target: RelaxationTarget

    /// - Parameter pressure: target pressure [eV/Å³] when `relaxCell`.
    public init(system: AtomicSystem, evaluator: ForceEvaluator, fire: FIRE, maxSteps: Int, relaxCell: Bool, pressure: Double,
                schedule: ObserverSchedule, threads: Int) throws {
        self.evaluator = evaluator
        self.fire = fire
        self.maxSteps = maxSteps
        self.schedule = schedule
        self.threads = threads
        try VelocityVerlet.checkMasses(system)  // FIRE's inertia
        var s = system
        s.velocities = Array(repeating: .zero, count: s.atomCount)
        let request: EvaluationRequest = [.energy, .forces, .virial, .magneticMoments]
        target = relaxCell ? try FrechetCellTarget(system: s, evaluator: evaluator, pressure: pressure, request: request)
                           : try PositionTarget(system: s, evaluator: evaluator, request: request)
    }

    func snapshot(_ step: Int) -> Snapshot {
        Snapshot(task: .relax, step: step, totalSteps: maxSteps, time: 0, system: target.system, result: target.result,
                 extendedEnergy: 0, maxForce: target.maxForce, objective: target.objective)
    }

    public func run() throws -> RunSummary {
        // The loop's timing starts here: the evaluation of the starting structure (in init) is setup.
        evaluator.stopwatch = Stopwatch()
        let start = Stopwatch.now()
        let outcome: (status: FIRE.Status, steps: Int)
        var lastStep = 0
        do {
            outcome = try fire.minimize(target, maxSteps: maxSteps, stop: { StopSignal.requested }) { step, _ in
                lastStep = step
                try schedule.notify(snapshot(step), isLast: false)
            }
            try schedule.notifyEnd(snapshot(outcome.steps))
            try schedule.close(status: outcome.status.rawValue)
        } catch {
            try? schedule.close(status: "failed")
            // A cell driven to NaN or collapse by huge stresses: a blow-up, reported with its step.
            if case let SpinMDError.invalidCell(why) = error {
                throw SpinMDError.unsupported("the relaxation blew up at step \(lastStep + 1): the cell became invalid (\(why)); outputs end at step \(lastStep) (check the potential's parameters and the structure)")
            }
            throw error
        }
        let loop = Stopwatch.now() - start
        var phases = evaluator.stopwatch
        for (p, t) in schedule.stopwatch.seconds { phases.add(p, t) }
        let status: RunSummary.Status
        switch outcome.status {
        case .converged: status = .converged
        case .interrupted: status = .interrupted
        default: status = .notConverged(outcome.status.rawValue)
        }
        return RunSummary(status: status, task: .relax, steps: outcome.steps, atomCount: target.system.atomCount, timestep: nil,
                          threads: threads, loopSeconds: loop, phases: phases, neighborBuilds: evaluator.neighborBuildCount,
                          forceEvaluations: evaluator.evaluationCount, finalSystem: target.system, finalResult: target.result,
                          outputReport: schedule.report)
    }
}
