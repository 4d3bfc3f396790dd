import Foundation

/// Typed, located access to one JSON object of an input file.
///
/// Every getter records the key as used; `finish()` then rejects keys nobody asked for, with
/// the closest known key as a suggestion. Every error names the file, the line and the full
/// key path, e.g. `input.json:14: key 'md.timestep_fs': expected a positive number, got -1`.
public final class ConfigObject {
    public let file: String
    /// Dotted path of this object, "" for the root.
    public let path: String
    public let line: Int
    package let members: [(key: String, value: JSONValue.Located)]
    private(set) var known: [String] = []

    public init(_ located: JSONValue.Located, file: String, path: String = "") throws {
        guard case let .object(m) = located.value else {
            throw SpinMDError.invalidInput(location: "\(file):\(located.line)" + (path.isEmpty ? "" : ": key '\(path)'"),
                                           message: "expected an object, got \(located.value.typeName)")
        }
        self.file = file
        self.path = path
        self.line = located.line
        self.members = m
    }

    /// Reads and parses a JSON file as the root object.
    public static func load(path: String) throws -> ConfigObject {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "input") }
        guard let text = String(data: data, encoding: .utf8) else { throw SpinMDError.io(path: path, message: "is not UTF-8 text") }
        return try ConfigObject(JSONValue.parse(text, file: path), file: path)
    }

    public func fullKey(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// "file:line: key 'a.b'" for a key (its own line if present, else this object's); a long
    /// key is quoted abbreviated.
    public func location(_ key: String) -> String {
        "\(file):\(member(key)?.line ?? line): key '\(fullKey(key).abbreviated())'"
    }

    public func error(_ key: String, _ message: String) -> SpinMDError {
        .invalidInput(location: location(key), message: message)
    }

    /// An error at a line inside the key's value (e.g. one item of an array).
    public func error(_ key: String, line: Int, _ message: String) -> SpinMDError {
        .invalidInput(location: "\(file):\(line): key '\(fullKey(key).abbreviated())'", message: message)
    }

    /// The error for a required key that is absent: if an unknown key here looks like a typo of
    /// it (e.g. "stpes", or "timestep" without its unit), that key is reported instead.
    public func missing(_ key: String, _ expectation: String) -> SpinMDError {
        for (name, value) in members where !known.contains(name) {
            if Suggestion.closest(to: name, among: [key]) != nil {
                return error(name, line: value.line, "unknown key; did you mean '\(key)'?")
            }
        }
        return error(key, "is required (\(expectation))")
    }

    package func member(_ key: String) -> JSONValue.Located? { members.first { $0.key == key }?.value }

    /// Marks keys as known without reading them.
    public func declare(_ keys: String...) { known += keys }

    public func contains(_ key: String) -> Bool { known.append(key); return member(key) != nil }

    public func raw(_ key: String) -> JSONValue.Located? { known.append(key); return member(key) }

    // MARK: typed getters

    public func optionalDouble(_ key: String, _ check: NumberCheck = .any) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard case let .number(x) = v.value else { throw error(key, "expected a number, got \(v.value.typeName)") }
        try check.validate(x, key: key, in: self)
        return x
    }

    public func double(_ key: String, default d: Double? = nil, _ check: NumberCheck = .any) throws -> Double {
        if let x = try optionalDouble(key, check) { return x }
        guard let d else { throw missing(key, check.expectation) }
        return d
    }

    public func optionalInt(_ key: String, _ check: NumberCheck = .any) throws -> Int? {
        guard let x = try optionalDouble(key, check) else { return nil }
        guard x == x.rounded(), abs(x) < 1e15 else { throw error(key, "expected an integer, got \(x)") }
        return Int(x)
    }

    public func int(_ key: String, default d: Int? = nil, _ check: NumberCheck = .any) throws -> Int {
        if let x = try optionalInt(key, check) { return x }
        guard let d else { throw missing(key, "an integer") }
        return d
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard case let .string(s) = v.value else { throw error(key, "expected a string, got \(v.value.typeName)") }
        return s
    }

    public func string(_ key: String, default d: String? = nil) throws -> String {
        if let s = try optionalString(key) { return s }
        guard let d else { throw missing(key, "a string") }
        return d
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String], default d: String? = nil) throws -> String {
        let s = try string(key, default: d)
        guard choices.contains(s) else {
            let hint = Suggestion.closest(to: s, among: choices).map { " (did you mean '\($0)'?)" } ?? ""
            throw error(key, "expected one of \(choices.map { "'\($0)'" }.joined(separator: ", ")), got '\(s.abbreviated())'\(hint)")
        }
        return s
    }

    public func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = raw(key) else { return d }
        guard case let .bool(b) = v.value else { throw error(key, "expected true or false, got \(v.value.typeName)") }
        return b
    }

    public func optionalObject(_ key: String) throws -> ConfigObject? {
        guard let v = raw(key) else { return nil }
        return try ConfigObject(v, file: file, path: fullKey(key))
    }

    public func object(_ key: String) throws -> ConfigObject {
        guard let o = try optionalObject(key) else { throw missing(key, "an object") }
        return o
    }

    /// An array of numbers.
    public func optionalNumbers(_ key: String) throws -> [Double]? {
        guard let v = raw(key) else { return nil }
        guard case let .array(items) = v.value else { throw error(key, "expected an array of numbers, got \(v.value.typeName)") }
        return try items.enumerated().map { k, item in
            guard case let .number(x) = item.value, x.isFinite else {
                throw error("\(key)[\(k)]", line: item.line, "expected a number, got \(item.value.typeName)")
            }
            return x
        }
    }

    /// A string or an array of strings (e.g. one file or several), nil when absent.
    public func optionalStrings(_ key: String) throws -> [String]? {
        guard let v = raw(key) else { return nil }
        switch v.value {
        case let .string(s): return [s]
        case let .array(items):
            return try items.enumerated().map { k, item in
                guard case let .string(s) = item.value else {
                    throw error("\(key)[\(k)]", line: item.line, "expected a string, got \(item.value.typeName)")
                }
                return s
            }
        default: throw error(key, "expected a string or an array of strings, got \(v.value.typeName)")
        }
    }

    /// Every key of this object, in file order.
    public var keys: [String] { members.map(\.key) }

    /// A non-empty array of element symbols, e.g. ["Ni", "O"].
    public func elements(_ key: String) throws -> [Element] {
        guard let list = raw(key), case let .array(items) = list.value, !items.isEmpty else {
            throw missing(key, "an array of element symbols, e.g. [\"Ni\", \"O\"]")
        }
        return try items.map { item in
            guard case let .string(symbol) = item.value, let e = Element(symbol: symbol) else {
                throw error(key, line: item.line, "expected an element symbol such as \"Ni\"")
            }
            return e
        }
    }

    /// A time given in fs (`<base>_fs`) or ps (`<base>_ps`), returned in fs.
    public func optionalTime(_ base: String, _ check: NumberCheck = .positive) throws -> Double? {
        let fs = try optionalDouble(base + "_fs", check)
        let ps = try optionalDouble(base + "_ps", check)
        if fs != nil && ps != nil { throw error(base + "_ps", "give either '\(base)_fs' or '\(base)_ps', not both") }
        return fs ?? ps.map { $0 * Units.femtosecondsPerPicosecond }
    }

    /// Rejects keys that no getter asked for, suggesting the closest known one.
    public func finish() throws {
        for (key, value) in members where !known.contains(key) {
            var message = "unknown key"
            if let s = Suggestion.closest(to: key, among: known) {
                message += "; did you mean '\(s)'?"
            } else if !known.isEmpty {
                message += "; known keys here: \(Array(Set(known)).sorted().joined(separator: ", "))"
            }
            throw error(key, line: value.line, message)
        }
    }
}

