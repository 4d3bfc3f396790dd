import SpinMDCore

/// Fast fixed-point formatting of Doubles into a byte buffer, for large text outputs
/// (printf-style formatting took ~90 ms for one 32,000-atom extxyz frame; this ~10× less).
public enum DecimalFormatter {
    static let powers: [UInt64] = (0...18).map { k in (0..<k).reduce(UInt64(1)) { r, _ in r * 10 } }

    /// Appends x with `decimals` (≤ 12) digits after the point; values too large for that
    /// (|x| ≥ 1e6) or not finite fall back to Swift's shortest round-trip text.
    @inline(__always)
    public static func append(_ x: Double, decimals: Int = 10, to out: inout [UInt8]) {
        guard x.isFinite, abs(x) < 1e6 else { out += Array(x.description.utf8); return }
        let scale = powers[decimals]
        let scaled = UInt64((abs(x) * Double(scale)).rounded())
        if x < 0 && scaled != 0 { out.append(UInt8(ascii: "-")) }
        appendInteger(scaled / scale, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(scaled % scale, width: decimals, to: &out)
    }

    /// Appends `value` as exactly `width` digits (zero-padded on the left).
    @inline(__always)
    static func appendDigits(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        let start = out.count
        for _ in 0..<width { out.append(UInt8(ascii: "0")) }
        var v = value
        var k = start + width - 1
        while v > 0 && k >= start { out[k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; k -= 1 }
    }

    @inline(__always)
    static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        var width = 1
        while width < 19 && value >= powers[width] { width += 1 }
        appendDigits(value, width: width, to: &out)
    }

    /// The formatted text of one number.
    public static func string(_ x: Double, decimals: Int = 10) -> String {
        var b: [UInt8] = []
        append(x, decimals: decimals, to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}
