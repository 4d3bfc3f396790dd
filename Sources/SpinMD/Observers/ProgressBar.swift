import SpinMDCore

/// The one text progress bar of spinmd (MD and relaxation runs, training epochs): `width` cells,
/// the first ⌊fraction·width⌋ filled.
public struct ProgressBar: Sendable {
    /// Number of cells.
    public var width: Int

    public init(width: Int = 24) { self.width = width }

    /// Returns to the start of the terminal line and erases it (ANSI), before a redraw.
    public static let clearLine = "\r\u{1B}[2K"

    /// The bar for `fraction` done (clamped to [0, 1]).
    public func draw(fraction: Double) -> String {
        let filled = fraction.isFinite ? min(width, max(0, Int(fraction * Double(width)))) : 0
        return String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    }
}
