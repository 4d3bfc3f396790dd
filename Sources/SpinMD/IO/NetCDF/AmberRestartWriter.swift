import CNetCDF
import Foundation
import SpinMDCore

/// Writes AMBER NetCDF restart files (Conventions "AMBERRESTART"): one frame, no frame
/// dimension, double-precision coordinates and velocities. Each write goes to a temporary file
/// that is renamed over the previous restart, so a crash never leaves a broken one.
///
/// AMBER restarts cannot hold thermostat or random-generator state; spinmd's own checkpoint
/// (`Checkpoint`) is what `--resume` uses. Restarts are for other programs (AMBER, cpptraj, ...).
public final class AmberRestartWriter: Observer {
    public let trigger: Trigger
    public let path: String
    let title: String

    public init(path: String, trigger: Trigger, title: String) {
        self.path = path
        self.trigger = trigger
        self.title = title
    }

    public func observe(_ s: Snapshot) throws {
        try s.requireFinite([.cell, .positions, .velocities], writing: path)
        let temporary = (path as NSString).deletingLastPathComponent + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        try Self.write(s.system, time: s.time, to: temporary, title: title)
        guard rename(temporary, path) == 0 else { throw SpinMDError.io(path: path, message: String(cString: strerror(errno))) }
    }

    /// Writes one restart file.
    /// - Parameter time: [fs]
    public static func write(_ system: AtomicSystem, time: Double, to path: String, title: String) throws {
        let file = try NetCDFFile(creating: path, overwrite: true)
        let n = system.atomCount
        let (cell, rotation) = system.cell.standardOrientation()
        let periodic = system.cell.pbc.contains(true)
        let spatial = try file.defineDimension("spatial", length: 3)
        let atom = try file.defineDimension("atom", length: n)
        try file.setAmberAttributes(conventions: "AMBERRESTART", title: title)
        let spatialVar = try file.defineVariable("spatial", type: NC_CHAR, dimensions: [spatial])
        let timeVar = try file.defineVariable("time", type: NC_DOUBLE, dimensions: [])
        try file.setAttribute("units", "picosecond", variable: timeVar)
        let coordinates = try file.defineVariable("coordinates", type: NC_DOUBLE, dimensions: [atom, spatial])
        try file.setAttribute("units", "angstrom", variable: coordinates)
        let velocities = try file.defineVariable("velocities", type: NC_DOUBLE, dimensions: [atom, spatial])
        try file.setAttribute("units", "angstrom/picosecond", variable: velocities)
        try file.setAttribute("scale_factor", Units.amberVelocityScale, variable: velocities)
        let types = try file.defineVariable("atom_types", type: NC_INT, dimensions: [atom])
        let cellVariables = periodic ? try file.defineAmberCell(frame: nil) : nil
        try file.endDefinitions()
        try file.put(spatialVar, start: [0], count: [3], text: "xyz")
        try file.put(timeVar, start: [], count: [], doubles: [time / Units.femtosecondsPerPicosecond])
        let scale = Units.femtosecondsPerPicosecond / Units.amberVelocityScale
        try file.put(coordinates, start: [0, 0], count: [n, 3], doubles: system.positions.map { rotation.apply($0) }.flattened)
        try file.put(velocities, start: [0, 0], count: [n, 3], doubles: system.velocities.map { rotation.apply($0) * scale }.flattened)
        try file.put(types, start: [0], count: [n], ints: system.species.map { Int32($0.atomicNumber) })
        if let c = cellVariables {
            try file.putAmberCellLabels(c)
            try file.putAmberCell(c, cell, start: [])
        }
        try file.close()
    }
}
