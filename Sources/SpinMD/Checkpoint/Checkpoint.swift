import Foundation
import SpinMDCore

/// spinmd's own restart point: everything needed to continue a run exactly where it stopped,
/// which AMBER restart files cannot hold (thermostat chain, random generator, neighbor-list
/// reference, step counter; later the latent spin state).
///
/// File layout (little-endian, like safetensors): the 8 bytes "SPINMDCK", a UInt64 header
/// length, a JSON header (format version, step, counts, generator state as hex,
/// and for each array its name, offset and length in Doubles), then the raw Double arrays.
/// Doubles are stored bit for bit, so a resumed run continues the same trajectory.
public struct Checkpoint: Equatable {
    public static let formatVersion = 1
    static let magic = Array("SPINMDCK".utf8)

    public var step: Int
    /// [fs]
    public var time: Double
    public var system: AtomicSystem
    /// Nosé–Hoover chain positions ξ_k and velocities v_ξk [1/fs], when there is a thermostat.
    public var thermostatPositions: [Double]?
    public var thermostatVelocities: [Double]?
    public var generator: SeededGenerator?
    /// Positions [Å] and cell the current neighbor list was built from.
    public var neighborReferencePositions: [Vector3]?
    public var neighborReferenceCell: Cell?
    /// Further named arrays (e.g. a potential's latent state).
    public var arrays: [String: [Double]] = [:]

    public init(step: Int, time: Double, system: AtomicSystem) {
        self.step = step
        self.time = time
        self.system = system
    }

    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.step == b.step && a.time == b.time && a.system.positions == b.system.positions && a.system.velocities == b.system.velocities
            && a.system.cell == b.system.cell && a.system.species == b.system.species && a.thermostatPositions == b.thermostatPositions
            && a.thermostatVelocities == b.thermostatVelocities && a.generator == b.generator
            && a.neighborReferencePositions == b.neighborReferencePositions && a.arrays == b.arrays
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
        if let p = thermostatPositions { tensors.append(("thermostat_positions", p)) }
        if let v = thermostatVelocities { tensors.append(("thermostat_velocities", v)) }
        if let r = neighborReferencePositions { tensors.append(("neighbor_reference_positions", r.flattened)) }
        if let c = neighborReferenceCell { tensors.append(("neighbor_reference_cell", c.matrix.flat)) }
        switch system.initialMagneticMoments {
        case let .collinear(m)?: tensors.append(("initial_magmoms_collinear", m))
        case let .vector(m)?: tensors.append(("initial_magmoms_vector", m.flattened))
        case nil: break
        }
        for (k, v) in arrays.sorted(by: { $0.key < $1.key }) { tensors.append(("array." + k, v)) }
        var layout: [String: [Int]] = [:]
        var offset = 0
        for (name, values) in tensors { layout[name] = [offset, values.count]; offset += values.count }
        var header: [String: Any] = [
            "format": "spinmd-checkpoint", "format_version": Self.formatVersion, "program_version": SpinMDVersion.string,
            "step": step, "atom_count": system.atomCount,
            "pbc": system.cell.pbc, "tensors": layout,
        ]
        if let g = generator {
            header["generator_state"] = [g.state.0, g.state.1, g.state.2, g.state.3].map { String($0, radix: 16) }
        }
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var out = Self.magic
        LittleEndian.append(UInt64(json.count), to: &out)
        out += json
        out.reserveCapacity(out.count + 8 * offset)
        for (_, values) in tensors { LittleEndian.append(values, to: &out) }
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
        let headerLength = Int(LittleEndian.uint64(bytes, at: 8))
        guard headerLength > 0, 16 + headerLength <= bytes.count else { throw bad("truncated header") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + headerLength)])) as? [String: Any] else { throw bad("unreadable header") }
        guard header["format_version"] as? Int == formatVersion else { throw bad("format version \(header["format_version"] ?? "?") (this spinmd reads \(formatVersion))") }
        guard let step = header["step"] as? Int, let pbc = header["pbc"] as? [Bool],
              let layout = header["tensors"] as? [String: [Int]] else { throw bad("header lacks step, pbc or tensors") }
        let dataStart = 16 + headerLength
        func tensor(_ name: String) throws -> [Double]? {
            guard let l = layout[name], l.count == 2 else { return nil }
            let start = dataStart + 8 * l[0], end = start + 8 * l[1]
            guard l[0] >= 0, l[1] >= 0, end <= bytes.count else { throw bad("array '\(name)' runs past the end (truncated file)") }
            return LittleEndian.doubles(bytes, start..<end)
        }
        func vectors(_ name: String) throws -> [Vector3]? {
            try tensor(name).map { v in stride(from: 0, to: v.count - 2, by: 3).map { Vector3(v[$0], v[$0 + 1], v[$0 + 2]) } }
        }
        guard let z = try tensor("atomic_numbers") else { throw bad("no atomic numbers") }
        let species = try z.map { guard let e = Element(atomicNumber: Int($0)) else { throw bad("atomic number \($0)") }; return e }
        guard let positions = try vectors("positions"), positions.count == species.count,
              let velocities = try vectors("velocities"), velocities.count == species.count,
              let masses = try tensor("masses"), let cellValues = try tensor("cell"), cellValues.count == 9,
              let time = try tensor("time_fs")?.first else { throw bad("missing positions, velocities, masses, cell or time") }
        var moments: MagneticMoments?
        if let m = try tensor("initial_magmoms_collinear") { moments = .collinear(m) }
        if let m = try vectors("initial_magmoms_vector") { moments = .vector(m) }
        let system = AtomicSystem(species: species, positions: positions, cell: try Cell(matrix: Matrix3(cellValues), pbc: pbc),
                                  velocities: velocities, masses: masses, initialMagneticMoments: moments)
        var c = Checkpoint(step: step, time: time, system: system)
        c.thermostatPositions = try tensor("thermostat_positions")
        c.thermostatVelocities = try tensor("thermostat_velocities")
        c.neighborReferencePositions = try vectors("neighbor_reference_positions")
        if let m = try tensor("neighbor_reference_cell") { c.neighborReferenceCell = try Cell(matrix: Matrix3(m), pbc: pbc) }
        if let g = header["generator_state"] as? [String], g.count == 4 {
            let words = g.compactMap { UInt64($0, radix: 16) }
            guard words.count == 4 else { throw bad("generator state") }
            var gen = SeededGenerator(seed: 0)
            gen.state = (words[0], words[1], words[2], words[3])
            c.generator = gen
        }
        for name in layout.keys where name.hasPrefix("array.") { c.arrays[String(name.dropFirst(6))] = try tensor(name) }
        return c
    }
}
