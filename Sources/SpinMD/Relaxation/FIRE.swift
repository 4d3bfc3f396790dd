import SpinMDCore

/// FIRE 2.0 minimisation: Guénolé, Nöhring, Vaid, Houllé, Xie, Prakash & Bitzek, "Assessment
/// and optimization of the fast inertial relaxation engine (FIRE) for energy minimization in
/// atomistic simulations and its implementation in LAMMPS", Comput. Mater. Sci. 175, 109584
/// (2020), Algorithm 2 with the semi-implicit Euler integrator.
///
/// Defaults are those of LAMMPS `min_style fire`: Δt_max = 10Δt, Δt_min = 0.02Δt, N_delay = 20,
/// f_inc = 1.1, f_dec = 0.5, α₀ = 0.25, f_α = 0.99, initial delay on, half step back on uphill
/// moves, at most `maxDisplacement` per coordinate row and step, and abort after 2000
/// consecutive uphill steps. Converged when the largest generalized force norm (ASE's `fmax`)
/// is below `fmax`.
public struct FIRE: Sendable {
    public var timestep: Double = 1.0  // Δt [fs]
    public var maxTimestepFactor = 10.0
    public var minTimestepFactor = 0.02
    public var delaySteps = 20
    public var timestepIncrease = 1.1
    public var timestepDecrease = 0.5
    public var alphaStart = 0.25
    public var alphaDecrease = 0.99
    public var initialDelay = true
    public var halfStepBack = true
    /// Largest move of one coordinate row per step [Å].
    public var maxDisplacement = 0.1
    public var maxUphillSteps = 2000
    /// Convergence threshold on the largest force norm [eV/Å].
    public var fmax = 0.01

    public init() {}

    public enum Status: String, Sendable {
        case converged
        case maxStepsReached = "not converged (max steps reached)"
        case stalled = "not converged (too many uphill steps)"
        case interrupted
    }

    /// Minimises `target`; calls `observe(step, target)` after every step (step 0 = start).
    /// - Returns: the status and the number of steps taken.
    /// - Parameter stop: polled before every step; true ends the minimisation as `.interrupted`.
    public func minimize(_ target: RelaxationTarget, maxSteps: Int, stop: () -> Bool = { false },
                         observe: (Int, RelaxationTarget) throws -> Void) throws -> (status: Status, steps: Int) {
        var x = target.coordinates
        let inertia = target.inertia
        var v = [Vector3](repeating: .zero, count: x.count)
        var dt = timestep
        let dtMax = maxTimestepFactor * timestep, dtMin = minTimestepFactor * timestep
        var alpha = alphaStart
        var positiveCount = 0, negativeCount = 0
        try observe(0, target)
        if target.maxForce < fmax { return (.converged, 0) }
        for step in 1...max(1, maxSteps) {
            if stop() { return (.interrupted, step - 1) }
            let f = target.forces
            var power = 0.0
            for i in x.indices { power += f[i].dot(v[i]) }
            if power > 0 {
                positiveCount += 1
                negativeCount = 0
                if positiveCount > delaySteps {
                    dt = min(dt * timestepIncrease, dtMax)
                    alpha *= alphaDecrease
                }
            } else {
                positiveCount = 0
                negativeCount += 1
                if negativeCount > maxUphillSteps { return (.stalled, step - 1) }
                if !(initialDelay && step < delaySteps) {
                    if dt * timestepDecrease >= dtMin { dt *= timestepDecrease }
                    alpha = alphaStart
                }
                if halfStepBack { for i in x.indices { x[i] -= 0.5 * dt * v[i] } }
                for i in v.indices { v[i] = .zero }
            }
            // Semi-implicit Euler: velocities first, then FIRE mixing, then positions.
            for i in x.indices { v[i] += (dt * Units.accelerationFactor / inertia[i]) * f[i] }
            if power > 0 {
                var vv = 0.0, ff = 0.0
                for i in x.indices { vv += v[i].normSquared; ff += f[i].normSquared }
                if ff > 0 {
                    let mix = alpha * (vv / ff).squareRoot()
                    for i in x.indices { v[i] = (1 - alpha) * v[i] + mix * f[i] }
                }
            }
            var largest = 0.0
            for i in x.indices { largest = max(largest, (dt * v[i]).norm) }
            let dtMove = largest > maxDisplacement ? dt * maxDisplacement / largest : dt
            for i in x.indices { x[i] += dtMove * v[i] }
            try target.setCoordinates(x)
            try observe(step, target)
            if target.maxForce < fmax { return (.converged, step) }
        }
        return (.maxStepsReached, maxSteps)
    }
}
