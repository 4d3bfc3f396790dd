import Foundation
import SpinMDCore

/// Reads AMBER NetCDF trajectories and restarts (spinmd's own and other programs'), converting
/// back to spinmd's units: Å, fs, Å/fs, eV/Å, μB.
public final class AmberTrajectoryReader {
    /// One frame.
    public struct Frame {
        /// [fs]
        public var time: Double?
        /// (atomCount, 3) [Å]
        public var positions: [Vector3]
        public var cell: Cell?
        /// (atomCount, 3) [Å/fs]
        public var velocities: [Vector3]?
        /// (atomCount, 3) [eV/Å]
        public var forces: [Vector3]?
        public var magneticMoments: MagneticMoments?
        /// (atomCount) [eV]
        public var atomicEnergies: [Double]?
    }

    public let path: String
    let file: NetCDFFile
    /// "AMBER" (trajectory) or "AMBERRESTART".
    public let conventions: String
    public let atomCount: Int
    /// Frames (1 for a restart file).
    public let frameCount: Int
    /// Elements from `atom_types` (atomic numbers), when the file has them.
    public let species: [Element]?
    var isRestart: Bool { conventions == "AMBERRESTART" }

    public init(path: String) throws {
        self.path = path
        file = try NetCDFFile(opening: path, writable: false)
        guard let c = file.textAttribute("Conventions"), c.split(separator: ",").contains(where: { $0.hasPrefix("AMBER") }) else {
            throw SpinMDError.io(path: path, message: "is not an AMBER NetCDF file (no Conventions = \"AMBER\")")
        }
        conventions = c.contains("AMBERRESTART") ? "AMBERRESTART" : "AMBER"
        guard let atoms = file.dimension("atom"), file.variable("coordinates") != nil else {
            throw SpinMDError.io(path: path, message: "has no atom dimension or coordinates variable")
        }
        atomCount = atoms.length
        frameCount = conventions == "AMBERRESTART" ? 1 : (file.dimension("frame")?.length ?? 0)
        if let t = file.variable("atom_types") {
            let z = try file.getInts(t, start: [0], count: [atoms.length])
            species = z.compactMap { Element(atomicNumber: Int($0)) }.count == z.count ? z.map { Element(atomicNumber: Int($0))! } : nil
        } else {
            species = nil
        }
    }

    /// The scale factor of a variable (1 when absent).
    func scale(_ v: Int32) -> Double { file.doubleAttribute("scale_factor", variable: v) ?? 1 }

    func vectors(_ name: String, frame k: Int) throws -> [Vector3]? {
        guard let v = file.variable(name) else { return nil }
        let values = isRestart ? try file.getDoubles(v, start: [0, 0], count: [atomCount, 3])
                               : try file.getDoubles(v, start: [k, 0, 0], count: [1, atomCount, 3])
        let s = scale(v)
        return (0..<atomCount).map { Vector3(values[3 * $0], values[3 * $0 + 1], values[3 * $0 + 2]) * s }
    }

    public func frame(_ k: Int) throws -> Frame {
        guard k >= 0 && k < frameCount else { throw SpinMDError.io(path: path, message: "has \(frameCount) frames; frame \(k) does not exist") }
        let start: [Int] = isRestart ? [] : [k]
        let one: [Int] = isRestart ? [] : [1]
        var frame = Frame(positions: try vectors("coordinates", frame: k)!)
        if let t = file.variable("time") { frame.time = try file.getDoubles(t, start: start, count: one).first.map { $0 * Units.femtosecondsPerPicosecond } }
        if let l = file.variable("cell_lengths"), let a = file.variable("cell_angles") {
            let lengths = try file.getDoubles(l, start: start + [0], count: one + [3])
            let angles = try file.getDoubles(a, start: start + [0], count: one + [3])
            if lengths.allSatisfy({ $0 > 0 }) {
                do {
                    frame.cell = try Cell(lengths: Vector3(lengths[0], lengths[1], lengths[2]), anglesDegrees: Vector3(angles[0], angles[1], angles[2]))
                } catch let e as SpinMDError {
                    throw SpinMDError.io(path: path, message: "frame \(k + 1): cell lengths \(lengths) Å and angles \(angles)° make no cell (\(e.description)); the file is damaged or truncated")
                }
            }
        }
        frame.velocities = try vectors("velocities", frame: k).map { $0.map { $0 / Units.femtosecondsPerPicosecond } }
        frame.forces = try vectors("forces", frame: k).map { $0.map { $0 / Units.kilocaloriesPerMolePerElectronvolt } }
        if let m = file.variable("magmoms") {
            if file.rank(m) == (isRestart ? 2 : 3) {
                frame.magneticMoments = .vector(try vectors("magmoms", frame: k)!)
            } else {
                frame.magneticMoments = .collinear(try file.getDoubles(m, start: start + [0], count: one + [atomCount]))
            }
        }
        if let e = file.variable("energies") {
            frame.atomicEnergies = try file.getDoubles(e, start: start + [0], count: one + [atomCount])
        }
        return frame
    }

    /// A frame as a system (species from `atom_types`; a cell-less frame gets a bounding box).
    public func system(_ k: Int) throws -> AtomicSystem {
        guard let species else { throw SpinMDError.io(path: path, message: "has no atom_types variable: elements unknown") }
        let f = try frame(k)
        let cell = try f.cell ?? ExtendedXYZ.boundingCell(f.positions)
        return AtomicSystem(species: species, positions: f.positions, cell: cell, velocities: f.velocities)
    }
}
