import Foundation
import SpinMultiNet
import SpinMDCore

/// A parity plot: model prediction against reference, the diagonal, "nice" ticks, one colour
/// per group with a legend, and the MAE and RMSE in the corner.
public struct ParityPlot {
    public var title: String
    /// Unit of the axes, e.g. "eV/Å".
    public var unit: String
    /// Unit of the MAE and RMSE, `errorScale` × `unit`, e.g. "meV/Å" for 1000.
    public var errorUnit: String
    public var errorScale: Double
    /// (reference, predicted, group index)
    public var points: [(Double, Double, Int)] = []
    public var groups: [String] = []

    public init(title: String, unit: String, errorUnit: String? = nil, errorScale: Double = 1) {
        self.title = title
        self.unit = unit
        self.errorUnit = errorUnit ?? unit
        self.errorScale = errorScale
    }

    /// Energies per atom less the frame's reference energies [eV/atom], errors in meV/atom.
    static var energyPerAtom: ParityPlot { ParityPlot(title: "Energy per atom − references", unit: "eV/atom", errorUnit: "meV/atom", errorScale: 1000) }
    /// Cartesian force components [eV/Å], errors in meV/Å.
    static var forceComponents: ParityPlot { ParityPlot(title: "Force components", unit: "eV/Å", errorUnit: "meV/Å", errorScale: 1000) }
    /// Moments along the spin axis (collinear) or their components [μB].
    static var magneticMoments: ParityPlot { ParityPlot(title: "Magnetic moments", unit: "μB") }

    static let palette: [Canvas.Color] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189), (140, 86, 75), (227, 119, 194)]

    /// Tick positions 1, 2 or 5 × 10ⁿ apart, about five over [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        let p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        var t = ceil(lo / step) * step
        var out: [Double] = []
        while t <= hi + 1e-9 * step { out.append(abs(t) < 1e-12 * step ? 0 : t); t += step }
        return out
    }

    /// `v` in at most 3 decimals, or as 1e−04 when tiny or huge; negatives with a minus sign (−).
    static func label(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e4 || a < 1e-3 { return String(format: "%.0e", v).replacingOccurrences(of: "-", with: "−") }
        var s = String(format: a >= 100 ? "%.0f" : a >= 1 ? "%.2f" : "%.3f", v)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s.replacingOccurrences(of: "-", with: "−")
    }

    /// The plot as a PNG file of `size` × `size` pixels; throws `Zlib.Failure` if zlib cannot
    /// compress it (out of memory).
    public func png(size: Int = 560) throws -> [UInt8] { try canvas(size: size).png() }

    /// The plot drawn on a `size` × `size` canvas.
    func canvas(size: Int = 560) -> Canvas {
        var c = Canvas(width: size, height: size)
        let left = 90, right = 20, top = 44, bottom = 70
        let w = size - left - right, h = size - top - bottom
        let values = points.flatMap { [$0.0, $0.1] }
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if hi - lo < 1e-12 { lo -= 1; hi += 1 }
        let pad = 0.05 * (hi - lo)
        lo -= pad; hi += pad
        func px(_ v: Double) -> Int { left + Int(((v - lo) / (hi - lo) * Double(w)).rounded()) }
        func py(_ v: Double) -> Int { top + h - Int(((v - lo) / (hi - lo) * Double(h)).rounded()) }
        let grey: Canvas.Color = (200, 200, 200), black: Canvas.Color = (0, 0, 0)
        for t in Self.ticks(lo, hi) {
            c.line(px(t), top, px(t), top + h, (238, 238, 238))
            c.line(left, py(t), left + w, py(t), (238, 238, 238))
            c.line(px(t), top + h, px(t), top + h + 5, black)
            c.line(left - 5, py(t), left, py(t), black)
            let s = Self.label(t)
            c.text(s, x: px(t) - Canvas.textWidth(s) / 2, y: top + h + 9)
            c.text(s, x: left - 9 - Canvas.textWidth(s), y: py(t) - 7)
        }
        c.line(px(lo), py(lo), px(hi), py(hi), grey)
        c.line(left, top, left, top + h, black); c.line(left, top + h, left + w, top + h, black)
        c.line(left + w, top, left + w, top + h, black); c.line(left, top, left + w, top, black)
        for (x, y, g) in points {
            let color = Self.palette[g % Self.palette.count]
            c.fill(x: px(x) - 2, y: py(y) - 2, w: 5, h: 5, color)
        }
        c.text(title, x: (size - Canvas.textWidth(title)) / 2, y: 12)
        let xLabel = "DFT (\(unit))"
        c.text(xLabel, x: left + (w - Canvas.textWidth(xLabel)) / 2, y: size - 28)
        let yLabel = "Model (\(unit))"
        c.text(yLabel, x: 12, y: top + (h + Canvas.textWidth(yLabel)) / 2, vertical: true)
        for (k, g) in groups.enumerated() where groups.count > 1 {
            c.fill(x: left + 12, y: top + 12 + 20 * k, w: 10, h: 10, Self.palette[k % Self.palette.count])
            c.text(g, x: left + 28, y: top + 10 + 20 * k)
        }
        let errors = points.map { $0.1 - $0.0 }
        if !errors.isEmpty {
            let mae = errors.map(abs).reduce(0, +) / Double(errors.count)
            let rmse = (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
            let s1 = "MAE \(Self.label(errorScale * mae)) \(errorUnit)", s2 = "RMSE \(Self.label(errorScale * rmse)) \(errorUnit)"
            c.text(s1, x: left + w - 12 - Canvas.textWidth(s1), y: top + h - 44)
            c.text(s2, x: left + w - 12 - Canvas.textWidth(s2), y: top + h - 24)
        }
        return c
    }
}
