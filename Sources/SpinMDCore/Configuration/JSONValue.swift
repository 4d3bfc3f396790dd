import Foundation

/// A JSON document parsed with the line of every value, so configuration errors can name
/// the line they come from. Objects keep their key order.
public indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Located])
    case object([(key: String, value: Located)])

    /// A value and the 1-based line where it starts.
    public struct Located: Equatable {
        public var value: JSONValue
        public var line: Int

        package init(value: JSONValue, line: Int) { self.value = value; self.line = line }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    /// Name of the JSON type, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Deepest nesting of arrays and objects accepted: deeper documents are refused (the parser
    /// recurses once per level, and no spinmd input needs more than a few).
    public static let maximumDepth = 512

    /// Parses UTF-8 JSON text in time linear in its length; errors name `file`, the line and the
    /// column (in bytes). Nesting deeper than `maximumDepth` is refused.
    public static func parse(_ text: String, file: String) throws -> Located {
        var p = Parser(bytes: Array(text.utf8), file: file)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i < p.bytes.count { throw p.error("unexpected text after the JSON document") }
        return v
    }

    struct Parser {
        let bytes: [UInt8]
        let file: String
        var i = 0
        var line = 1
        /// Index of the first byte of the current line.
        var lineStart = 0
        /// Arrays and objects open around the current position.
        var depth = 0

        func error(_ m: String) -> SpinMDError {
            .parse(file: file, line: line, message: "invalid JSON: \(m) (column \(i - lineStart + 1))")
        }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\n"): line += 1; i += 1; lineStart = i
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): i += 1
                default: return
                }
            }
        }

        mutating func expect(_ c: Character) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c.asciiValue! else {
                throw error("expected '\(c)'" + (i < bytes.count ? " but found '\(Character(UnicodeScalar(bytes[i])))'" : " but the file ended"))
            }
            i += 1
        }

        mutating func value() throws -> Located {
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of file") }
            let start = line
            if bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[") {
                guard depth < JSONValue.maximumDepth else {
                    throw error("arrays and objects nested more than \(JSONValue.maximumDepth) levels deep")
                }
                depth += 1
            }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(key: String, value: Located)] = []
                var seen = Set<String>()
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return Located(value: .object(members), line: start) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                    let key = try string()
                    guard seen.insert(key).inserted else { throw error("duplicate key '\(key.abbreviated())'") }
                    try expect(":")
                    members.append((key, try value()))
                    skipSpace()
                    guard i < bytes.count else { throw error("unterminated object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                    throw error("expected ',' or '}' after the value of '\(key.abbreviated())'")
                }
                depth -= 1
                return Located(value: .object(members), line: start)
            case UInt8(ascii: "["):
                i += 1
                var items: [Located] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return Located(value: .array(items), line: start) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw error("unterminated array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                    throw error("expected ',' or ']' in an array")
                }
                depth -= 1
                return Located(value: .array(items), line: start)
            case UInt8(ascii: "\""):
                return Located(value: .string(try string()), line: start)
            case UInt8(ascii: "t"): try literal("true"); return Located(value: .bool(true), line: start)
            case UInt8(ascii: "f"): try literal("false"); return Located(value: .bool(false), line: start)
            case UInt8(ascii: "n"): try literal("null"); return Located(value: .null, line: start)
            default:
                return Located(value: .number(try number()), line: start)
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("unexpected token") }
            i += w.count
        }

        mutating func number() throws -> Double {
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > start, let s = String(bytes: bytes[start..<i], encoding: .utf8), let v = Double(s) else {
                let c = i < bytes.count ? String(UnicodeScalar(bytes[i])) : "end of file"
                throw error("unexpected '\(c)' (strings need double quotes)")
            }
            guard v.isFinite else { throw error("number \(s.abbreviated()) is out of range") }
            return v
        }

        mutating func string() throws -> String {
            i += 1  // opening quote
            var out = [UInt8]()
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\n") { throw error("newline inside a string") }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { break }
                    switch bytes[i] {
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "f"): out.append(12)
                    case UInt8(ascii: "u"):
                        guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16),
                              let scalar = UnicodeScalar(code) else { throw error("bad \\u escape") }
                        out += Array(String(Character(scalar)).utf8)
                        i += 4
                    default: out.append(bytes[i])
                    }
                    i += 1
                    continue
                }
                out.append(c)
                i += 1
            }
            throw error("unterminated string")
        }
    }
}
