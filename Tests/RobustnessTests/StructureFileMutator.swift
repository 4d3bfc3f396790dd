import Foundation
import SpinMDCore

/// Line-aware mutations of structure files: the extxyz count line and comment line (Lattice,
/// Properties, pbc) edited, atom lines dropped, duplicated or cut, numbers and symbols corrupted,
/// a masses column of zeros; the POSCAR scale, cell, species, counts and coordinate lines the same
/// way; plus raw byte damage.
struct StructureFileMutator {
    var rng: SeededGenerator

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }

    static let badNumbers = ["0", "-1", "NaN", "nan", "inf", "-inf", "1e308", "1e999", "-0", "1.2.3", "", "0x10", "9223372036854775808",
                             String(repeating: "9", count: 400), "1e-320"]

    /// One mutation of extxyz text (every frame shares the edit when it is a header edit).
    mutating func mutateExtXYZ(_ text: String) -> (String, String) {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard lines.count >= 3 else { return (text, "too short to mutate") }
        let atomLines = Array(2..<lines.count).filter { !lines[$0].contains("=") && lines[$0].split(separator: " ").count > 1 }
        var what: String
        switch Int.random(in: 0..<12, using: &rng) {
        case 0:
            let n = Int(lines[0].trimmingCharacters(in: .whitespaces)) ?? 1
            let v = pick(["0", "-1", "\(n &+ 1)", "\(n &- 1)", "1000000000", "abc", "9223372036854775807", "", "3.5", "\(n) \(n)"])
            lines[0] = v
            what = "atom count line = '\(v)'"
        case 1:
            let edits = [("pos:R:3", "pos:R:2"), ("pos:R:3", "pos:R:4"), ("pos:R:3", "pos:R:0"), ("species:S:1", "species:I:1"),
                         ("species:S:1", "species:S:2"), ("pos:R:3", "pos:X:3"), ("pos:R:3", "pos:R:-3"), ("pos:R:3", "pos:R:3:pos:R:3"),
                         ("Properties=species:S:1:pos:R:3", "Properties=pos:R:3"), ("pos:R:3", "pos:R:99999999999"),
                         ("Properties=", "Properties=species:S:1:pos:R:3:masses:R:1:")]
            let (a, b) = pick(edits)
            lines[1] = lines[1].replacingOccurrences(of: a, with: b)
            what = "Properties: '\(a)' → '\(b)'"
        case 2:
            let v = pick(["0 0 0 0 0 0 0 0 0", "NaN 0 0 0 1 0 0 0 1", "1e308 0 0 0 1e308 0 0 0 1e308", "1 0 0 0 1 0 0 0",
                          "1 0 0 2 0 0 0 0 1", "-8 0 0 0 8 0 0 0 8", "1e-9 0 0 0 1e-9 0 0 0 1e-9", "1000 0 0 0 1000 0 0 0 1000", "a b c d e f g h i"])
            lines[1] = lines[1].replacingOccurrences(of: #"Lattice="[^"]*""#, with: "Lattice=\"\(v)\"", options: .regularExpression)
            what = "Lattice = \"\(v)\""
        case 3:
            let v = pick(["pbc=\"T T\"", "pbc=\"X Y Z\"", "pbc=\"F F F\"", "pbc=1", ""])
            lines[1] = lines[1].replacingOccurrences(of: #"pbc="[^"]*""#, with: v, options: .regularExpression)
            what = "pbc → '\(v)'"
        case 4:
            let v = pick(["", "Lattice=\"", "Properties=species:S:1:pos:R:3 \"unterminated", String(repeating: "k=v ", count: 50_000)])
            lines[1] = v
            what = "comment line replaced (\(v.count) characters)"
        case 5:
            let i = pick(atomLines)
            lines.remove(at: i)
            what = "atom line \(i + 1) dropped"
        case 6:
            let i = pick(atomLines)
            lines.insert(lines[i], at: i)
            what = "atom line \(i + 1) duplicated"
        case 7, 8:
            let i = pick(atomLines)
            var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let f = Int.random(in: 1..<fields.count, using: &rng)
            let v = pick(Self.badNumbers)
            fields[f] = v
            lines[i] = fields.joined(separator: " ")
            what = "line \(i + 1) field \(f + 1) = '\(v)'"
        case 9:
            let i = pick(atomLines)
            var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let v = pick(["Xx", "", "ni", "Ni1", "0", "H", "Og", "Ωm"])
            fields[0] = v
            lines[i] = fields.joined(separator: " ")
            what = "line \(i + 1) species = '\(v)'"
        case 10:
            // A masses column added (or set) with an absurd value on one atom or all.
            let v = pick(["0", "-39.9", "1e-300", "NaN", "1e308"])
            let all = Bool.random(using: &rng)
            let target = pick(atomLines)
            if !lines[1].contains("masses:R:1") {
                lines[1] = lines[1].replacingOccurrences(of: "Properties=species:S:1:pos:R:3", with: "Properties=species:S:1:pos:R:3:masses:R:1")
                for i in atomLines {
                    var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    fields.insert(all || i == target ? v : "58.7", at: min(4, fields.count))
                    lines[i] = fields.joined(separator: " ")
                }
            } else {
                for i in atomLines where all || i == target {
                    var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    if fields.count > 4 { fields[4] = v }
                    lines[i] = fields.joined(separator: " ")
                }
            }
            what = "masses = \(v) on \(all ? "every atom" : "line \(target + 1)")"
        default:
            let i = pick(atomLines)
            let shift = pick(["300", "1000", "-1e4", "1e9", "1e308"])
            var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            fields[1] = shift
            lines[i] = fields.joined(separator: " ")
            what = "line \(i + 1) x = \(shift) (far outside the cell)"
        }
        return (lines.joined(separator: "\n") + "\n", what)
    }

    /// One mutation of POSCAR text.
    mutating func mutatePOSCAR(_ text: String) -> (String, String) {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard lines.count > 9 else { return (text, "too short to mutate") }
        var what: String
        switch Int.random(in: 0..<8, using: &rng) {
        case 0:
            let v = pick(["0", "-1", "-1e-9", "NaN", "1e308", "abc", "", "1 1 1 1"])
            lines[1] = v
            what = "scale line = '\(v)'"
        case 1:
            let i = Int.random(in: 2...4, using: &rng)
            let v = pick(["0 0 0", "NaN 0 0", "1e308 0 0", "1 2", "a b c", "16.35 0.0 0.0"])
            lines[i] = v
            what = "cell line \(i + 1) = '\(v)'"
        case 2:
            let v = pick(["Xx", "", "Ar Ar", "1", "Ne"])
            lines[5] = v
            what = "species line = '\(v)'"
        case 3:
            let v = pick(["0", "-1", "1000000", "107", "109", "", "a", "54 54", "9223372036854775807"])
            lines[6] = v
            what = "counts line = '\(v)'"
        case 4:
            let v = pick(["Selective dynamics", "Xyz", "", "Cartesian", "Direct"])
            lines[7] = v
            what = "coordinate mode line = '\(v)'"
        case 5:
            let i = Int.random(in: 8..<lines.count, using: &rng)
            if Bool.random(using: &rng) { lines.remove(at: i); what = "coordinate line \(i + 1) dropped" } else { lines.insert(lines[i], at: i); what = "coordinate line \(i + 1) duplicated" }
        case 6:
            let i = Int.random(in: 8..<lines.count, using: &rng)
            var fields = lines[i].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard !fields.isEmpty else { return (text, "empty line") }
            let f = Int.random(in: 0..<fields.count, using: &rng)
            let v = pick(Self.badNumbers)
            fields[f] = v
            lines[i] = fields.joined(separator: " ")
            what = "line \(i + 1) field \(f + 1) = '\(v)'"
        default:
            let n = Int.random(in: 1..<lines.count, using: &rng)
            lines.removeSubrange(n...)
            what = "cut after line \(n)"
        }
        return (lines.joined(separator: "\n") + "\n", what)
    }

    /// Raw damage: a cut, flipped bits, a NUL or invalid UTF-8.
    mutating func mutateBytes(_ bytes: inout [UInt8]) -> String {
        guard !bytes.isEmpty else { return "empty" }
        let i = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: bytes.removeSubrange(i...); return "cut at byte \(i)"
        case 1:
            for _ in 0..<Int.random(in: 1...8, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }
            return "bits flipped from byte \(i)"
        case 2: bytes.insert(0, at: i); return "NUL inserted at byte \(i)"
        default: bytes.insert(contentsOf: [0xc3, 0x28, 0xff], at: i); return "invalid UTF-8 at byte \(i)"
        }
    }
}
