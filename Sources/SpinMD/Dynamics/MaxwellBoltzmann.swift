import SpinMDCore

/// Initial velocities drawn from the Maxwell–Boltzmann distribution.
public enum MaxwellBoltzmann {
    /// Draws each velocity component from N(0, k_B T / m), removes the centre-of-mass drift and
    /// rescales so the instantaneous temperature is exactly `temperature` (as LAMMPS
    /// `velocity ... dist gaussian mom yes` followed by its scaling). With fixed atoms
    /// (`system.constraints`) the fixed directions get no velocity and the centre of mass,
    /// which is then not conserved, is left as drawn.
    /// - Parameter temperature: [K].
    public static func assign(to system: inout AtomicSystem, temperature: Double, generator: inout SeededGenerator) {
        for i in 0..<system.atomCount {
            let sigma = (Units.boltzmann * temperature / system.masses[i] * Units.accelerationFactor).squareRoot()
            system.velocities[i] = sigma * Vector3(generator.nextGaussian(), generator.nextGaussian(), generator.nextGaussian())
        }
        if let c = system.constraints, !c.isEmpty {
            c.projection(cell: system.cell.matrix).apply(&system.velocities)
        } else if system.atomCount > 1 {
            system.removeCenterOfMassVelocity()
        }
        let t = system.temperature
        if t > 0 {
            let scale = (temperature / t).squareRoot()
            for i in 0..<system.atomCount { system.velocities[i] *= scale }
        }
    }
}
