/// CRC-64 with the ECMA-182 polynomial in its reflected form (the "CRC-64/XZ" parameters: init
/// and final XOR all ones), as xz and many archivers use: the checksum spinmd checkpoints carry
/// of their own bytes, and the fingerprint of files a run reads.
///
/// Check value: `CRC64.checksum(Array("123456789".utf8)) == 0x995DC9BBDF1939FA`.
public enum CRC64 {
    /// Reflected ECMA-182 polynomial.
    static let polynomial: UInt64 = 0xC96C_5795_D787_0F42

    static let table: [UInt64] = (0..<256).map { byte in
        var c = UInt64(byte)
        for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ polynomial : c >> 1 }
        return c
    }

    /// The CRC-64 of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var crc = UInt64.max
        table.withUnsafeBufferPointer { t in
            for b in bytes { crc = t[Int((crc ^ UInt64(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }
}
