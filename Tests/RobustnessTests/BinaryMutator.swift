import Foundation
import SpinMDCore

/// Mutations of model files (safetensors: header offsets, shapes, dtypes, the configuration's
/// cutoff, species and reference energies, NaN weights) and checkpoints (header fields, arrays,
/// flipped bytes), plus raw damage to both. Each returns whether the result is certainly invalid
/// (spinmd must refuse it) beside its description.
struct BinaryMutator {
    var rng: SeededGenerator

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }

    /// Raw damage; `certain` when the file cannot still be valid.
    mutating func damage(_ bytes: inout [UInt8]) -> String {
        let i = Int.random(in: 0..<max(1, bytes.count), using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes.removeSubrange(min(i, bytes.count)...); return "truncated to \(i) bytes"
        case 1:
            let n = Int.random(in: 1...16, using: &rng)
            for _ in 0..<n { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }
            return "\(n) bits flipped"
        default:
            let header = min(bytes.count, 8 + 20_192)
            let j = Int.random(in: 0..<max(1, header), using: &rng)
            bytes[j] ^= 0xff
            return "header byte \(j) inverted"
        }
    }

    /// One model-file mutation; `refused` when a correct reader must reject the result.
    mutating func mutateModel(_ bytes: [UInt8]) -> (bytes: [UInt8], what: String, refused: Bool) {
        guard var file = HeaderedBinary(bytes, magic: []) else { var b = bytes; return (b, damage(&b), false) }
        let tensors = file.header.keys.filter { $0 != "__metadata__" }.sorted()
        let name = pick(tensors)
        var entry = file.header[name] as? [String: Any] ?? [:]
        let offsets = entry["data_offsets"] as? [Int] ?? [0, 0]
        switch Int.random(in: 0..<11, using: &rng) {
        case 0:
            var b = bytes
            let cut = pick([Int.random(in: 0..<8, using: &rng), Int.random(in: 8..<(8 + 20_000), using: &rng), bytes.count - 8, bytes.count - 1])
            b.removeSubrange(max(0, min(cut, b.count))...)
            return (b, "truncated to \(cut) bytes", true)
        case 1:
            var b = bytes
            return (b, damage(&b), false)
        case 2:
            let v = pick([0, 1, 7, UInt64(Int64.max), UInt64.max, UInt64(bytes.count)])
            return (file.bytes(lengthField: v), "header length field = \(v)", true)
        case 3:
            let d = pick(["F32", "F16", "I64", "BOOL", "BOGUS", ""])
            entry["dtype"] = d
            file.header[name] = entry
            return (file.bytes(), "\(name) dtype = \(d)", true)
        case 4:
            let shape = entry["shape"] as? [Int] ?? [1]
            let s: [Int] = pick([[0], [-1], shape + [2], [shape.reduce(1, *) + 1], [Int(Int32.max), Int(Int32.max)], []])
            entry["shape"] = s
            file.header[name] = entry
            return (file.bytes(), "\(name) shape = \(s)", shape.reduce(1, *) != s.reduce(1, *) || s.contains { $0 < 0 })
        case 5:
            // Offsets overlapping another tensor, reversed, past the end, negative.
            let length = offsets[1] - offsets[0]
            let o: [Int] = pick([[0, length], [offsets[1], offsets[0]], [offsets[0], file.payload.count + 8], [-8, offsets[1]],
                                 [offsets[0] + 8, offsets[1] + 8], [Int(Int64.max) - 8, Int(Int64.max)]])
            entry["data_offsets"] = o
            file.header[name] = entry
            return (file.bytes(), "\(name) data_offsets = \(o)", o != offsets)
        case 6:
            file.header[name] = nil
            return (file.bytes(), "tensor \(name) removed", true)
        case 7:
            // NaN (or infinite) weights in one tensor.
            let v = pick([Double.nan, .infinity, -.infinity])
            file.fill(offset: offsets[0], count: max(1, (offsets[1] - offsets[0]) / 8 / pick([1, 4, 1000])), with: v)
            return (file.bytes(), "\(name) holds \(v)", true)
        case 8, 9:
            // The model configuration inside the metadata.
            guard var meta = file.header["__metadata__"] as? [String: String] else { return (bytes, "no metadata", false) }
            let keys = meta.keys.filter { $0.hasSuffix("configuration") }.sorted()
            guard !keys.isEmpty else { return (bytes, "no configuration", false) }
            let edits: [(String, Any, Bool)] = [("cutoff", 0, true), ("cutoff", -5, true), ("cutoff", 1e308, true), ("cutoff", Double.nan, true),
                                                ("referenceEnergies", [-2.56], true), ("referenceEnergies", [] as [Double], true),
                                                ("species", [28, 25], true), ("species", [28, 25, 8, 1], true), ("species", [28, 28, 8], true),
                                                ("channels", 0, true), ("layers", -1, true), ("lMax", 9, true), ("momentRange", 0, true),
                                                ("radialBasis", 1_000_000, true), ("averageNeighbors", 0, true)]
            let (key, value, refused) = pick(edits)
            let targets = Int.random(in: 0..<2, using: &rng) == 0 ? keys : [pick(keys)]
            for k in targets {
                guard let data = meta[k]?.data(using: .utf8), var c = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
                c[key] = value
                // NaN has no JSON form: written as a bare NaN token.
                let text = (try? JSONSerialization.data(withJSONObject: c.mapValues { ($0 as? Double)?.isNaN == true ? "__NaN__" : $0 }, options: [.sortedKeys]))
                    .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\"__NaN__\"", with: "NaN") }
                meta[k] = text
            }
            file.header["__metadata__"] = meta
            return (file.bytes(), "configuration \(targets.count == keys.count ? "of every member" : targets[0]): \(key) = \(value)", refused)
        default:
            guard var meta = file.header["__metadata__"] as? [String: String] else { return (bytes, "no metadata", false) }
            let key = pick(["committee_members", "format", "format_version"])
            let v = pick(["0", "-1", "99", "", "abc", "1000000000"])
            meta[key] = v
            file.header["__metadata__"] = meta
            return (file.bytes(), "metadata \(key) = '\(v)'", true)
        }
    }

    /// One checkpoint mutation. Every change of its bytes must be refused: a checkpoint carries a
    /// checksum of itself (issue 24, class 5).
    mutating func mutateCheckpoint(_ bytes: [UInt8]) -> (bytes: [UInt8], what: String) {
        guard var file = HeaderedBinary(bytes, magic: Array("SPINMDCK".utf8)) else { var b = bytes; return (b, damage(&b)) }
        var tensors = file.header["tensors"] as? [String: [Int]] ?? [:]
        let names = tensors.keys.sorted()
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:
            var b = bytes
            let cut = Int.random(in: 0..<bytes.count, using: &rng)
            b.removeSubrange(cut...)
            return (b, "truncated to \(cut) bytes")
        case 1:
            var b = bytes
            let i = Int.random(in: 16..<b.count, using: &rng)
            b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            return (b, "bit flipped in byte \(i)")
        case 2:
            let v: Any = pick([0, -1, 19, 21, 1_000_000_000, Int.max, 2.5, "20"] as [Any])
            file.header["step"] = v
            return (file.bytes(), "step = \(v)")
        case 3:
            let v: Any = pick([0, 31, 33, -1, Int.max] as [Any])
            file.header["atom_count"] = v
            return (file.bytes(), "atom_count = \(v)")
        case 4:
            let name = pick(names)
            let l = tensors[name] ?? [0, 0]
            let v: [Int] = pick([[l[0], l[1] - 1], [l[0], l[1] + 3], [l[0] + 1, l[1]], [-1, l[1]], [l[0], 1 << 60], [0, l[1]]])
            tensors[name] = v
            file.header["tensors"] = tensors
            return (file.bytes(), "tensor \(name) = \(v)")
        case 5:
            // Absurd physics inside a well-formed file: masses, positions, velocities, cell.
            let name = pick(["masses", "positions", "velocities", "cell", "time_fs"].filter { tensors[$0] != nil })
            let l = tensors[name] ?? [0, 0]
            let v = pick([0.0, -1.0, .nan, .infinity, 1e308])
            let all = Bool.random(using: &rng)
            file.fill(offset: 8 * l[0], count: all ? l[1] : 1, with: v)
            return (file.bytes(), "\(name) \(all ? "all" : "first") = \(v)")
        case 6:
            // Any version but the current one (3), which would leave the bytes as they were.
            let v: Any = pick([1, 2, 4, 0, "3"] as [Any])
            file.header["format_version"] = v
            return (file.bytes(), "format_version = \(v)")
        case 7:
            var words = file.header["words"] as? [String: [String]] ?? [:]
            guard let key = words.keys.sorted().first else { file.header["pbc"] = [true]; return (file.bytes(), "pbc = [true]") }
            words[key] = pick([[], ["zz"], ["ffffffffffffffffff"], (words[key] ?? []) + ["0"]])
            file.header["words"] = words
            return (file.bytes(), "words \(key) edited")
        default:
            file.header["pbc"] = pick([[true], [true, true, true, true], [] as [Bool]])
            return (file.bytes(), "pbc edited")
        }
    }
}
