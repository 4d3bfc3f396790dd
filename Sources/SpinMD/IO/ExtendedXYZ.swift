import Foundation
import SpinMDCore

/// Extended XYZ as ASE writes it: a count line, a comment line of key=value pairs (`Lattice`,
/// `Properties`, `pbc`, `energy`, `stress`, ...), and one line per atom with the columns that
/// `Properties` names.
public enum ExtendedXYZ {
    /// One frame: the structure plus every per-frame (`info`) and per-atom (`arrays`) value read.
    public struct Frame {
        public var system: AtomicSystem
        /// Comment-line values as written (quotes removed).
        public var info: [String: String]
        /// Real-valued per-atom columns by property name, e.g. "forces" → (atomCount, 3).
        public var arrays: [String: [[Double]]]
        /// Line of the frame's atom-count line in its file (1-based).
        public var line: Int
    }

    /// ASE's time unit in fs: Å·√(amu/eV). ASE's `momenta` are amu·Å per that unit.
    public static let aseTimeUnit: Double = 1e15 * 1e-10 * (Units.atomicMassUnit / Units.elementaryCharge).squareRoot()

    /// Reads every frame of a file.
    public static func read(path: String) throws -> [Frame] {
        guard FileManager.default.fileExists(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "structure") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SpinMDError.io(path: path, message: "cannot be read as UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses extended XYZ text; `file` names the source in error messages. Every frame needs at
    /// least one atom and exactly the lines its count announces.
    public static func parse(_ text: String, file: String) throws -> [Frame] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        var frames: [Frame] = []
        var k = 0
        while k < lines.count {
            if lines[k].trimmingCharacters(in: .whitespaces).isEmpty { k += 1; continue }
            guard let n = Int(lines[k].trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw SpinMDError.parse(file: file, line: k + 1, message: "expected the atom count of a frame, found '\(lines[k].abbreviated(40))'")
            }
            guard n >= 1 else {
                throw SpinMDError.parse(file: file, line: k + 1, message: "a frame needs at least one atom, found the atom count 0")
            }
            // The comment line and n atom lines must follow (written so that no huge n overflows).
            guard n <= lines.count - k - 2 else {
                throw SpinMDError.parse(file: file, line: lines.count, message: "file ends inside a frame of \(n) atoms that starts at line \(k + 1)")
            }
            frames.append(try parseFrame(count: n, comment: String(lines[k + 1]), atomLines: lines[(k + 2)..<(k + 2 + n)].map(String.init), firstLine: k + 1, file: file))
            k += 2 + n
        }
        if frames.isEmpty { throw SpinMDError.parse(file: file, line: 1, message: "no frames found") }
        return frames
    }

    /// The per-atom columns spinmd interprets, with the type and the component counts each must
    /// have; other columns are kept as read (any type, 1…`maximumComponents` components).
    static let knownColumns: [String: (type: Character, components: [Int])] = [
        "species": ("S", [1]), "pos": ("R", [3]), "masses": ("R", [1]), "Z": ("I", [1]), "numbers": ("I", [1]),
        "initial_magmoms": ("R", [1, 3]), "magmoms": ("R", [1, 3]), "forces": ("R", [3]),
        "velocities": ("R", [3]), "vel": ("R", [3]), "momenta": ("R", [3]), "move_mask": ("L", [1, 3]),
    ]
    /// Most components of one column.
    static let maximumComponents = 1000

    /// Splits a comment line into key=value pairs; values may be double-quoted.
    static func keyValues(_ line: String, file: String, lineNumber: Int) throws -> [String: String] {
        var result: [String: String] = [:]
        var chars = Array(line)[...]
        func skipSpace() { while let c = chars.first, c == " " || c == "\t" { chars.removeFirst() } }
        func token(stopAtEquals: Bool) throws -> String {
            skipSpace()
            if chars.first == "\"" {
                chars.removeFirst()
                guard let end = chars.firstIndex(of: "\"") else {
                    throw SpinMDError.parse(file: file, line: lineNumber, message: "unterminated quote in the comment line")
                }
                let s = String(chars[chars.startIndex..<end])
                chars = chars[(end + 1)...]
                return s
            }
            var s = ""
            while let c = chars.first, c != " ", c != "\t", !(stopAtEquals && c == "=") { s.append(c); chars.removeFirst() }
            return s
        }
        while true {
            skipSpace()
            if chars.isEmpty { break }
            let key = try token(stopAtEquals: true)
            skipSpace()
            if chars.first == "=" {
                chars.removeFirst()
                result[key] = try token(stopAtEquals: false)
            } else {
                result[key] = "T"  // a bare key is a true flag, as ASE reads it
            }
        }
        return result
    }

    static func parseFrame(count n: Int, comment: String, atomLines: [String], firstLine: Int, file: String) throws -> Frame {
        let commentLine = firstLine + 1
        var info = try keyValues(comment, file: file, lineNumber: commentLine)
        func take(_ key: String) -> String? {
            guard let k = info.keys.first(where: { $0.lowercased() == key.lowercased() }) else { return nil }
            return info.removeValue(forKey: k)
        }
        func fail(_ line: Int, _ message: String) -> SpinMDError { .parse(file: file, line: line, message: message) }
        // Columns.
        let properties = take("Properties") ?? "species:S:1:pos:R:3"
        let fields = properties.split(separator: ":").map(String.init)
        guard fields.count % 3 == 0 else {
            throw fail(commentLine, "Properties must be name:type:count triples, found '\(properties.abbreviated())'")
        }
        var columns: [(name: String, type: Character, count: Int)] = []
        for t in stride(from: 0, to: fields.count, by: 3) {
            let name = fields[t]
            guard let c = Int(fields[t + 2]), c > 0, c <= maximumComponents, fields[t + 1].count == 1, let type = fields[t + 1].first, "SRIL".contains(type) else {
                throw fail(commentLine, "bad Properties entry '\("\(name):\(fields[t + 1]):\(fields[t + 2])".abbreviated())' (expected name:S|R|I|L:count, count 1…\(maximumComponents))")
            }
            if let known = knownColumns[name], known.type != type || !known.components.contains(c) {
                let expected = known.components.map { "\(name):\(known.type):\($0)" }.joined(separator: " or ")
                throw fail(commentLine, "Properties column '\(name):\(type):\(c)' must be \(expected)")
            }
            guard !columns.contains(where: { $0.name == name }) else { throw fail(commentLine, "Properties names the column '\(name.abbreviated())' twice") }
            columns.append((name, type, c))
        }
        guard columns.contains(where: { $0.name == "pos" }) else { throw fail(commentLine, "Properties has no 'pos' column") }
        let width = columns.reduce(0) { $0 + $1.count }
        var species: [Element] = []
        var arrays: [String: [[Double]]] = [:]
        for (a, line) in atomLines.enumerated() {
            let lineNumber = commentLine + 1 + a
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count == width else {
                throw fail(lineNumber, "expected \(width) columns (\(properties.abbreviated())), found \(words.count)")
            }
            var w = 0
            for col in columns {
                let slice = words[w..<(w + col.count)]
                w += col.count
                if col.name == "species" || (col.type == "S" && col.name.lowercased() == "symbols") {
                    let symbol = String(words[w - col.count])
                    guard let e = Element(symbol: symbol) else { throw SpinMDError.unknownElement(symbol.abbreviated(), location: "\(file):\(lineNumber)") }
                    species.append(e)
                } else if col.type == "R" {
                    var values: [Double] = []
                    for s in slice {
                        guard let v = Double(s), v.isFinite else {
                            throw fail(lineNumber, "column '\(col.name)': '\(s.abbreviated())' is not a finite number")
                        }
                        if col.name == "masses" && !(v > 0 && v <= AtomicSystem.maximumMass) {
                            throw fail(lineNumber, "column 'masses': \(s.abbreviated()) is not a mass in (0, \(AtomicSystem.maximumMass)] amu")
                        }
                        values.append(v)
                    }
                    arrays[col.name, default: []].append(values)
                } else if col.type == "I" {
                    var values: [Double] = []
                    for s in slice {
                        guard let v = Int(s), abs(v) <= 1 << 52 else { throw fail(lineNumber, "column '\(col.name)': '\(s.abbreviated())' is not an integer") }
                        values.append(Double(v))
                    }
                    arrays[col.name, default: []].append(values)
                } else if col.type == "L" {
                    var values: [Double] = []
                    for s in slice {
                        guard let flag = logical(s) else { throw fail(lineNumber, "column '\(col.name)': '\(s.abbreviated())' is not T or F") }
                        values.append(flag ? 1 : 0)
                    }
                    arrays[col.name, default: []].append(values)
                }
            }
        }
        if species.count != n {
            if let z = arrays["Z"] ?? arrays["numbers"], z.count == n {
                species = try z.enumerated().map { a, v in
                    guard let e = Element(atomicNumber: Int(v[0])) else { throw SpinMDError.unknownElement("Z=\(Int(v[0]))", location: "\(file):\(commentLine + 1 + a)") }
                    return e
                }
            } else {
                throw fail(commentLine, "Properties has no 'species' column")
            }
        }
        // Known columns have their component counts (checked above) and one row per atom.
        let positions = arrays.removeValue(forKey: "pos")!.map { Vector3($0[0], $0[1], $0[2]) }
        // Cell and periodicity.
        var pbc = [false, false, false]
        let lattice = take("Lattice")
        if let p = take("pbc") {
            let flags = p.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(logical)
            guard flags.count == 3, let a = flags[0], let b = flags[1], let c = flags[2] else {
                throw fail(commentLine, "pbc must hold three T/F flags, found '\(p.abbreviated())'")
            }
            pbc = [a, b, c]
        } else if lattice != nil {
            pbc = [true, true, true]
        }
        let cell: Cell
        if let lattice {
            let words = lattice.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let v = words.compactMap { Double($0) }
            guard words.count == 9, v.count == 9, v.allSatisfy(\.isFinite) else {
                throw fail(commentLine, "Lattice must hold 9 numbers, all finite, found '\(lattice.abbreviated())'")
            }
            cell = try StructureCheck.cell(Matrix3(v), pbc: pbc, file: file, line: commentLine)
        } else {
            guard !pbc.contains(true) else { throw fail(commentLine, "periodic frame without a Lattice") }
            do { cell = try boundingCell(positions) } catch let e as SpinMDError {
                throw fail(commentLine, "no box encloses the positions (\(e.description))")
            }
        }
        var velocities: [Vector3]? = nil
        let masses = arrays["masses"]?.map { $0[0] }
        if let v = arrays["velocities"] ?? arrays["vel"] {
            velocities = v.map { Vector3($0[0], $0[1], $0[2]) }
        } else if let p = arrays["momenta"] {
            let m = masses ?? species.map(\.mass)
            velocities = zip(p, m).map { q, mass in Vector3(q[0], q[1], q[2]) / (mass * aseTimeUnit) }
        }
        var moments: MagneticMoments? = nil
        if let m = arrays["initial_magmoms"] {
            moments = m[0].count == 3 ? .vector(m.map { Vector3($0[0], $0[1], $0[2]) }) : .collinear(m.map { $0[0] })
        }
        try StructureCheck.positions(positions, cell: cell, file: file) { commentLine + 1 + $0 }
        var system = AtomicSystem(species: species, positions: positions, cell: cell, velocities: velocities,
                                  masses: masses, initialMagneticMoments: moments)
        // ASE's FixAtoms (move_mask:L:1) or FixCartesian (move_mask:L:3); T = free to move.
        if let m = arrays["move_mask"] {
            let mask = m.map { row in row.count == 1 ? (row[0] == 0 ? UInt8(7) : 0) : (0..<3).reduce(UInt8(0)) { $0 | (row[$1] == 0 ? 1 << $1 : 0) } }
            system.constraints = MotionConstraints(fixedMask: mask, frame: .cartesian, source: "extxyz move_mask")
        }
        return Frame(system: system, info: info, arrays: arrays, line: firstLine)
    }

    /// A T/F flag as ASE writes it (T, F, True, False in any case), nil for anything else.
    static func logical<S: StringProtocol>(_ s: S) -> Bool? {
        switch s.lowercased() {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }

    /// A non-periodic box enclosing a molecule with 10 Å of vacuum on each side.
    static func boundingCell(_ positions: [Vector3]) throws -> Cell {
        var lo = Vector3(repeating: .infinity), hi = Vector3(repeating: -.infinity)
        for r in positions { lo = pointwiseMin(lo, r); hi = pointwiseMax(hi, r) }
        let size = positions.isEmpty ? Vector3(repeating: 20) : hi - lo + Vector3(repeating: 20)
        return try Cell.orthorhombic(size.x, size.y, size.z, pbc: [false, false, false])
    }

    /// Formats one frame. Columns: species, pos, and (when given) move_mask, initial_magmoms, momenta
    /// (ASE units), forces [eV/Å], magmoms [μB]; info: energy [eV], stress [eV/Å³, ASE sign],
    /// plus `extra` key=value pairs. An energy that is not finite means unknown (e.g. a NetCDF
    /// frame without per-atom energies) and is omitted; writers of runs refuse non-finite
    /// values before they get here (`Snapshot.requireFinite`). Numbers have 10 decimals.
    public static func format(_ system: AtomicSystem, result: PotentialResult? = nil, extra: [(String, String)] = [],
                              executor: ParallelExecutor = ParallelExecutor(threads: 1)) -> String {
        String(decoding: formatBytes(system, result: result, extra: extra, executor: executor), as: UTF8.self)
    }

    /// `format` as UTF-8 bytes (what the writers use: no intermediate String for large frames);
    /// with `exact`, every number in its shortest text that reads back bit for bit.
    public static func formatBytes(_ system: AtomicSystem, result: PotentialResult? = nil, extra: [(String, String)] = [],
                                   exact: Bool = false, executor: ParallelExecutor = ParallelExecutor(threads: 1)) -> [UInt8] {
        func fmt(_ x: Double) -> String { exact ? x.description : DecimalFormatter.string(x) }
        @inline(__always) func append(_ x: Double, to out: inout [UInt8]) {
            if exact { out += Array(x.description.utf8) } else { DecimalFormatter.append(x, to: &out) }
        }
        var properties = "species:S:1:pos:R:3"
        let moveMask = moveMaskRows(system)
        if let m = moveMask { properties += ":move_mask:L:\(m[0].count)" }
        let moments = system.initialMagneticMoments
        if let m = moments { properties += ":initial_magmoms:R:\(m.vectorWidth)" }
        let hasVelocities = system.velocities.contains { $0 != .zero }
        if hasVelocities { properties += ":momenta:R:3" }
        if result?.forces != nil { properties += ":forces:R:3" }
        if let m = result?.magneticMoments { properties += ":magmoms:R:\(m.vectorWidth)" }
        let lattice = system.cell.matrix.flat.map { fmt($0) }.joined(separator: " ")
        var comment = "Lattice=\"\(lattice)\" Properties=\(properties)"
        if let r = result {
            if r.energy.isFinite { comment += " energy=\(fmt(r.energy))" }
            if let s = r.stress(volume: system.cell.volume) {
                comment += " stress=\"\(s.flat.map { fmt($0) }.joined(separator: " "))\""
            }
        }
        for (k, v) in extra { comment += v.contains(" ") ? " \(k)=\"\(v)\"" : " \(k)=\(v)" }
        comment += " pbc=\"\(system.cell.pbc.map { $0 ? "T" : "F" }.joined(separator: " "))\""
        let initial = moments.map(momentRows)
        let predicted = result?.magneticMoments.map(momentRows)
        let forces = result?.forces
        let space = UInt8(ascii: " ")
        /// Lines of atoms `range`.
        func lines(_ range: Range<Int>) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(range.count * 200)
            func put(_ values: Vector3) {
                for k in 0..<3 { out.append(space); append(values[k], to: &out) }
            }
            for i in range {
                out += Array(system.species[i].symbol.padding(toLength: 2, withPad: " ", startingAt: 0).utf8)
                put(system.positions[i])
                if let m = moveMask { for free in m[i] { out += [space, UInt8(ascii: free ? "T" : "F")] } }
                if let m = initial { for v in m[i] { out.append(space); append(v, to: &out) } }
                if hasVelocities { put(system.masses[i] * aseTimeUnit * system.velocities[i]) }
                if let f = forces { put(f[i]) }
                if let m = predicted { for v in m[i] { out.append(space); append(v, to: &out) } }
                out.append(UInt8(ascii: "\n"))
            }
            return out
        }
        // Slices formatted in parallel, joined in order.
        let n = system.atomCount
        let parts = executor.threads > 1 && n >= 4096 ? executor.threads : 1
        var pieces = [[UInt8]](repeating: [], count: parts)
        pieces.withUnsafeMutableBufferPointer { p in
            executor.forEachSlice(of: parts, grain: 1) { r in for c in r { p[c] = lines((n * c / parts)..<(n * (c + 1) / parts)) } }
        }
        var out = Array("\(n)\n\(comment)\n".utf8)
        out.reserveCapacity(out.count + pieces.reduce(0) { $0 + $1.count })
        for piece in pieces { out += piece }
        return out
    }

    /// ASE's `move_mask` rows (true = free): one flag per atom when only whole atoms are fixed,
    /// three (Cartesian) otherwise; nil when nothing is fixed or when the constraints cannot be
    /// written (`canWriteMoveMask`).
    static func moveMaskRows(_ system: AtomicSystem) -> [[Bool]]? {
        guard let c = system.constraints, !c.isEmpty, canWriteMoveMask(system) else { return nil }
        if c.fixesWholeAtomsOnly { return c.fixedMask.map { [$0 == 0] } }
        return c.fixedMask.map { mask in (0..<3).map { mask & (1 << $0) == 0 } }
    }

    /// False when some atom is fixed along lattice directions (POSCAR selective dynamics) of a
    /// cell whose vectors are not along x, y, z (off-diagonal elements above 10⁻⁹ of the largest):
    /// those have no Cartesian `move_mask` (ASE's `FixScaled` is not stored in extxyz).
    public static func canWriteMoveMask(_ system: AtomicSystem) -> Bool {
        guard let c = system.constraints, c.frame == .lattice, !c.fixesWholeAtomsOnly else { return true }
        let h = system.cell.matrix
        let offDiagonal = [h[0, 1], h[0, 2], h[1, 0], h[1, 2], h[2, 0], h[2, 1]].map(abs).max()!
        return offDiagonal <= 1e-9 * h.maxAbs
    }

    static func momentRows(_ m: MagneticMoments) -> [[Double]] {
        switch m {
        case let .collinear(v): v.map { [$0] }
        case let .vector(v): v.map { [$0.x, $0.y, $0.z] }
        }
    }

}

extension MagneticMoments {
    /// Columns per atom: 1 for collinear, 3 for vectors.
    var vectorWidth: Int { if case .vector = self { return 3 } else { return 1 } }
}
