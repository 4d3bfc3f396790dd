import Foundation
import SpinMDCore

/// The thermodynamic log: a TSV file whose header names every column with its unit.
///
/// MD columns: step, time_ps, potential_eV, kinetic_eV, total_eV, conserved_eV, temperature_K,
/// pressure_GPa, volume_A3, then the potential's diagnostics (e.g. spin iterations). Relaxation columns: step, energy_eV, enthalpy_eV, fmax_eV_per_A,
/// pressure_GPa, volume_A3, a_A, b_A, c_A, alpha_deg, beta_deg, gamma_deg. Each line is written
/// through to the file as it is produced, so a killed run keeps every line logged before.
public final class ThermoLog: Observer {
    public let trigger: Trigger
    public var request: EvaluationRequest { [.energy, .virial] }
    let handle: FileHandle
    let task: Snapshot.Task
    public let path: String

    public static func columns(_ task: Snapshot.Task) -> [String] {
        switch task {
        case .md: ["step", "time_ps", "potential_eV", "kinetic_eV", "total_eV", "conserved_eV", "temperature_K", "pressure_GPa", "volume_A3"]
        case .relax: ["step", "energy_eV", "enthalpy_eV", "fmax_eV_per_A", "pressure_GPa", "volume_A3", "a_A", "b_A", "c_A", "alpha_deg", "beta_deg", "gamma_deg"]
        }
    }

    /// - Parameter resumingAfter: continue an existing log, dropping lines after this step
    ///   (written after the checkpoint being resumed); nil starts a new log.
    /// - Parameter extraColumns: names of the potential's diagnostics, logged after the standard columns.
    public init(path: String, every: Int, task: Snapshot.Task, extraColumns: [String] = [], resumingAfter step: Int? = nil) throws {
        self.path = path
        self.task = task
        trigger = Trigger(every: every)
        let header = (Self.columns(task) + extraColumns).joined(separator: "\t")
        if let step {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SpinMDError.io(path: path, message: "cannot be read to resume the run")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            guard lines.first.map(String.init) == header else { throw SpinMDError.io(path: path, message: "is not a \(task.rawValue) thermo log of spinmd; cannot resume it") }
            lines = [lines[0]] + lines.dropFirst().filter { line in Int(line.prefix { $0 != "\t" }).map { $0 <= step } ?? false }
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path)
        } else if !FileManager.default.createFile(atPath: path, contents: nil) {
            throw SpinMDError.io(path: path, message: "cannot create the thermo log (check the directory exists and is writable)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw SpinMDError.io(path: path, message: "cannot be opened for writing") }
        handle = h
        if step == nil {
            try write(header + "\n")
        } else {
            _ = try? h.seekToEnd()
        }
    }

    func write(_ line: String) throws {
        do { try handle.write(contentsOf: Data(line.utf8)) } catch {
            throw SpinMDError.io(path: path, message: "write failed: \(error.localizedDescription)")
        }
    }

    public func observe(_ s: Snapshot) throws {
        let p = s.pressure.map { $0 * Units.eVPerCubicAngstromInGPa }
        let pressure = p.map { String(format: "%.6f", $0) } ?? "nan"
        let v = s.system.cell.volume
        var fields: [String]
        switch task {
        case .md:
            fields = ["\(s.step)", String(format: "%.6f", s.time / Units.femtosecondsPerPicosecond)]
            fields += [s.result.energy, s.system.kineticEnergy, s.totalEnergy, s.conservedEnergy].map { String(format: "%.10f", $0) }
            fields += [String(format: "%.4f", s.system.temperature), pressure, String(format: "%.6f", v)]
        case .relax:
            let l = s.system.cell.lengths, ang = s.system.cell.anglesDegrees
            fields = ["\(s.step)", String(format: "%.10f", s.result.energy), String(format: "%.10f", s.objective ?? s.result.energy),
                      String(format: "%.6e", s.maxForce ?? 0), pressure, String(format: "%.6f", v)]
            fields += [l.x, l.y, l.z, ang.x, ang.y, ang.z].map { String(format: "%.6f", $0) }
        }
        fields += s.result.diagnostics.map { $0 == $0.rounded() && abs($0) < 1e9 ? String(Int($0)) : String(format: "%.6g", $0) }
        try write(fields.joined(separator: "\t") + "\n")
    }

    public func close(status: String) throws { try handle.close() }
}
