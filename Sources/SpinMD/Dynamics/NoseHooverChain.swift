import Foundation
import SpinMDCore

/// A Nosé–Hoover chain thermostat (Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992)),
/// integrated with the Trotter factorisation and Suzuki–Yoshida weights of Martyna, Tuckerman,
/// Tobias & Klein, Mol. Phys. 87, 1117 (1996).
///
/// Defaults follow LAMMPS `fix nvt`: chain length 3, Q₁ = N_dof·k_B·T·τ², Q_k = k_B·T·τ² (k > 1).
/// NOTE: LAMMPS applies no Suzuki–Yoshida splitting (`tloop` sub-steps only); spinmd uses the
/// 3-weight Suzuki–Yoshida scheme by default (`suzukiYoshidaOrder` 1 reproduces LAMMPS).
public final class NoseHooverChain {
    /// Target temperature [K].
    public let temperature: Double
    /// Damping time τ [fs].
    public let damping: Double
    /// Thermostat masses Q_k [eV·fs²].
    public let masses: [Double]
    /// Thermostat positions ξ_k [dimensionless] and velocities v_ξk [1/fs].
    public var positions: [Double]
    public var velocities: [Double]
    /// Number of sub-steps (n_c) and the Suzuki–Yoshida weights applied per sub-step.
    public let loops: Int
    public let weights: [Double]
    /// Degrees of freedom coupled to the first thermostat.
    public let degreesOfFreedom: Int

    /// - Parameters: temperature [K]; damping τ [fs]; chainLength ≥ 1; loops ≥ 1;
    ///   suzukiYoshidaOrder 1, 3 or 5.
    public init(temperature: Double, damping: Double, degreesOfFreedom: Int, chainLength: Int = 3,
                loops: Int = 1, suzukiYoshidaOrder: Int = 3) {
        precondition(chainLength >= 1 && loops >= 1)
        self.temperature = temperature
        self.damping = damping
        self.degreesOfFreedom = degreesOfFreedom
        let kT = Units.boltzmann * temperature
        var q = [Double](repeating: kT * damping * damping, count: chainLength)
        q[0] *= Double(degreesOfFreedom)
        masses = q
        positions = Array(repeating: 0, count: chainLength)
        velocities = Array(repeating: 0, count: chainLength)
        self.loops = loops
        weights = NoseHooverChain.suzukiYoshidaWeights(order: suzukiYoshidaOrder)
    }

    /// Suzuki–Yoshida weights of order 1, 3 or 5 (weights sum to 1).
    public static func suzukiYoshidaWeights(order: Int) -> [Double] {
        switch order {
        case 3:
            let w = 1 / (2 - pow(2, 1.0 / 3))
            return [w, 1 - 2 * w, w]
        case 5:
            let w = 1 / (4 - pow(4, 1.0 / 3))
            return [w, w, 1 - 4 * w, w, w]
        default:
            return [1]
        }
    }

    /// Energy of the chain [eV]: Σ ½Q_k v_k² + N_dof·k_B·T·ξ₁ + k_B·T·Σ_{k>1} ξ_k.
    public var energy: Double {
        let kT = Units.boltzmann * temperature
        var e = 0.0
        for k in masses.indices {
            e += 0.5 * masses[k] * velocities[k] * velocities[k]
            e += (k == 0 ? Double(degreesOfFreedom) : 1) * kT * positions[k]
        }
        return e
    }

    /// Propagates the chain and scales the particle velocities over half a timestep.
    /// - Parameter dt: the full MD timestep [fs].
    public func halfStep(_ system: inout AtomicSystem, dt: Double) {
        let kT = Units.boltzmann * temperature
        let m = masses.count
        let ndofkT = Double(degreesOfFreedom) * kT
        var kinetic2 = 2 * system.kineticEnergy
        var scale = 1.0
        var v = velocities
        var g = [Double](repeating: 0, count: m)
        func force(_ k: Int) -> Double {
            k == 0 ? (kinetic2 - ndofkT) / masses[0] : (masses[k - 1] * v[k - 1] * v[k - 1] - kT) / masses[k]
        }
        for _ in 0..<loops {
            for w in weights {
                let delta = w * 0.5 * dt / Double(loops)
                g[m - 1] = force(m - 1)
                v[m - 1] += 0.5 * delta * g[m - 1]
                for k in stride(from: m - 2, through: 0, by: -1) {
                    let s = exp(-0.25 * delta * v[k + 1])
                    g[k] = force(k)
                    v[k] = (v[k] * s + 0.5 * delta * g[k]) * s
                }
                let factor = exp(-delta * v[0])
                scale *= factor
                kinetic2 *= factor * factor
                for k in 0..<m { positions[k] += delta * v[k] }
                for k in 0..<(m - 1) {
                    let s = exp(-0.25 * delta * v[k + 1])
                    g[k] = force(k)
                    v[k] = (v[k] * s + 0.5 * delta * g[k]) * s
                }
                g[m - 1] = force(m - 1)
                v[m - 1] += 0.5 * delta * g[m - 1]
            }
        }
        velocities = v
        for i in 0..<system.atomCount { system.velocities[i] *= scale }
    }
}
