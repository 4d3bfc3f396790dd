import Foundation

/// The layout safetensors model files and spinmd checkpoints share: an optional magic prefix, a
/// little-endian UInt64 header length, a JSON header, then raw little-endian arrays. Split so
/// the header can be edited as JSON and the file put back together with a consistent length.
struct HeaderedBinary {
    var magic: [UInt8]
    var header: [String: Any]
    var payload: [UInt8]

    init?(_ bytes: [UInt8], magic: [UInt8]) {
        let start = magic.count
        guard bytes.count >= start + 8, Array(bytes[0..<start]) == magic else { return nil }
        var n = 0
        for k in 0..<8 { n |= Int(bytes[start + k]) << (8 * k) }
        guard n > 0, start + 8 + n <= bytes.count,
              let h = try? JSONSerialization.jsonObject(with: Data(bytes[(start + 8)..<(start + 8 + n)])) as? [String: Any] else { return nil }
        self.magic = magic
        header = h
        payload = Array(bytes[(start + 8 + n)...])
    }

    /// The file bytes; `lengthField` replaces the true header length when given.
    func bytes(lengthField: UInt64? = nil) -> [UInt8] {
        let json = [UInt8]((try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data())
        var out = magic
        let n = lengthField ?? UInt64(json.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(k)))) }
        return out + json + payload
    }

    /// Writes `value` as little-endian Doubles into the payload at byte `offset`, `count` times.
    mutating func fill(offset: Int, count: Int, with value: Double) {
        for k in 0..<count {
            let at = offset + 8 * k
            guard at + 8 <= payload.count else { return }
            let bits = value.bitPattern
            for b in 0..<8 { payload[at + b] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(b))) }
        }
    }
}
