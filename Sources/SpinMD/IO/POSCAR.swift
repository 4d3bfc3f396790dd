import Foundation
import SpinMDCore

/// VASP POSCAR/CONTCAR (VASP 5 format, with the element-symbol line). `Selective dynamics`
/// flags (T/F after each position, F = fixed) become `MotionConstraints` in the lattice frame:
/// VASP applies them to the fractional coordinates, whichever coordinates the file uses.
public enum POSCAR {
    public static func read(path: String) throws -> AtomicSystem {
        guard FileManager.default.fileExists(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "structure") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SpinMDError.io(path: path, message: "cannot be read as UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> AtomicSystem {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        func words(_ k: Int) throws -> [String] {
            guard k < lines.count else { throw SpinMDError.parse(file: file, line: k + 1, message: "file ends early (POSCAR needs cell, species, counts and positions)") }
            return lines[k].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        func numbers(_ k: Int, _ count: Int, what: String) throws -> [Double] {
            let w = try words(k)
            let v = w.prefix(count).compactMap(Double.init)
            guard v.count == count, v.allSatisfy(\.isFinite) else {
                throw SpinMDError.parse(file: file, line: k + 1, message: "expected \(count) numbers (\(what)), found '\(lines[k].abbreviated())'")
            }
            return v
        }
        let scale = try numbers(1, 1, what: "scaling factor")[0]
        guard scale != 0 else { throw SpinMDError.parse(file: file, line: 2, message: "the scaling factor must not be 0 (a positive factor, or a negative target volume [Å³])") }
        var rows = try (2...4).map { try numbers($0, 3, what: "lattice vector") }
        var matrix = Matrix3(rows.flatMap { $0 })
        // A negative scale is the target volume [Å³].
        let factor = scale < 0 ? pow(-scale / abs(matrix.determinant), 1.0 / 3) : scale
        rows = rows.map { $0.map { $0 * factor } }
        matrix = Matrix3(rows.flatMap { $0 })
        let cell = try StructureCheck.cell(matrix, file: file, line: 3)
        var k = 5
        let symbolWords = try words(k)
        guard let first = symbolWords.first, Int(first) == nil else {
            throw SpinMDError.parse(file: file, line: k + 1, message: "expected element symbols (VASP 5 POSCAR); VASP 4 files without them are not supported")
        }
        var symbols: [Element] = []
        for w in symbolWords {
            let s = String(w.split(separator: "/").first ?? Substring(w))  // "Ni_pv" or "Ni/hash" from POTCAR names
            let base = String(s.split(separator: "_").first ?? Substring(s))
            guard let e = Element(symbol: base) else { throw SpinMDError.unknownElement(w.abbreviated(), location: "\(file):\(k + 1)") }
            symbols.append(e)
        }
        k += 1
        let countWords = try words(k)
        let counts = countWords.compactMap(Int.init)
        guard countWords.count == symbols.count, counts.count == symbols.count, counts.allSatisfy({ $0 >= 0 }) else {
            throw SpinMDError.parse(file: file, line: k + 1, message: "expected \(symbols.count) atom counts, one per element, found '\(lines[k].abbreviated())'")
        }
        guard counts.contains(where: { $0 > 0 }) else {
            throw SpinMDError.parse(file: file, line: k + 1, message: "the structure needs at least one atom, found the counts '\(lines[k].abbreviated())'")
        }
        // Each atom needs its own line (checked before looping over a possibly huge count).
        guard counts.allSatisfy({ $0 <= lines.count }) else {
            throw SpinMDError.parse(file: file, line: lines.count, message: "file ends early: the counts on line \(k + 1) announce more atoms than the file has lines")
        }
        k += 1
        var mode = try words(k).first?.lowercased() ?? ""
        let selective = mode.hasPrefix("s")
        if selective { k += 1; mode = try words(k).first?.lowercased() ?? "" }
        let direct: Bool
        if mode.hasPrefix("d") { direct = true } else if mode.hasPrefix("c") || mode.hasPrefix("k") { direct = false } else {
            throw SpinMDError.parse(file: file, line: k + 1, message: "expected 'Direct' or 'Cartesian', found '\(lines[k].abbreviated())'")
        }
        k += 1
        let firstAtomLine = k + 1
        var species: [Element] = []
        var positions: [Vector3] = []
        var fixedMask: [UInt8] = []
        for (e, c) in zip(symbols, counts) {
            for _ in 0..<c {
                let v = try numbers(k, 3, what: "atom position")
                if selective {
                    let w = try words(k)
                    var mask: UInt8 = 0
                    for d in 0..<3 {
                        switch w.count > 3 + d ? w[3 + d].uppercased() : "" {
                        case "T", ".TRUE.": break
                        case "F", ".FALSE.": mask |= 1 << d
                        default:
                            throw SpinMDError.parse(file: file, line: k + 1, message: "Selective dynamics needs three T/F flags after the position, found '\(lines[k].abbreviated())'")
                        }
                    }
                    fixedMask.append(mask)
                }
                let p = Vector3(v[0], v[1], v[2])
                positions.append(direct ? cell.cartesian(p) : p * factor)
                species.append(e)
                k += 1
            }
        }
        try StructureCheck.positions(positions, cell: cell, file: file) { firstAtomLine + $0 }
        var system = AtomicSystem(species: species, positions: positions, cell: cell)
        if selective { system.constraints = MotionConstraints(fixedMask: fixedMask, frame: .lattice, source: "POSCAR selective dynamics") }
        return system
    }
}
