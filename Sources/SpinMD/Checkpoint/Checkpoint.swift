import Foundation
import SpinMDCore

/// spinmd's own restart point: everything needed to continue a run exactly where it stopped,
/// which AMBER restart files cannot hold (thermostat chain, random generator, neighbor-list
/// reference, the potential's latent state, how much of each output file belongs to the run).
///
/// The atoms (step, time, positions, velocities, masses, cell) are the core; everything else is
/// in named sections, one per `Checkpointable` part of the run (see `RunState`).
///
/// File layout (little-endian, like safetensors): the 8 bytes "SPINMDCK", a UInt64 header
/// length, a JSON header (format version, step, counts, each array's name, offset and length in
/// Doubles, each section's words as hex, and the `RunFingerprint` of the input that wrote it),
/// the raw Double arrays, and last the CRC-64 (`CRC64`) of every byte before it as a UInt64.
/// A section's array `a` of section `s` is stored as "s/a". Doubles are stored bit for bit, so
/// a resumed run continues the same trajectory.
/// NOTE: formats 1 (no output-file lengths) and 2 (no fingerprint or checksum) are refused with
/// a message rather than resumed with settings or bytes nobody can check.
public struct Checkpoint: Equatable {
    public static let formatVersion = 3
    static let magic = Array("SPINMDCK".utf8)

    public var step: Int
    /// [fs]
    public var time: Double
    public var system: AtomicSystem
    /// The parts' states by section name.
    public var sections: [String: CheckpointSection] = [:]
    /// The settings of the input that wrote it (`--resume` refuses other settings).
    public var fingerprint = RunFingerprint(settings: [:])

