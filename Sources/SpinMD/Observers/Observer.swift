import SpinMDCore

/// When an observer fires: every N steps, at the start and/or at the end.
public struct Trigger: Sendable {
    /// Period in steps; 0 = never periodically.
    public var every: Int
    public var atStart: Bool
    public var atEnd: Bool

    public init(every: Int, atStart: Bool = true, atEnd: Bool = true) {
        self.every = every
        self.atStart = atStart
        self.atEnd = atEnd
    }

    public static let endOnly = Trigger(every: 0, atStart: false, atEnd: true)

    public func fires(step: Int, isLast: Bool) -> Bool {
        (step == 0 && atStart) || (isLast && atEnd) || (step > 0 && every > 0 && step % every == 0)
    }
}

/// The state handed to observers after a step.
public struct Snapshot {
    public enum Task: String, Sendable { case md, relax }
    public var task: Task
    public var step: Int
    /// Steps the run will take at most.
    public var totalSteps: Int
    /// Simulated time [fs] (0 for relaxations).
    public var time: Double
    public var system: AtomicSystem
    public var result: PotentialResult
    /// Thermostat energy [eV]; conserved = potential + kinetic + this.
    public var extendedEnergy: Double
    /// Largest generalized force norm during a relaxation [eV/Å].
    public var maxForce: Double?
    /// Relaxation objective (energy or enthalpy) [eV].
    public var objective: Double?

    public init(task: Task, step: Int, totalSteps: Int, time: Double, system: AtomicSystem, result: PotentialResult,
                extendedEnergy: Double, maxForce: Double? = nil, objective: Double? = nil) {
        self.task = task
        self.step = step
        self.totalSteps = totalSteps
        self.time = time
        self.system = system
        self.result = result
        self.extendedEnergy = extendedEnergy
        self.maxForce = maxForce
        self.objective = objective
    }

    /// Potential + kinetic [eV].
    public var totalEnergy: Double { result.energy + system.kineticEnergy }
    public var conservedEnergy: Double { totalEnergy + extendedEnergy }

    /// Pressure incl. the kinetic part, P = (Σ m v² + tr W)/(3V) [eV/Å³]; nil without a virial.
    public var pressure: Double? {
        guard let w = result.virial else { return nil }
        return (2 * system.kineticEnergy + w.trace) / (3 * system.cell.volume)
    }
}

/// Something that watches a run: logs, trajectory frames, progress, final structures.
/// Observers are scheduled by their `trigger`, never by step tests inside the loops.
public protocol Observer: AnyObject {
    var trigger: Trigger { get }
    /// What the observer needs from the potential on the steps it fires.
    var request: EvaluationRequest { get }
    func observe(_ snapshot: Snapshot) throws
    /// Called once when the run ends, with its final status.
    func close(status: String) throws
}

extension Observer {
    public var request: EvaluationRequest { [] }
    public func close(status: String) throws {}
}

/// The observers of a run and the time they take.
public final class ObserverSchedule {
    public private(set) var observers: [any Observer]
    public var stopwatch = Stopwatch()
    /// Per observer (same order as `observers`): calls and seconds spent.
    public private(set) var calls: [Int] = []
    public private(set) var seconds: [Double] = []
    /// The observers whose output positions checkpoints hold (a subset of `observers`).
    public private(set) var checkpointed: [any Checkpointable] = []

    public init(_ observers: [any Observer] = []) {
        self.observers = []
        for o in observers { add(o) }
    }

    public func add(_ o: any Observer) {
        observers.append(o)
        calls.append(0)
        seconds.append(0)
    }

    /// Adds an observer whose state (e.g. how much of its file is written) checkpoints hold.
    public func add(checkpointed o: any Observer & Checkpointable) {
        add(o)
        checkpointed.append(o)
    }

    /// Lines "name: calls, seconds, per call" for the performance summary.
    public var report: [String] {
        observers.indices.filter { calls[$0] > 0 }.map { k in
            let name = String(describing: type(of: observers[k]))
            return String(format: "%@: %d call%@, %.4f s (%.3f ms each)", name, calls[k], calls[k] == 1 ? "" : "s",
                          seconds[k], 1000 * seconds[k] / Double(calls[k]))
        }
    }

    /// Calls one observer, charging its time to it.
    func call(_ k: Int, _ snapshot: Snapshot) throws {
        let start = Stopwatch.now()
        try observers[k].observe(snapshot)
        calls[k] += 1
        seconds[k] += Stopwatch.now() - start
    }

    /// The union of what observers firing at this step need.
    public func request(step: Int, isLast: Bool) -> EvaluationRequest {
        observers.reduce(into: EvaluationRequest()) { r, o in if o.trigger.fires(step: step, isLast: isLast) { r.formUnion(o.request) } }
    }

    public func notify(_ snapshot: Snapshot, isLast: Bool) throws {
        try stopwatch.measure(.output) {
            for k in observers.indices where observers[k].trigger.fires(step: snapshot.step, isLast: isLast) { try call(k, snapshot) }
        }
    }

    /// Notifies the observers that fire at the end but did not fire at this (last) step already.
    public func notifyEnd(_ snapshot: Snapshot) throws {
        try stopwatch.measure(.output) {
            for k in observers.indices where observers[k].trigger.atEnd && !observers[k].trigger.fires(step: snapshot.step, isLast: false) {
                try call(k, snapshot)
            }
        }
    }

    /// Whether `close` has run.
    public private(set) var isClosed = false

    /// Closes every observer, even when one of them fails (the first error is rethrown once all
    /// are closed), so a failed run still closes its trajectory. Only the first call closes;
    /// later ones do nothing.
    public func close(status: String) throws {
        guard !isClosed else { return }
        isClosed = true
        var failure: (any Error)?
        stopwatch.measure(.output) {
            for o in observers {
                do { try o.close(status: status) } catch { failure = failure ?? error }
            }
        }
        if let failure { throw failure }
    }

    /// Runs `body` (the setup and run that use these observers); when it throws, closes them
    /// with status "failed" (their own errors dropped, the first one matters) and rethrows, so
    /// every failure path closes the files (a NetCDF trajectory then counts only its complete
    /// frames). Closing twice does nothing, so `body` may close them itself.
    public func closing<T>(onFailureOf body: () throws -> T) throws -> T {
        do { return try body() } catch {
            try? close(status: "failed")
            throw error
        }
    }
}
