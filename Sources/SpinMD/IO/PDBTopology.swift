import Foundation
import SpinMDCore

/// The topology written beside an AMBER NetCDF trajectory (`traj.nc` → `traj.pdb`): a PDB file of
/// the system at the start of the run, in the trajectory's orientation (a ∥ x, b in the xy-plane),
/// so that readers which take elements, names and masses from a topology rather than from the
/// trajectory's `atom_types` (MDAnalysis, chemfiles, ParmEd, mdtraj, cpptraj, OVITO, VMD) get
/// them; docs/trajectory-format.md gives each reader's line.
///
/// Records, in the columns of the PDB format v3.3 (wwPDB, "Atomic Coordinate Entry Format
/// Description", sections "CRYST1" and "ATOM"/"HETATM"):
/// - `TITLE` (columns 11–80): the trajectory's title, in ASCII.
/// - `CRYST1` (periodic systems only, as the trajectory's cell): a, b, c [Å] `%9.3f` in columns
///   7–33, α, β, γ [degrees] `%7.2f` in 34–54, space group `P 1` in 56–66, Z = 1 in 67–70.
/// - One `HETATM` per atom: serial in 7–11, atom name in 13–16 (the element symbol in capitals,
///   a one-letter symbol from column 14, a two-letter one from 13), residue name in 18–20 (the
///   symbol again), chain in 22, residue number in 23–26, x, y, z [Å] `%8.3f` in 31–54,
///   occupancy 1.00 in 55–60, temperature factor 0.00 in 61–66, element symbol right-justified
///   in 77–78. Each atom is a residue of its own, as ions are written, so atom names need not be
///   unique and cpptraj's bond search stays local.
/// - `END`.
///
/// Beyond the fixed columns (measured with the readers above, see docs/trajectory-format.md):
/// serials above 99,999 are written in hybrid-36 (`A0000` = 100,000), which all of them decode
/// and which OVITO needs (it pairs topology and trajectory atoms by serial only when the serials
/// run 1…N), up to `maximumAtomCount`. OVITO also merges residues of equal chain and number
/// (reordering the atoms), and MDAnalysis reads hybrid-36 residue numbers as missing but counts
/// on past wrapped ones: so the chain changes every 10,000 atoms (`A`–`Z`, `a`–`z`, `0`–`9`) and
/// the residue number, the atom's, wraps to 0 after 9,999 (`residue(_:atomCount:)`). A coordinate
/// or cell length too wide for three decimals is written with fewer (`12345.68`, `-1234.57`, …,
/// `99999999`), and one too wide for none is an error.
public enum PDBTopology {
    /// Most atoms a file can number: 99,999 decimal serials, then 2 × 26 × 36⁴ in hybrid-36.
    public static let maximumAtomCount = 99_999 + 2 * 26 * 36 * 36 * 36 * 36

    /// The topology's file name for a trajectory file: its extension replaced by `.pdb`.
    public static func fileName(forTrajectory file: String) -> String {
        (file as NSString).deletingPathExtension + ".pdb"
    }

    /// Writes the topology of `system` to `path`, atomically (a temporary file renamed).
    /// - Throws: `SpinMDError.io` naming `path` if the system does not fit the format (too many
    ///   atoms, a coordinate beyond −9,999,999…99,999,999 Å) or the file cannot be written.
    public static func write(_ system: AtomicSystem, title: String, to path: String) throws {
        try AtomicFile.write(try text(system, title: title, path: path), to: path)
    }

