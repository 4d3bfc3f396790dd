import CNetCDF
import SpinMDCore

/// Definitions shared by AMBER trajectories and restarts.
extension NetCDFFile {
    /// The global attributes of the AMBER convention; `conventions` is "AMBER" or "AMBERRESTART".
    func setAmberAttributes(conventions: String, title: String) throws {
        try setAttribute("title", title)
        try setAttribute("application", "spinmd")
        try setAttribute("program", "spinmd")
        try setAttribute("programVersion", SpinMDVersion.string)
        try setAttribute("Conventions", conventions)
        try setAttribute("ConventionVersion", "1.0")
    }

    /// Variable ids of the cell description.
    struct AmberCellVariables {
        var spatialLabels: Int32, angularLabels: Int32, lengths: Int32, angles: Int32
    }

    /// Defines cell_spatial, cell_angular, label and the cell variables, per frame when `frame`
    /// is given (trajectories) or once (restarts).
    func defineAmberCell(frame: Int32?) throws -> AmberCellVariables {
        let cellSpatial = try defineDimension("cell_spatial", length: 3)
        let cellAngular = try defineDimension("cell_angular", length: 3)
        let label = try defineDimension("label", length: 5)
        let leading = frame.map { [$0] } ?? []
        let v = AmberCellVariables(
            spatialLabels: try defineVariable("cell_spatial", type: NC_CHAR, dimensions: [cellSpatial]),
            angularLabels: try defineVariable("cell_angular", type: NC_CHAR, dimensions: [cellAngular, label]),
            lengths: try defineVariable("cell_lengths", type: NC_DOUBLE, dimensions: leading + [cellSpatial]),
            angles: try defineVariable("cell_angles", type: NC_DOUBLE, dimensions: leading + [cellAngular]))
        try setAttribute("units", "angstrom", variable: v.lengths)
        try setAttribute("units", "degree", variable: v.angles)
        return v
    }

    /// Writes the label variables (after definitions end).
    func putAmberCellLabels(_ v: AmberCellVariables) throws {
        try put(v.spatialLabels, start: [0], count: [3], text: "abc")
        try put(v.angularLabels, start: [0, 0], count: [3, 5], text: "alphabeta gamma")
    }

    /// Writes lengths and angles of `cell` at `start` (frame index for trajectories, empty for restarts).
    func putAmberCell(_ v: AmberCellVariables, _ cell: Cell, start: [Int]) throws {
        let l = cell.lengths, a = cell.anglesDegrees
        let one = start.map { _ in 1 }
        try put(v.lengths, start: start + [0], count: one + [3], doubles: [l.x, l.y, l.z])
        try put(v.angles, start: start + [0], count: one + [3], doubles: [a.x, a.y, a.z])
    }
}
