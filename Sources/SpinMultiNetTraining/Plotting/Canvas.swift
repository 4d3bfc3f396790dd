import SpinMDCore

/// An RGB raster with the few drawing operations a parity plot needs.
struct Canvas {
    let width: Int, height: Int
    /// (height, width, 3) RGB bytes, row-major from the top.
    var pixels: [UInt8]
    /// Characters `text` drew as `PixelFont.missing` because the font has no glyph for them.
    var missingGlyphs: Set<Character> = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    typealias Color = (UInt8, UInt8, UInt8)

    mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let k = 3 * (y * width + x)
        pixels[k] = c.0; pixels[k + 1] = c.1; pixels[k + 2] = c.2
    }

    mutating func fill(x: Int, y: Int, w: Int, h: Int, _ c: Color) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, c) } }
    }

    /// A line by Bresenham's algorithm.
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Color) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            set(x, y, c)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Text with its top-left corner at (x, y), `scale` pixels per font pixel (a line is
    /// `PixelFont.height` × `scale` pixels high); `vertical` writes bottom-to-top.
    mutating func text(_ s: String, x: Int, y: Int, scale: Int = 2, vertical: Bool = false, _ c: Color = (0, 0, 0)) {
        for (k, ch) in s.enumerated() {
            if PixelFont.glyphs[ch] == nil { missingGlyphs.insert(ch) }
            for fy in 0..<PixelFont.height {
                for fx in 0..<PixelFont.width where PixelFont.ink(ch, fx, fy) {
                    let ox = k * (PixelFont.width + 1) * scale
                    if vertical {
                        fill(x: x + fy * scale, y: y - ox - fx * scale, w: scale, h: scale, c)
                    } else {
                        fill(x: x + ox + fx * scale, y: y + fy * scale, w: scale, h: scale, c)
                    }
                }
            }
        }
    }

    static func textWidth(_ s: String, scale: Int = 2) -> Int { s.count * (PixelFont.width + 1) * scale }

    func png() throws(Zlib.Failure) -> [UInt8] { try PNGEncoder.encode(width: width, height: height, rgb: pixels) }
}
