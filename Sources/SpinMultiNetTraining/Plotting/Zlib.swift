import CZlib

/// zlib streams (RFC 1950: deflate data between a 2-byte header and an Adler-32 trailer) through
/// the system libz, as PNG stores its image data.
enum Zlib {
    /// A libz call that did not return `Z_OK`; `status` is its return code (zlib.h: `Z_MEM_ERROR`
    /// = −4, `Z_BUF_ERROR` = −5, `Z_DATA_ERROR` = −3).
    struct Failure: Error, CustomStringConvertible {
        let call: String, status: Int32
        var description: String { "zlib \(call) failed (status \(status))" }
    }

    /// `bytes` as one zlib stream, deflated at `level` (0 stores, 9 compresses most).
    static func compress(_ bytes: [UInt8], level: Int32 = 9) throws(Failure) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), level) }
        }
        guard status == Z_OK else { throw Failure(call: "compress2", status: status) }
        return Array(out.prefix(Int(size)))
    }

    /// The `count` bytes a zlib stream holds; a corrupt stream, or one holding another number of
    /// bytes, is a failure.
    static func decompress(_ stream: [UInt8], count: Int) throws(Failure) -> [UInt8] {
        var size = uLong(count + 1)
        var out = [UInt8](repeating: 0, count: count + 1)
        let status = out.withUnsafeMutableBufferPointer { o in
            stream.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &size, i.baseAddress, uLong(i.count)) }
        }
        guard status == Z_OK else { throw Failure(call: "uncompress", status: status) }
        guard size == uLong(count) else { throw Failure(call: "uncompress", status: Z_DATA_ERROR) }
        return Array(out.prefix(count))
    }
}
