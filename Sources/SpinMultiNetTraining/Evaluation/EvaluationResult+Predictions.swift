import SpinMD
import SpinMDCore

extension EvaluationResult {
    /// Every frame with the model's predictions, as extended XYZ that ASE reads: the frame's
    /// structure and `initial_magmoms`, the predicted `energy` [eV], `stress` [eV/Å³, ASE sign;
    /// periodic frames], `forces` [eV/Å] and `magmoms` [μB] (shaped like the initial moments), the
    /// potential's diagnostics (iterations, committee spread) and `source` (file and frame). Every
    /// number is written in its shortest text that reads back bit for bit (the stress passes
    /// through the virial, so it may differ from the computed one in the last bit).
    public func predictionsExtendedXYZ() -> [UInt8] {
        var out: [UInt8] = []
        for (k, f) in frames.enumerated() {
            let p = predictions[k]
            var result = PotentialResult(energy: p.energy, forces: p.forces,
                                         virial: f.volume.flatMap { v in p.stress.map { -v * $0 } })
            result.magneticMoments = f.isCollinear ? .collinear(p.spins.map(\.z)) : .vector(p.spins)
            var extra = [("source", "\(f.file):\(f.index)")]
            if k < diagnostics.count {
                extra += zip(diagnosticNames, diagnostics[k]).filter { $1.isFinite }.map { ($0, $1.description) }
            }
            out += ExtendedXYZ.formatBytes(f.system, result: result, extra: extra, exact: true)
        }
        return out
    }
}
