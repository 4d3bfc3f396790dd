import SpinMDCore

/// A structure file's cell and positions, checked as a reader must. The cell: nine finite
/// numbers, no lattice vector of zero length, and a non-degenerate cell, i.e. a volume V [Å³] with
/// V / (|a| |b| |c|) ≥ `minimumVolumeRatio` (the product of the sines of the cell's angles, about;
/// flat or needle cells would make neighbour binning and wrapping meaningless). The positions:
/// those a neighbour list can take (`CellListBuilder.firstInvalidPosition`).
enum StructureCheck {
    static let minimumVolumeRatio = 1e-6

    /// A cell from row vectors `matrix` [Å]; errors name `file` and `line`.
    static func cell(_ matrix: Matrix3, pbc: [Bool] = [true, true, true], file: String, line: Int) throws -> Cell {
        func fail(_ m: String) -> SpinMDError { .parse(file: file, line: line, message: m) }
        guard matrix.isFinite else { throw fail("the lattice vectors must be finite numbers, got \(matrix.flat)") }
        let lengths = (0..<3).map { matrix[$0].norm }
        guard lengths.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw fail("every lattice vector needs a non-zero finite length, got lengths \(lengths) Å")
        }
        let ratio = abs(matrix.determinant) / (lengths[0] * lengths[1] * lengths[2])
        guard ratio.isFinite, ratio >= minimumVolumeRatio else {
            throw fail("the lattice vectors are (nearly) linearly dependent: the cell is flat (volume \(matrix.determinant) Å³)")
        }
        do { return try Cell(matrix: matrix, pbc: pbc) } catch let e as SpinMDError { throw fail(e.description) }
    }

    /// Refuses the first position a neighbour list cannot take; `line(i)` is atom i's line.
    static func positions(_ positions: [Vector3], cell: Cell, file: String, line: (Int) -> Int) throws {
        if let (i, problem) = CellListBuilder.firstInvalidPosition(positions, cell: cell) {
            throw SpinMDError.parse(file: file, line: line(i), message: "atom \(i + 1) \(problem)")
        }
    }
}
