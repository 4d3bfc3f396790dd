import XCTest
@testable import SpinMultiNetTraining

/// The plot font draws every character the plots print with its own glyph.
final class PixelFontTests: XCTestCase {
    /// Every glyph has 7 to `height` rows (the last 2 below the baseline) of `width` '#' or ' ', and no two glyphs look alike.
    func testGlyphsAreWellFormedAndDistinct() {
        for (c, rows) in PixelFont.glyphs.map({ (String($0.key), $0.value) }) + [("missing", PixelFont.missing)] {
            XCTAssertTrue((7...PixelFont.height).contains(rows.count), "\(c): \(rows.count) rows")
            for row in rows { XCTAssertTrue(row.count == PixelFont.width && row.allSatisfy { $0 == "#" || $0 == " " }, "\(c): '\(row)'") }
        }
        var seen: [[String]: Character] = [PixelFont.missing: "□"]
        for (c, rows) in PixelFont.glyphs.sorted(by: { $0.key < $1.key }) {
            XCTAssertNil(seen[rows], "\(c) is drawn like \(seen[rows].map(String.init) ?? "")")
            seen[rows] = c
        }
    }

    static func render(_ s: String) -> Canvas {
        var canvas = Canvas(width: 12 * s.count + 4, height: 22)
        canvas.text(s, x: 2, y: 2)
        return canvas
    }

    /// Lower case is not upper case, and a character without a glyph is drawn as a box and reported.
    func testLowerCaseAndMissingGlyphs() {
        XCTAssertFalse(Self.render("eV").pixels == Self.render("EV").pixels)
        XCTAssertFalse(Self.render("meV/atom").pixels == Self.render("MEV/ATOM").pixels)
        XCTAssertFalse(Self.render("μB").pixels == Self.render("uB").pixels)
        for c in "abcdefghijklmnopqrstuvwxyz" {
            XCTAssertNotEqual(PixelFont.glyphs[c], PixelFont.glyphs[Character(c.uppercased())], "\(c)")
        }
        let unknown = Self.render("€")
        XCTAssertEqual(unknown.missingGlyphs, ["€"])
        XCTAssertTrue(unknown.pixels.contains(0), "a missing glyph is drawn, not left blank")
        XCTAssertEqual(Self.render("eV/Å meV/atom μB eV/Å³ −1·2²").missingGlyphs, [])
    }

    /// Each plot `spinmd eval --plots` writes, with negative, tiny and large values (e-notation
    /// ticks) and the groups of the training data, prints only characters the font has.
    func testEveryPlotLabelHasAGlyph() {
        for var plot in [ParityPlot.energyPerAtom, ParityPlot.forceComponents, ParityPlot.magneticMoments] {
            for values in [[-0.31, 0.42], [-2e-4, 3e-4], [-3e5, 8e5]] {
                plot.points = values.enumerated().map { ($1, 0.9 * $1, $0) }
                plot.groups = ["afm1", "afm2", "fm", "other"]
                let canvas = plot.canvas()
                XCTAssertEqual(canvas.missingGlyphs, [], "\(plot.title) over \(values)")
            }
        }
        XCTAssertEqual(ParityPlot.label(-2e-4), "−2e−04")
        XCTAssertEqual(ParityPlot.label(-0.25), "−0.25")
    }
}
