import Foundation
import SpinMDCore

/// The initial magnetic moments of a VASP INCAR: `MAGMOM`, read as VASP reads it.
///
/// Syntax (VASP wiki, "INCAR"): `TAG = value` lines, tags case-insensitive; `#` or `!` starts a
/// comment; `;` separates tags on one line; a `\` at the end of a line continues the value.
/// MAGMOM has one value per atom (collinear), or three with `LNONCOLLINEAR = .TRUE.` or
/// `LSORBIT = .TRUE.`, with VASP's `count*value` repetitions. Every other tag is listed as ignored.
public enum INCAR {
    /// Tags spinmd reads; every other tag found is reported in `Moments.ignoredTags`.
    static let readTags: Set<String> = ["MAGMOM", "LNONCOLLINEAR", "LSORBIT", "SAXIS"]

    public struct Moments {
        public var moments: MagneticMoments
        /// Tags of the file spinmd does not use, in file order (upper case).
        public var ignoredTags: [String]
    }

    /// Reads MAGMOM for `atomCount` atoms; errors name the file and line.
    public static func readMoments(path: String, atomCount: Int) throws -> Moments {
        guard FileManager.default.fileExists(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "INCAR") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SpinMDError.io(path: path, message: "cannot be read as UTF-8 text")
        }
        return try moments(text, atomCount: atomCount, file: path)
    }

    /// Tag → (value, line) in file order, upper-case tags; a tag given twice is an error.
    static func tags(_ text: String, file: String) throws -> [(tag: String, value: String, line: Int)] {
        var result: [(tag: String, value: String, line: Int)] = []
        var firstLine: [String: Int] = [:]
        var pending = ""
        var pendingLine = 0
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            if let c = line.firstIndex(where: { $0 == "#" || $0 == "!" }) { line = String(line[..<c]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty { pendingLine = k + 1 }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let statement = pending + line
            pending = ""
            for part in statement.split(separator: ";") {
                let s = part.trimmingCharacters(in: .whitespaces)
                guard !s.isEmpty else { continue }
                guard let eq = s.firstIndex(of: "=") else {
                    throw SpinMDError.parse(file: file, line: pendingLine, message: "expected TAG = value, found '\(s.abbreviated())'")
                }
                let tag = s[..<eq].trimmingCharacters(in: .whitespaces).uppercased()
                let value = s[s.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                guard !tag.isEmpty, !tag.contains(" ") else {
                    throw SpinMDError.parse(file: file, line: pendingLine, message: "expected TAG = value, found '\(s.abbreviated())'")
                }
                if let first = firstLine[tag] {
                    throw SpinMDError.parse(file: file, line: pendingLine, message: "\(tag) is set twice (first on line \(first))")
                }
                firstLine[tag] = pendingLine
                result.append((tag, value, pendingLine))
            }
        }
        return result
    }

    /// A Fortran logical as VASP accepts it (.TRUE., T, .false., F, …).
    static func logical(_ value: String) -> Bool? {
        let v = value.uppercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if v.hasPrefix("T") { return true }
        if v.hasPrefix("F") { return false }
        return nil
    }

    static func moments(_ text: String, atomCount: Int, file: String) throws -> Moments {
        let all = try tags(text, file: file)
        func find(_ tag: String) -> (value: String, line: Int)? { all.first { $0.tag == tag }.map { ($0.value, $0.line) } }
        var noncollinear = false
        for tag in ["LNONCOLLINEAR", "LSORBIT"] {
            guard let t = find(tag) else { continue }
            guard let flag = logical(t.value) else {
                throw SpinMDError.parse(file: file, line: t.line, message: "\(tag) must be .TRUE. or .FALSE., found '\(t.value.abbreviated())'")
            }
            noncollinear = noncollinear || flag
        }
        if let saxis = find("SAXIS") {
            let v = saxis.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            // NOTE: with another SAXIS, VASP's moments are in a rotated spin frame; not converted.
            guard v.count == 3, v[0] == 0, v[1] == 0, v[2] > 0 else {
                throw SpinMDError.parse(file: file, line: saxis.line, message: "SAXIS = \(saxis.value.abbreviated()) is not supported (spinmd reads MAGMOM in Cartesian axes, SAXIS = 0 0 1)")
            }
        }
        guard let magmom = find("MAGMOM") else {
            throw SpinMDError.io(path: file, message: "has no MAGMOM; give the initial moments there or as initial_magmoms in the input")
        }
        let values: [Double]
        do { values = try MagmomParser.parse(magmom.value) } catch let e as SpinMDError {
            throw SpinMDError.parse(file: file, line: magmom.line, message: "bad MAGMOM: \(e.description)")
        }
        let width = noncollinear ? 3 : 1
        guard values.count == width * atomCount else {
            let what = noncollinear ? "3 values per atom (LNONCOLLINEAR)" : "one value per atom"
            throw SpinMDError.parse(file: file, line: magmom.line, message: "MAGMOM has \(values.count) values but the structure has \(atomCount) atoms (\(what))")
        }
        let moments: MagneticMoments = noncollinear
            ? .vector((0..<atomCount).map { Vector3(values[3 * $0], values[3 * $0 + 1], values[3 * $0 + 2]) })
            : .collinear(values)
        return Moments(moments: moments, ignoredTags: all.map(\.tag).filter { !readTags.contains($0) })
    }
}