/// A constraint on a number read from a configuration.
public struct NumberCheck: Sendable {
    public var minimum: Double?
    public var minimumInclusive = true
    public var maximum: Double?
    public var expectation: String

    public init(minimum: Double? = nil, minimumInclusive: Bool = true, maximum: Double? = nil, expectation: String) {
        self.minimum = minimum
        self.minimumInclusive = minimumInclusive
        self.maximum = maximum
        self.expectation = expectation
    }

    public static let any = NumberCheck(expectation: "a number")
    public static let positive = NumberCheck(minimum: 0, minimumInclusive: false, expectation: "a positive number")
    public static let nonNegative = NumberCheck(minimum: 0, expectation: "a number ≥ 0")
    public static func range(_ lo: Double, _ hi: Double) -> NumberCheck { NumberCheck(minimum: lo, maximum: hi, expectation: "a number in [\(lo), \(hi)]") }

    func validate(_ x: Double, key: String, in object: ConfigObject) throws {
        var ok = x.isFinite
        if let m = minimum { ok = ok && (minimumInclusive ? x >= m : x > m) }
        if let m = maximum { ok = ok && x <= m }
        if !ok { throw object.error(key, "expected \(expectation), got \(x)") }
    }
}

/// Closest-string suggestions for misspelled keys and values.
public enum Suggestion {
    /// Longest word compared: a longer one is no typo of a key, and the edit distance costs
    /// time ∝ its length × the candidate's.
    static let maximumLength = 100

    /// The candidate with the smallest edit distance, if it is close enough to be a likely typo.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        guard word.utf8.count <= maximumLength else { return nil }
        let scored = Set(candidates).map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        let sharesPrefix = best.0.lowercased().hasPrefix(word.lowercased()) || word.lowercased().hasPrefix(best.0.lowercased())
        return best.1 <= max(2, word.count / 3) || sharesPrefix ? best.0 : nil
    }

    /// Levenshtein distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }
}
