import Foundation
import SpinMDCore

/// What `CellListBuilder.build` can be given, and the checks that keep user input inside it.
/// The builder's memory and time are proportional to the atom count times the periodic images
/// one radius spans; positions need only be finite and within `maximumCoordinate` of the
/// origin and `maximumCellOffset` cells of the cell (they are wrapped before binning).
extension CellListBuilder {
    /// Largest list radius [Å] (cutoff + skin, or `min_distance_A`): 50 Å, five times the
    /// cutoff of any potential shipped or any SpinMultiNet model (≤ 10 Å).
    public static let maximumRadius = 50.0
    /// Most periodic images one radius may span, ∏ over periodic axes of (2⌈r/dₐ⌉ + 1) with dₐ
    /// the distance between the cell's faces: a 2-atom NiO cell with a 7 Å radius spans 343.
    public static let maximumImages = 1_000_000
    /// Largest |coordinate| of an atom [Å] (10⁹ Å = 10 cm).
    public static let maximumCoordinate = 1e9
    /// Largest distance of an atom from the cell along a periodic axis, in cell lengths.
    public static let maximumCellOffset = 1e8

    /// Periodic images a sphere of `radius` spans in `cell` (∏ (2⌈r/dₐ⌉ + 1) over periodic axes),
    /// or nil when that is more than `maximumImages` (or the radius is not finite).
    public static func imageCount(radius: Double, cell: Cell) -> Int? {
        guard radius.isFinite, radius >= 0 else { return nil }
        let face = cell.faceDistances
        var count = 1.0
        for a in 0..<3 where cell.pbc[a] { count *= 2 * (radius / face[a]).rounded(.up) + 1 }
        return count <= Double(maximumImages) ? Int(count) : nil
    }

    /// Throws unless `radius` [Å] is positive, at most `maximumRadius` and spans at most
    /// `maximumImages` images of `cell`. `what` names the radius in the message.
    public static func checkRadius(_ radius: Double, cell: Cell, what: String) throws {
        guard radius > 0, radius <= maximumRadius else {
            throw SpinMDError.unsupported("\(what) is \(radius) Å; spinmd builds neighbour lists up to \(maximumRadius) Å (docs/input-format.md, \"What spinmd refuses\")")
        }
        guard imageCount(radius: radius, cell: cell) != nil else {
            let f = cell.faceDistances
            throw SpinMDError.unsupported(String(format: "%@ of %g Å spans more than %d periodic images of a cell whose faces are %.4g, %.4g, %.4g Å apart; the cell is far too small for it (or collapsed)", what, radius, maximumImages, f.x, f.y, f.z))
        }
    }

    /// The first atom whose position the builder cannot take (not finite, a coordinate beyond
    /// `maximumCoordinate`, or beyond `maximumCellOffset` cells along a periodic axis), with
    /// what is wrong with it; nil when all are fine. One cheap pass; exact only for suspects.
    public static func firstInvalidPosition(_ positions: [Vector3], cell: Cell) -> (atom: Int, problem: String)? {
        let face = cell.faceDistances
        var thinnest = Double.infinity
        for a in 0..<3 where cell.pbc[a] { thinnest = Swift.min(thinnest, face[a]) }
        // |sₐ| ≤ |r|/dₐ ≤ √3·max|rₖ|/dₐ: below `quick` every check passes.
        let quick = Swift.min(maximumCoordinate, maximumCellOffset * thinnest / 3.0.squareRoot())
        for (i, r) in positions.enumerated() {
            if abs(r.x) <= quick && abs(r.y) <= quick && abs(r.z) <= quick { continue }
            guard r.isFinite else { return (i, "has a non-finite position") }
            if Swift.max(abs(r.x), abs(r.y), abs(r.z)) > maximumCoordinate {
                return (i, String(format: "is at (%.4g, %.4g, %.4g) Å, beyond the %g Å spinmd handles", r.x, r.y, r.z, maximumCoordinate))
            }
            let s = cell.fractional(r)
            for a in 0..<3 where cell.pbc[a] && !(abs(s[a]) <= maximumCellOffset) {
                return (i, String(format: "is %.4g cell lengths outside the cell along lattice vector %d, beyond the %g spinmd handles", abs(s[a]), a + 1, maximumCellOffset))
            }
        }
        return nil
    }
}
