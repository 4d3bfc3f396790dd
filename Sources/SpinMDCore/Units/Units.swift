/// Metal units, as LAMMPS `units metal` and ASE: Å, eV, fs, amu, K, μB.
///
/// Every conversion constant of the project is defined here, once, from CODATA 2018.
public enum Units {
    /// Boltzmann constant [eV/K] (CODATA 2018, exact).
    public static let boltzmann: Double = 8.617333262e-5
    /// Elementary charge [C] (exact).
    public static let elementaryCharge: Double = 1.602176634e-19
    /// Atomic mass constant [kg] (CODATA 2018).
    public static let atomicMassUnit: Double = 1.66053906660e-27

    /// Converts (eV/Å) / amu into Å/fs²: a = F/m · `accelerationFactor`.
    /// 1 eV/(Å·amu) = e / (1e-10 m · u) m/s² = that · 1e-20 Å/fs².
    public static let accelerationFactor: Double = elementaryCharge / (1e-10 * atomicMassUnit) * 1e-20
    /// Converts amu·Å²/fs² into eV: E_kin = ½ m v² · `kineticEnergyFactor`.
    public static let kineticEnergyFactor: Double = 1.0 / accelerationFactor

    /// 1 GPa in eV/Å³.
    public static let gigapascal: Double = 1e9 * 1e-30 / elementaryCharge
    /// 1 eV/Å³ in GPa.
    public static let eVPerCubicAngstromInGPa: Double = 1.0 / gigapascal

    /// 1 eV in kcal/mol (N_A·e / 4184 J).
    public static let kilocaloriesPerMolePerElectronvolt: Double = 6.02214076e23 * elementaryCharge / 4184
    /// AMBER's velocity unit: velocities are stored as v[Å/ps] / 20.455 (AMBER's internal time
    /// unit is 1/20.455 ps), with the attribute scale_factor = 20.455.
    public static let amberVelocityScale: Double = 20.455

    /// Femtoseconds per picosecond.
    public static let femtosecondsPerPicosecond: Double = 1000
}
