import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// Text tables and JSON of `PropertyErrors` in the units people quote: meV/atom, meV/Å, μB, GPa.
public enum MetricsTable {
    /// (statistics, factor to the reported unit) for energy, forces, moments, stress.
    static func quantities(_ e: PropertyErrors) -> [(ErrorStatistics, Double)] {
        [(e.energy, 1000), (e.forces, 1000), (e.moments, 1), (e.stress, Units.eVPerCubicAngstromInGPa)]
    }

    static let names = ["energy_meV_per_atom", "forces_meV_per_A", "moments_uB", "stress_GPa"]
    static let headings = ["E meV/atom", "F meV/Å", "m μB", "σ GPa"]

    /// A table with one row per labelled set: frames, then MAE and RMSE of each quantity present.
    public static func format(_ rows: [(label: String, errors: PropertyErrors)]) -> String {
        let present = (0..<4).filter { q in rows.contains { quantities($0.errors)[q].0.count > 0 } }
        let labelWidth = max(8, rows.map(\.label.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var header = "".padding(toLength: labelWidth, withPad: " ", startingAt: 0) + pad("frames", 8)
        for q in present { header += pad(headings[q] + " MAE", 16) + pad("RMSE", 9) }
        var lines = [header]
        for (label, e) in rows {
            var line = label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + pad("\(e.frames)", 8)
            for q in present {
                let (s, unit) = quantities(e)[q]
                line += s.count > 0 ? pad(number(s.meanAbsolute * unit), 16) + pad(number(s.rootMeanSquare * unit), 9) : pad("—", 16) + pad("—", 9)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ x: Double) -> String {
        abs(x) >= 100 ? String(format: "%.1f", x) : abs(x) >= 1 ? String(format: "%.2f", x) : String(format: "%.4f", x)
    }

    /// {"energy_meV_per_atom": {"mae": …, "rmse": …, "count": …}, …, "frames": n} (present quantities only).
    public static func json(_ e: PropertyErrors) -> String {
        var parts = ["\"frames\": \(e.frames)"]
        for (q, (s, unit)) in quantities(e).enumerated() where s.count > 0 {
            parts.append("\"\(names[q])\": {\"mae\": \(s.meanAbsolute * unit), \"rmse\": \(s.rootMeanSquare * unit), \"count\": \(s.count)}")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