    public init(step: Int, time: Double, system: AtomicSystem) {
        self.step = step
        self.time = time
        self.system = system
    }

    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.step == b.step && a.time == b.time && a.system.positions == b.system.positions && a.system.velocities == b.system.velocities
            && a.system.cell == b.system.cell && a.system.species == b.system.species && a.sections == b.sections
            && a.fingerprint == b.fingerprint
    }

    /// Serialised bytes.
    public func encoded() throws -> [UInt8] {
        var tensors: [(String, [Double])] = [
            ("positions", system.positions.flattened),
            ("velocities", system.velocities.flattened),
            ("masses", system.masses),
            ("atomic_numbers", system.species.map { Double($0.atomicNumber) }),
            ("cell", system.cell.matrix.flat),
            ("time_fs", [time]),
        ]
        switch system.initialMagneticMoments {
        case let .collinear(m)?: tensors.append(("initial_magmoms_collinear", m))
        case let .vector(m)?: tensors.append(("initial_magmoms_vector", m.flattened))
        case nil: break
        }
        var words: [String: [String]] = [:]
        for (name, section) in sections.sorted(by: { $0.key < $1.key }) {
            precondition(!name.contains("/"), "section names hold no '/'")
            for (k, v) in section.arrays.sorted(by: { $0.key < $1.key }) { tensors.append((name + "/" + k, v)) }
            for (k, w) in section.words { words[name + "/" + k] = w.map { String($0, radix: 16) } }
        }
        var layout: [String: [Int]] = [:]
        var offset = 0
        for (name, values) in tensors { layout[name] = [offset, values.count]; offset += values.count }
        let header: [String: Any] = [
            "format": "spinmd-checkpoint", "format_version": Self.formatVersion, "program_version": SpinMDVersion.string,
            "step": step, "atom_count": system.atomCount,
            "pbc": system.cell.pbc, "tensors": layout, "words": words, "settings": fingerprint.settings,
        ]
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var out = Self.magic
        LittleEndian.append(UInt64(json.count), to: &out)
        out += json
        out.reserveCapacity(out.count + 8 * offset)
        for (_, values) in tensors { LittleEndian.append(values, to: &out) }
        LittleEndian.append(CRC64.checksum(out), to: &out)
        return out
    }

    /// Writes atomically: a temporary file renamed over `path`.
    public func write(to path: String) throws { try AtomicFile.write(try encoded(), to: path) }

    public static func read(path: String) throws -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "checkpoint") }
        return try decode([UInt8](data), path: path)
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid spinmd checkpoint: \(why)") }
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else { throw bad("wrong magic bytes") }
        guard let headerLength = Int(exactly: LittleEndian.uint64(bytes, at: 8)), headerLength > 0, headerLength <= bytes.count - 16 else { throw bad("truncated header") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + headerLength)])) as? [String: Any] else { throw bad("unreadable header") }
        let version = header["format_version"] as? Int
        if version == 1 || version == 2 {
            let lacks = version == 1 ? "how much of each output file the checkpoint covers" : "the settings of the run or a checksum of the file"
            throw bad("format version \(version!), written by an earlier spinmd that did not record \(lacks); this spinmd cannot resume it (start the run again, or finish it with the spinmd that wrote it)")
        }
        guard version == formatVersion else { throw bad("format version \("\(header["format_version"] ?? "?")".abbreviated()) (this spinmd reads \(formatVersion))") }
        guard bytes.count >= 16 + headerLength + 8,
              CRC64.checksum(bytes[0..<(bytes.count - 8)]) == LittleEndian.uint64(bytes, at: bytes.count - 8) else {
            throw bad("its checksum does not match its contents: the file was changed or damaged after spinmd wrote it (truncated, edited or corrupted)")
        }
        guard let step = header["step"] as? Int, let pbc = header["pbc"] as? [Bool], pbc.count == 3,
              let layout = header["tensors"] as? [String: [Int]],
              let settings = header["settings"] as? [String: String] else { throw bad("header lacks step, pbc, tensors or settings") }
        let dataStart = 16 + headerLength, dataEnd = bytes.count - 8
        func tensor(_ name: String) throws -> [Double]? {
            guard let l = layout[name], l.count == 2 else { return nil }
            let room = (dataEnd - dataStart) / 8
            guard l[0] >= 0, l[1] >= 0, l[0] <= room, l[1] <= room - l[0] else { throw bad("array '\(name)' runs past the end (truncated file)") }
            let start = dataStart + 8 * l[0], end = start + 8 * l[1]
            return LittleEndian.doubles(bytes, start..<end)
        }
        func vectors(_ name: String) throws -> [Vector3]? {
            try tensor(name).map { v in stride(from: 0, to: v.count - 2, by: 3).map { Vector3(v[$0], v[$0 + 1], v[$0 + 2]) } }
        }
        guard let z = try tensor("atomic_numbers") else { throw bad("no atomic numbers") }
        let species = try z.map { guard let n = Int(exactly: $0), let e = Element(atomicNumber: n) else { throw bad("atomic number \($0)") }; return e }
        guard let positions = try vectors("positions"), positions.count == species.count,
              let velocities = try vectors("velocities"), velocities.count == species.count,
              let masses = try tensor("masses"), let cellValues = try tensor("cell"), cellValues.count == 9,
              let time = try tensor("time_fs")?.first else { throw bad("missing positions, velocities, masses, cell or time") }
        guard masses.count == species.count else { throw bad("field 'masses' has \(masses.count) values for \(species.count) atoms") }
        if let k = masses.firstIndex(where: { !($0 > 0 && $0 <= AtomicSystem.maximumMass) }) { throw bad("field 'masses': atom \(k + 1) has mass \(masses[k]) amu (expected a mass in (0, \(AtomicSystem.maximumMass)])") }
        if let k = positions.firstIndex(where: { !$0.isFinite }) { throw bad("field 'positions': atom \(k + 1) is not finite") }
        if let k = velocities.firstIndex(where: { !$0.isFinite }) { throw bad("field 'velocities': atom \(k + 1) is not finite") }
        guard cellValues.allSatisfy(\.isFinite), time.isFinite, step >= 0 else { throw bad("field 'cell', 'time_fs' or 'step' is not finite or negative") }
        var moments: MagneticMoments?
        if let m = try tensor("initial_magmoms_collinear") { moments = .collinear(m) }
        if let m = try vectors("initial_magmoms_vector") { moments = .vector(m) }
        let system = AtomicSystem(species: species, positions: positions, cell: try Cell(matrix: Matrix3(cellValues), pbc: pbc),
                                  velocities: velocities, masses: masses, initialMagneticMoments: moments)
        var c = Checkpoint(step: step, time: time, system: system)
        c.fingerprint = RunFingerprint(settings: settings)
        func section(_ key: String) throws -> (String, String) {
            guard let slash = key.firstIndex(of: "/") else { throw bad("entry '\(key)' names no section") }
            return (String(key[..<slash]), String(key[key.index(after: slash)...]))
        }
        for key in layout.keys where key.contains("/") {
            let (name, array) = try section(key)
            c.sections[name, default: CheckpointSection()].arrays[array] = try tensor(key)
        }
        for (key, value) in header["words"] as? [String: [String]] ?? [:] {
            let (name, word) = try section(key)
            let w = value.compactMap { UInt64($0, radix: 16) }
            guard w.count == value.count else { throw bad("words '\(key)'") }
            c.sections[name, default: CheckpointSection()].words[word] = w
        }
        return c
    }
}
