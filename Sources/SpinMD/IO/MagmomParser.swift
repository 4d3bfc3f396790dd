import SpinMDCore

/// VASP's MAGMOM syntax: whitespace-separated values with `count*value` repetitions,
/// e.g. "2*2 2*-2 4*0" → [2, 2, −2, −2, 0, 0, 0, 0].
public enum MagmomParser {
    /// Most values one string may expand to (a `count*value` repetition beyond it is refused
    /// before anything is allocated).
    public static let maximumCount = 10_000_000

    /// - Throws: a message describing the bad token (the caller adds the location).
    public static func parse(_ text: String) throws -> [Double] {
        var values: [Double] = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let parts = token.split(separator: "*", omittingEmptySubsequences: false)
            if parts.count == 1, let v = Double(parts[0]), v.isFinite {
                values.append(v)
            } else if parts.count == 2, let n = Int(parts[0]), n > 0, let v = Double(parts[1]), v.isFinite {
                guard n <= maximumCount - values.count else {
                    throw SpinMDError.unsupported("'\(token.abbreviated())' repeats a value more than \(maximumCount) times in all")
                }
                values += Array(repeating: v, count: n)
            } else {
                throw SpinMDError.unsupported("'\(token.abbreviated())' is neither a number nor count*value")
            }
            guard values.count <= maximumCount else { throw SpinMDError.unsupported("more than \(maximumCount) values") }
        }
        return values
    }
}
