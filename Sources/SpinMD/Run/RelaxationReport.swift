import Foundation
import SpinMDCore

/// What a relaxation ended with, in the terms a materials scientist quotes: energy per formula
/// unit, cell, pseudo-cubic lattice parameter and rhombohedral angle, and moments per element.
public struct RelaxationReport: Sendable {
    /// Energy [eV] and formula units in the cell (the gcd of the element counts).
    public var energy: Double
    public var formulaUnits: Int
    public var energyPerFormulaUnit: Double { energy / Double(formulaUnits) }
    public var cell: Cell
    /// Lengths [Å] and angles [°] of the pseudo-cubic axes (the input's Cartesian cubic axes,
    /// scaled to the cubic lattice constant of the input's volume and carried along by the
    /// cell's deformation), when asked for.
    public var pseudoCubicLengths: Vector3?
    public var pseudoCubicAngles: Vector3?
    /// Per element (in order of first appearance): mean |m|, smallest and largest signed m [μB].
    public var moments: [(element: Element, meanAbsolute: Double, minimum: Double, maximum: Double)] = []
    /// Per-atom moments [μB] along the spin axis (collinear) or their norms.
    public var atomMoments: [Double] = []

    /// - Parameters:
    ///   - initial: the input structure (its cell defines the cubic axes for `pseudoCubic`).
    ///   - formulaUnitsPerCubicCell: 4 for rocksalt.
    public init(initial: AtomicSystem, final: AtomicSystem, result: PotentialResult, pseudoCubic: Bool, formulaUnitsPerCubicCell: Int = 4) {
        energy = result.energy
        var counts: [Element: Int] = [:]
        for e in final.species { counts[e, default: 0] += 1 }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        formulaUnits = counts.values.reduce(0, gcd)
        cell = final.cell
        if pseudoCubic {
            let a0 = pow(Double(formulaUnitsPerCubicCell) * initial.cell.volume / Double(formulaUnits), 1.0 / 3)
            // Rows: final = initial·G, so a cubic axis a0·eₖ of the input becomes a0·(row k of G).
            let g = initial.cell.matrix.inverse * final.cell.matrix
            let axes = (0..<3).map { a0 * g[$0] }
            pseudoCubicLengths = Vector3(axes[0].norm, axes[1].norm, axes[2].norm)
            func angle(_ u: Vector3, _ v: Vector3) -> Double { acos(max(-1, min(1, u.dot(v) / (u.norm * v.norm)))) * 180 / .pi }
            pseudoCubicAngles = Vector3(angle(axes[1], axes[2]), angle(axes[0], axes[2]), angle(axes[0], axes[1]))
        }
        switch result.magneticMoments {
        case let .collinear(m)?: atomMoments = m
        case let .vector(v)?: atomMoments = v.map(\.norm)
        case nil: break
        }
        if !atomMoments.isEmpty {
            var seen: [Element] = []
            for e in final.species where !seen.contains(e) { seen.append(e) }
            moments = seen.map { e in
                let m = final.species.indices.filter { final.species[$0] == e }.map { atomMoments[$0] }
                return (e, m.map(abs).reduce(0, +) / Double(m.count), m.min()!, m.max()!)
            }
        }
    }

    /// Mean pseudo-cubic lattice parameter [Å] and rhombohedral angle [°] (mean of the three).
    public var pseudoCubicA: Double? { pseudoCubicLengths.map { ($0.x + $0.y + $0.z) / 3 } }
    public var rhombohedralAngle: Double? { pseudoCubicAngles.map { ($0.x + $0.y + $0.z) / 3 } }

    /// Lines for the terminal.
    public var text: String {
        let l = cell.lengths, a = cell.anglesDegrees
        var out = String(format: "Energy: %.6f eV (%.6f eV per formula unit, %d formula units)\n", energy, energyPerFormulaUnit, formulaUnits)
        out += String(format: "Cell: a = %.5f, b = %.5f, c = %.5f Å; α = %.3f, β = %.3f, γ = %.3f°; V = %.4f Å³ (%.4f Å³ per formula unit)\n",
                      l.x, l.y, l.z, a.x, a.y, a.z, cell.volume, cell.volume / Double(formulaUnits))
        if let pl = pseudoCubicLengths, let pa = pseudoCubicAngles {
            out += String(format: "Pseudo-cubic cell: a = %.5f, %.5f, %.5f Å; angles %.4f, %.4f, %.4f° (mean a = %.5f Å, rhombohedral angle %.4f°)\n",
                          pl.x, pl.y, pl.z, pa.x, pa.y, pa.z, pseudoCubicA!, rhombohedralAngle!)
        }
        for m in moments {
            out += String(format: "Moments %@: mean |m| = %.4f μB (from %.4f to %.4f)\n", m.element.symbol, m.meanAbsolute, m.minimum, m.maximum)
        }
        return out
    }

    /// The same facts as JSON (written to `summary.json`).
    public var json: String {
        func n(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let l = cell.lengths, a = cell.anglesDegrees
        var parts = [
            "\"energy_eV\": \(n(energy))", "\"formula_units\": \(formulaUnits)", "\"energy_eV_per_formula_unit\": \(n(energyPerFormulaUnit))",
            "\"cell_lengths_A\": [\(n(l.x)), \(n(l.y)), \(n(l.z))]", "\"cell_angles_deg\": [\(n(a.x)), \(n(a.y)), \(n(a.z))]",
            "\"volume_A3\": \(n(cell.volume))",
            "\"lattice_A\": [" + (0..<3).map { k in "[" + (0..<3).map { n(cell.matrix[k, $0]) }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]",
        ]
        if let pl = pseudoCubicLengths, let pa = pseudoCubicAngles {
            parts.append("\"pseudo_cubic\": {\"lengths_A\": [\(n(pl.x)), \(n(pl.y)), \(n(pl.z))], \"angles_deg\": [\(n(pa.x)), \(n(pa.y)), \(n(pa.z))], \"a_A\": \(n(pseudoCubicA!)), \"rhombohedral_angle_deg\": \(n(rhombohedralAngle!))}")
        }
        if !moments.isEmpty {
            parts.append("\"moments_uB\": {" + moments.map { "\"\($0.element.symbol)\": {\"mean_abs\": \(n($0.meanAbsolute)), \"min\": \(n($0.minimum)), \"max\": \(n($0.maximum))}" }.joined(separator: ", ") + "}")
            parts.append("\"atom_moments_uB\": [" + atomMoments.map(n).joined(separator: ", ") + "]")
        }
        return "{\n  " + parts.joined(separator: ",\n  ") + "\n}\n"
    }
}