    /// The file's bytes; `path` only names the file in errors.
    public static func text(_ system: AtomicSystem, title: String, path: String) throws -> [UInt8] {
        guard system.atomCount <= maximumAtomCount else {
            throw SpinMDError.io(path: path, message: "the system has \(system.atomCount) atoms; a PDB topology numbers at most \(maximumAtomCount) (hybrid-36 serials)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(81 * (system.atomCount + 3))
        func append(_ s: String) { out += Array(s.utf8) }
        func number(_ x: Double, width: Int, decimals: Int, _ what: @autoclosure () -> String) throws {
            guard let text = fixed(x, width: width, decimals: decimals) else {
                throw SpinMDError.io(path: path, message: "\(what()) is \(x) Å, too wide for the \(width) columns of a PDB topology; the trajectory's topology cannot be written (an .extxyz trajectory has no such limit)")
            }
            out += text
        }

        let printable = title.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "?" }
        append("TITLE     " + String(printable.prefix(70)) + "\n")
        let (cell, rotation) = system.cell.standardOrientation()
        if cell.pbc.contains(true) {
            let l = cell.lengths, a = cell.anglesDegrees
            append("CRYST1")
            for (k, x) in [l.x, l.y, l.z].enumerated() { try number(x, width: 9, decimals: 3, "cell length \(["a", "b", "c"][k])") }
            append(String(format: "%7.2f%7.2f%7.2f P 1           1\n", a.x, a.y, a.z))
        }
        for i in 0..<system.atomCount {
            let symbol = system.species[i].symbol.uppercased()
            let r = rotation.apply(system.positions[i])
            append("HETATM")
            append(hybrid36(i + 1, width: 5)!)  // within maximumAtomCount (checked above)
            append(symbol.count == 1 ? "  \(symbol)   " : " \(symbol)   ")  // column 12, name in 13–16, altLoc in 17
            let (chain, residueNumber) = Self.residue(i, atomCount: system.atomCount)
            append(String(repeating: " ", count: 3 - symbol.count) + symbol + " " + String(chain))
            append(residueNumber + "    ")  // resSeq, iCode, 28–30
            for (k, x) in [r.x, r.y, r.z].enumerated() {
                try number(x, width: 8, decimals: 3, "coordinate \(["x", "y", "z"][k]) of atom \(i + 1) (\(system.species[i].symbol))")
            }
            append("  1.00  0.00          " + (symbol.count == 1 ? " " : "") + symbol + "\n")
        }
        append("END\n")
        return out
    }

    /// Chain identifiers, one per block of residues.
    static let chains = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// Chain (column 22) and residue number (columns 23–26) of atom `i` (from 0), unique together.
    /// Up to 620,000 atoms (10,000 per chain): chains of 10,000 atoms, numbered (i + 1) mod 10,000.
    /// Beyond: chains of 2,436,111 atoms (36 of them hold `maximumAtomCount`), numbered from 1 in
    /// hybrid-36 (which MDAnalysis reads as residue 1).
    static func residue(_ i: Int, atomCount: Int) -> (chain: Character, number: String) {
        if atomCount <= 10_000 * chains.count {
            let number = String((i + 1) % 10_000)
            return (chains[i / 10_000], String(repeating: " ", count: 4 - number.count) + number)
        }
        let block = 9_999 + 2 * 26 * 36 * 36 * 36  // hybrid-36 numbers of 4 characters
        return (chains[i / block], hybrid36(i % block + 1, width: 4)!)
    }

    /// `value` ≥ 0 in hybrid-36 of `width` characters (decimal below 10^width, then upper-case
    /// base 36 from `A00…`, then lower-case from `a00…`), right-justified; nil beyond its range.
    static func hybrid36(_ value: Int, width: Int) -> String? {
        let decimal = Int(pow(10.0, Double(width)))
        guard value >= decimal else { return value < 0 ? nil : String(repeating: " ", count: width - String(value).count) + String(value) }
        let block = 26 * Int(pow(36.0, Double(width - 1)))  // values per letter case
        var v = value - decimal
        var digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if v >= block { v -= block; digits = Array("0123456789abcdefghijklmnopqrstuvwxyz") }
        guard v < block else { return nil }
        v += 10 * block / 26  // skip the codes that start with a digit
        var text = ""
        for _ in 0..<width { text.insert(digits[v % 36], at: text.startIndex); v /= 36 }
        return text
    }

    /// `x` right-justified in `width` columns with `decimals` digits after the point, or the
    /// most that fit (none: no point); nil if not even the integer part fits, or x is not finite.
    static func fixed(_ x: Double, width: Int, decimals: Int) -> [UInt8]? {
        guard x.isFinite, abs(x) < 1e15 else { return nil }
        for d in stride(from: decimals, through: 0, by: -1) {
            let scale = UInt64(pow(10.0, Double(d)))
            let scaled = UInt64((abs(x) * Double(scale)).rounded())
            var text = (x < 0 && scaled != 0 ? "-" : "") + String(scaled / scale)
            if d > 0 {
                let fraction = String(scaled % scale)
                text += "." + String(repeating: "0", count: d - fraction.count) + fraction
            }
            if text.utf8.count <= width { return Array((String(repeating: " ", count: width - text.utf8.count) + text).utf8) }
        }
        return nil
    }
}
