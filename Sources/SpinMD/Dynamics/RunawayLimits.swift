import Foundation
import SpinMDCore

/// What an MD run may do before it counts as blown up (input section `md.runaway`): the largest
/// move of one atom in one step, and the largest temperature, a multiple of the temperature the
/// input asks for plus a floor. Both are checked at every step before any observer sees the
/// step, so no output ever holds a state beyond them (nor a non-finite one).
///
/// The defaults never fire on a healthy run: at 3000 K an oxygen atom moves about 0.02 Å per
/// fs, a tenth of the 0.5 Å limit at a 5 fs timestep; a 200 fs timestep or a run heating from
/// 300 K towards 10⁷ K crosses them within a few steps.
public struct RunawayLimits: Sendable, Equatable {
    /// Largest displacement of any atom in one step [Å] (`max_displacement_A`).
    public var maxDisplacement = 0.5
    /// The temperature limit is `temperatureFactor` × `referenceTemperature` + `temperatureFloor`.
    public var temperatureFactor = 100.0
    /// [K] (`temperature_floor_K`).
    public var temperatureFloor = 1e4
    /// The largest temperature the input asks for [K]: of the initial velocities, the thermostat
    /// and the starting structure's velocities. Set by the run, not read from the input.
    public var referenceTemperature = 0.0

    public init() {}

    /// Highest temperature a step may reach [K].
    public var maxTemperature: Double { temperatureFactor * referenceTemperature + temperatureFloor }

    /// Reads the optional `md.runaway` section (every key optional).
    public init(_ section: ConfigObject?) throws {
        guard let section else { return }
        maxDisplacement = try section.double("max_displacement_A", default: maxDisplacement, .positive)
        temperatureFactor = try section.double("temperature_factor", default: temperatureFactor,
                                               NumberCheck(minimum: 1, expectation: "a number ≥ 1"))
        temperatureFloor = try section.double("temperature_floor_K", default: temperatureFloor, .positive)
        try section.finish()
    }

    static func describe(_ system: AtomicSystem, _ i: Int) -> String { "atom \(i + 1) (\(system.species[i].symbol))" }

    /// Throws `SpinMDError.runaway` when some atom's drift in this step, `dt`·vᵢ, is longer than
    /// `maxDisplacement` or not finite. Call with the velocities the drift used.
    /// - Parameter dt: the drift's time [fs].
    public func checkDrift(_ system: AtomicSystem, dt: Double, step: Int) throws {
        let limit = (maxDisplacement / dt) * (maxDisplacement / dt)  // on |v|² [Å²/fs²]
        var fastest = 0.0
        for v in system.velocities { let s = v.normSquared; fastest = s > fastest || s.isNaN ? s : fastest }
        guard !(fastest <= limit) else { return }
        let i = Self.fastestAtom(system)
        let d = dt * system.velocities[i].norm
        let what = d.isFinite ? String(format: "moved %.4g Å in one step (timestep %g fs)", d, dt) : "moved by a non-finite distance"
        throw SpinMDError.runaway(step: step, message: "\(Self.describe(system, i)) \(what), more than md.runaway.max_displacement_A = \(maxDisplacement) Å: the timestep is too large or atoms are too close; nothing of this step was written, outputs end at the last good step (raise md.runaway.max_displacement_A only if such moves are physical)")
    }

    /// Throws `SpinMDError.runaway` when a velocity is not finite or the temperature exceeds
    /// `maxTemperature`.
    public func checkTemperature(_ system: AtomicSystem, step: Int) throws {
        let t = system.temperature
        guard !(t <= maxTemperature) else { return }
        let i = Self.fastestAtom(system)
        let v = system.velocities[i].norm
        guard t.isFinite, v.isFinite else {
            throw SpinMDError.runaway(step: step, message: "the velocity of \(Self.describe(system, i)) is not finite; nothing of this step was written, outputs end at the last good step (reduce the timestep, check the structure and masses)")
        }
        let limit = String(format: "%.4g K = md.runaway.temperature_factor %g × %.4g K (the highest temperature the input asks for) + md.runaway.temperature_floor_K %g",
                           maxTemperature, temperatureFactor, referenceTemperature, temperatureFloor)
        throw SpinMDError.runaway(step: step, message: String(format: "temperature %.4g K exceeds the limit %@; fastest: %@ at %.4g Å/fs. The dynamics is running away (timestep too large, or the potential pumps energy in); nothing of this step was written, outputs end at the last good step (raise the md.runaway keys only if such heating is physical)", t, limit, Self.describe(system, i), v))
    }

    /// The atom with the largest speed (a non-finite one first).
    static func fastestAtom(_ system: AtomicSystem) -> Int {
        var best = 0, speed = -1.0
        for (i, v) in system.velocities.enumerated() {
            let s = v.normSquared
            if !s.isFinite { return i }
            if s > speed { best = i; speed = s }
        }
        return best
    }
}
