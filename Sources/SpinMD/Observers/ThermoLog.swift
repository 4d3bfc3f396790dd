import Foundation
import SpinMDCore

/// The thermodynamic log: a TSV file whose header names every column with its unit.
///
/// MD columns: step, time_ps, potential_eV, kinetic_eV, total_eV, conserved_eV, temperature_K,
/// pressure_GPa, volume_A3, then the potential's diagnostics (e.g. spin iterations). Relaxation columns: step, energy_eV, enthalpy_eV, fmax_eV_per_A,
/// pressure_GPa, volume_A3, a_A, b_A, c_A, alpha_deg, beta_deg, gamma_deg. Each line is written
/// through to the file as it is produced, so a killed run keeps every line logged before.
/// Its length is saved in checkpoints, so a resumed run cuts the lines logged after them.
public final class ThermoLog: Observer, Checkpointable {
    public let trigger: Trigger
    public var request: EvaluationRequest { [.energy, .virial] }
    let handle: FileHandle
    let task: Snapshot.Task
    public let path: String
    /// Bytes in the file so far (header and lines written).
    public private(set) var length: UInt64 = 0

    public static func columns(_ task: Snapshot.Task) -> [String] {
        switch task {
        case .md: ["step", "time_ps", "potential_eV", "kinetic_eV", "total_eV", "conserved_eV", "temperature_K", "pressure_GPa", "volume_A3"]
        case .relax: ["step", "energy_eV", "enthalpy_eV", "fmax_eV_per_A", "pressure_GPa", "volume_A3", "a_A", "b_A", "c_A", "alpha_deg", "beta_deg", "gamma_deg"]
        }
    }

    /// - Parameter resuming: continue an existing log, which `restore(from:)` then cuts to the
    ///   checkpoint's length; false starts a new log.
    /// - Parameter extraColumns: names of the potential's diagnostics, logged after the standard columns.
    public init(path: String, every: Int, task: Snapshot.Task, extraColumns: [String] = [], resuming: Bool = false) throws {
        self.path = path
        self.task = task
        trigger = Trigger(every: every)
        let header = (Self.columns(task) + extraColumns).joined(separator: "\t")
        if resuming {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SpinMDError.io(path: path, message: "cannot be read to resume the run")
            }
            guard text.split(separator: "\n", maxSplits: 1).first.map(String.init) == header else {
                throw SpinMDError.io(path: path, message: "is not a \(task.rawValue) thermo log of spinmd; cannot resume it")
            }
        } else if !FileManager.default.createFile(atPath: path, contents: nil) {
            throw SpinMDError.io(path: path, message: "cannot create the thermo log (check the directory exists and is writable)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw SpinMDError.io(path: path, message: "cannot be opened for writing") }
        handle = h
        if resuming {
            length = (try? h.seekToEnd()) ?? 0
        } else {
            try write(header + "\n")
        }
    }

    func write(_ line: String) throws {
        let bytes = Data(line.utf8)
        do { try handle.write(contentsOf: bytes) } catch {
            throw SpinMDError.io(path: path, message: "write failed: \(error.localizedDescription)")
        }
        length += UInt64(bytes.count)
    }

    public var checkpointSection: String { "output." + (path as NSString).lastPathComponent }

    /// Words "length": bytes of the log the checkpoint covers.
    public func checkpointState() -> CheckpointSection? { CheckpointSection(words: ["length": [length]]) }

    /// Cuts the log to the checkpoint's length (dropping lines logged after it) and continues there.
    public func restore(from section: CheckpointSection?) throws {
        guard let section else { throw CheckpointSection.Mismatch("is missing: the checkpoint does not cover \(path)") }
        length = try handle.cutForResume(path: path, to: section.words("length", count: 1)[0], available: length)
    }

    /// Refuses a step with a non-finite value (`Snapshot.requireFinite`); a value the potential
    /// did not give (the pressure without a virial, a diagnostic it did not compute) is an
    /// empty field, never "nan".
    public func observe(_ s: Snapshot) throws {
        try s.requireFinite([.cell, .energies], writing: path)
        let p = s.pressure.map { $0 * Units.eVPerCubicAngstromInGPa }
        if let p, !p.isFinite { throw SpinMDError.io(path: path, message: "refusing to write step \(s.step): its pressure is not finite (the run blew up; the file ends at the last good step)") }
        let pressure = p.map { String(format: "%.6f", $0) } ?? ""
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
        fields += s.result.diagnostics.map { !$0.isFinite ? "" : $0 == $0.rounded() && abs($0) < 1e9 ? String(Int($0)) : String(format: "%.6g", $0) }
        try write(fields.joined(separator: "\t") + "\n")
    }

    public func close(status: String) throws { try handle.close() }
}
