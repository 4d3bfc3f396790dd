/// Every error spinmd reports to a user. Each description is one line that names where the
/// problem is (file, line, JSON key) and what was expected.
public enum SpinMDError: Error, CustomStringConvertible, Equatable {
    /// A value in an input file is wrong. `location` is e.g. "input.json:12: key 'md.timestep_fs'".
    case invalidInput(location: String, message: String)
    /// A structure or data file cannot be parsed.
    case parse(file: String, line: Int, message: String)
    case fileNotFound(path: String, role: String)
    case io(path: String, message: String)
    case invalidCell(String)
    case unknownElement(String, location: String)
    case unsupportedSpecies(potential: String, symbol: String)
    case overlappingAtoms(i: Int, j: Int, distance: Double, minimum: Double)
    case nonFinite(quantity: String, step: Int, atom: Int)
    /// A run left what its input allows (a runaway or a non-finite state) at `step`; `message`
    /// names the worst atom, the limit crossed and the key that sets it.
    case runaway(step: Int, message: String)
    case unsupported(String)
    /// An iterative solution (e.g. self-consistent spins) did not converge; the message says
    /// how far it got and which setting to change.
    case notConverged(String)

    public var description: String {
        switch self {
        case let .invalidInput(location, message): return "\(location): \(message)"
        case let .parse(file, line, message): return "\(file):\(line): \(message)"
        case let .fileNotFound(path, role): return "\(role) file '\(path)' does not exist"
        case let .io(path, message): return "\(path): \(message)"
        case let .invalidCell(m): return "invalid cell: \(m)"
        case let .unknownElement(s, location): return "\(location): unknown element '\(s)'"
        case let .unsupportedSpecies(p, s): return "the \(p) potential has no parameters for element \(s)"
        case let .overlappingAtoms(i, j, d, m):
            return String(format: "atoms %d and %d overlap: distance %.4f Å is below %.2f Å (check the structure's units and cell)", i + 1, j + 1, d, m)
        case let .nonFinite(q, step, atom):
            return "non-finite \(q) on atom \(atom + 1) at step \(step): the simulation blew up (timestep too large, atoms too close, or a bad potential)"
        case let .runaway(step, message): return "the run blew up at step \(step): \(message)"
        case let .unsupported(m), let .notConverged(m): return m
        }
    }
}
