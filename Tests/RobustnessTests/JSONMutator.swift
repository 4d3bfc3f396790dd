import Foundation
import SpinMDCore

/// Structure-aware mutations of an input JSON document: values replaced by extreme values of
/// other types, numbers pushed to their limits, keys deleted, duplicated or renamed, deep nesting,
/// huge strings and keys, plus a few edits of the raw text.
struct JSONMutator {
    var rng: SeededGenerator

    /// Values of every type that no key of spinmd accepts everywhere.
    static let extremes: [(String, JSONTree)] = [
        ("null", .null), ("true", .bool(true)), ("0", .number(0)), ("-1", .number(-1)), ("1e308", .number(1e308)),
        ("-1e308", .number(-1e308)), ("5e-324", .number(5e-324)), ("0.5", .number(0.5)), ("2^63", .raw("9223372036854775808")),
        ("NaN literal", .raw("NaN")), ("Infinity literal", .raw("Infinity")), ("1e999", .raw("1e999")), ("-0", .raw("-0")),
        ("\"NaN\"", .string("NaN")), ("\"inf\"", .string("inf")), ("\"\"", .string("")), ("\"-1\"", .string("-1")),
        ("\"\\u0000\"", .string("\u{0}")), ("unicode", .string("Ω∑🙂")), ("[]", .array([])), ("{}", .object([])),
        ("[NaN,1e308,-1]", .array([.raw("NaN"), .number(1e308), .number(-1)])), ("[1,2]", .array([.number(1), .number(2)])),
        ("{\"x\":1}", .object([("x", .number(1))])),
    ]

    /// Numbers at and past the limits, for keys that hold numbers.
    static let numbers: [(String, JSONTree)] = [
        ("0", .number(0)), ("-1", .number(-1)), ("1e308", .number(1e308)), ("-1e308", .number(-1e308)), ("1e-308", .number(1e-308)),
        ("NaN literal", .raw("NaN")), ("\"NaN\"", .string("NaN")), ("1e999", .raw("1e999")), ("-1e999", .raw("-1e999")),
        ("2^63", .raw("9223372036854775808")), ("2^53+1", .raw("9007199254740993")), ("1.5", .number(1.5)), ("-0.0", .raw("-0.0")),
        ("1e6", .number(1e6)), ("0.001", .number(0.001)),
    ]

    /// Keys whose large valid values mean long work, not wrong input (steps, cell repeats, spin
    /// iterations): they get no large finite value, which would only test patience.
    static let workKeys: Set<String> = ["steps", "max_steps", "repeat", "max_iterations", "every", "progress_every", "names"]

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { rng.nextUniform() < p }

    static func isWorkPath(_ path: JSONTree.Path) -> Bool {
        path.contains { if case let .key(k) = $0 { return workKeys.contains(k) } else { return false } }
    }

    /// Applies one random structure-aware mutation; returns its description.
    mutating func mutate(_ tree: inout JSONTree) -> String {
        let paths = tree.paths
        guard !paths.isEmpty else { return "nothing to mutate" }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1:
            let p = pick(paths)
            var (name, value) = pick(Self.extremes)
            if Self.isWorkPath(p), case let .number(x) = value, x > 1e3 { (name, value) = ("-1", .number(-1)) }
            tree[p] = value
            return "\(JSONTree.name(p)) = \(name)"
        case 2, 3:
            let numeric = paths.filter { tree[$0]?.isNumber == true }
            guard !numeric.isEmpty else { return mutate(&tree) }
            let p = pick(numeric)
            var (name, value) = pick(Self.numbers)
            if Self.isWorkPath(p), case let .number(x) = value, x > 1e3, x.isFinite, x < 1e300 { (name, value) = ("0", .number(0)) }
            tree[p] = value
            return "\(JSONTree.name(p)) = \(name)"
        case 4:
            let p = pick(paths)
            tree[p] = nil
            return "delete \(JSONTree.name(p))"
        case 5:
            let keyed = paths.filter { if case .key = $0.last { return true } else { return false } }
            let p = pick(keyed)
            guard case let .key(k) = p.last!, let original = tree[p] else { return "nothing" }
            let second: JSONTree = chance(0.5) ? original : pick(Self.extremes).1
            tree.editMembers(at: Array(p.dropLast())) { $0.append((k, second)) }
            return "duplicate key \(JSONTree.name(p))"
        case 6:
            let keyed = paths.filter { if case .key = $0.last { return true } else { return false } }
            let p = pick(keyed)
            guard case let .key(k) = p.last! else { return "nothing" }
            let renamed = pick([k.uppercased(), k + "_", String(k.dropLast()), "", " " + k, k + "\u{0}", String(repeating: "k", count: 200_000), "Ωmega"])
            tree.editMembers(at: Array(p.dropLast())) { m in
                if let j = m.firstIndex(where: { $0.key == k }) { m[j].key = renamed }
            }
            return "rename key \(JSONTree.name(p)) to a \(renamed.count)-character key"
        case 7:
            let p = pick(paths)
            let depth = pick([64, 1_000, 100_000])
            tree[p] = .raw(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
            return "\(JSONTree.name(p)) = arrays nested \(depth) deep"
        case 8:
            let strings = paths.filter { tree[$0]?.isString == true }
            let p = strings.isEmpty ? pick(paths) : pick(strings)
            let length = pick([10_000, 1_000_000])
            tree[p] = .string(String(repeating: "x", count: length))
            return "\(JSONTree.name(p)) = a \(length)-character string"
        default:
            let containers = [[]] + paths.filter { tree[$0]?.isContainer == true }
            let p = pick(containers)
            // An object replaced by an array of its values, or an array by an object.
            switch tree[p] {
            case let .object(o)?: tree[p] = .array(o.map(\.value))
            case let .array(a)?: tree[p] = .object(a.enumerated().map { ("\($0.offset)", $0.element) })
            default: break
            }
            return "\(p.isEmpty ? "document" : JSONTree.name(p)) changed container type"
        }
    }

    /// Edits of the raw text: a cut, a flipped byte, a stray character, a removed range.
    mutating func mutateText(_ bytes: inout [UInt8]) -> String {
        guard !bytes.isEmpty else { return "empty" }
        let i = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: bytes.removeSubrange(i...); return "text cut at byte \(i)"
        case 1: bytes[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)); return "bit flipped in byte \(i)"
        case 2: let c = pick(Array("{}[],:\"\\\u{0}é".utf8)); bytes.insert(c, at: i); return "byte \(c) inserted at \(i)"
        case 3: let n = min(bytes.count - i, Int.random(in: 1...40, using: &rng)); bytes.removeSubrange(i..<(i + n)); return "\(n) bytes removed at \(i)"
        default: bytes.insert(contentsOf: [0xff, 0xfe], at: i); return "invalid UTF-8 inserted at \(i)"
        }
    }
}
