/// Raw little-endian encoding of Doubles and of a UInt64 header length: the binary part of
/// spinmd checkpoints and of safetensors model files.
public enum LittleEndian {
    /// Appends the values' bytes.
    public static func append(_ values: [Double], to out: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        #endif
    }

    /// Appends a UInt64.
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    /// The UInt64 stored at `offset` (8 bytes must be present).
    public static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    /// The Doubles stored in bytes[range] (range.count a multiple of 8).
    public static func doubles(_ bytes: [UInt8], _ range: Range<Int>) -> [Double] {
        var values = [Double](repeating: 0, count: range.count / 8)
        values.withUnsafeMutableBytes { dst in bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[range])) } }
        #if _endian(big)
        values = values.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
        #endif
        return values
    }
}
