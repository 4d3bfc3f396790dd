import Foundation
import SpinMDCore

/// A JSON document the fuzzer can edit and write back: objects keep their key order and may hold
/// one key twice, and `raw` holds text that is written as is (`NaN`, `1e999`, broken syntax), so
/// mutated inputs can be things no JSON library would produce.
indirect enum JSONTree: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONTree])
    case object([(key: String, value: JSONTree)])
    case raw(String)

    /// One step of a path: an object member (the first with that key) or an array element.
    enum Step: CustomStringConvertible, Sendable {
        case key(String)
        case index(Int)
        var description: String {
            switch self {
            case let .key(k): k
            case let .index(i): "[\(i)]"
            }
        }
    }
    typealias Path = [Step]

    init(_ v: JSONValue) {
        switch v {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .number(x): self = .number(x)
        case let .string(s): self = .string(s)
        case let .array(a): self = .array(a.map { JSONTree($0.value) })
        case let .object(o): self = .object(o.map { ($0.key, JSONTree($0.value.value)) })
        }
    }

    /// Parses JSON text with spinmd's own reader (line-aware, key order kept).
    static func parse(_ text: String) throws -> JSONTree { JSONTree(try JSONValue.parse(text, file: "base.json").value) }

    /// A path as a dotted key, e.g. `md.thermostat.temperature_K` or `structure.repeat[0]`.
    static func name(_ path: Path) -> String {
        path.reduce("") { s, step in
            if case .index = step { return s + step.description }
            return s.isEmpty ? step.description : s + "." + step.description
        }
    }

    /// Every path in the document, parents before children (the root excluded).
    var paths: [Path] {
        var result: [Path] = []
        func visit(_ t: JSONTree, _ prefix: Path) {
            switch t {
            case let .array(a): for (i, v) in a.enumerated() { result.append(prefix + [.index(i)]); visit(v, prefix + [.index(i)]) }
            case let .object(o): for (k, v) in o { result.append(prefix + [.key(k)]); visit(v, prefix + [.key(k)]) }
            default: break
            }
        }
        visit(self, [])
        return result
    }

    subscript(path: Path) -> JSONTree? {
        get {
            guard let first = path.first else { return self }
            let rest = Array(path.dropFirst())
            switch (self, first) {
            case let (.array(a), .index(i)) where a.indices.contains(i): return a[i][rest]
            case let (.object(o), .key(k)): return o.first { $0.key == k }?.value[rest]
            default: return nil
            }
        }
        set {
            guard let first = path.first else { if let newValue { self = newValue }; return }
            let rest = Array(path.dropFirst())
            switch (self, first) {
            case (.array(var a), .index(let i)) where a.indices.contains(i):
                if rest.isEmpty && newValue == nil { a.remove(at: i) } else { a[i][rest] = newValue }
                self = .array(a)
            case (.object(var o), .key(let k)):
                if let j = o.firstIndex(where: { $0.key == k }) {
                    if rest.isEmpty && newValue == nil { o.remove(at: j) } else { o[j].value[rest] = newValue }
                } else if let newValue {
                    // A missing object on the way is created, so edits can add sections.
                    var child = JSONTree.object([])
                    child[rest] = newValue
                    o.append((k, rest.isEmpty ? newValue : child))
                }
                self = .object(o)
            default: break
            }
        }
    }

    var isNumber: Bool { if case .number = self { return true } else { return false } }
    var isString: Bool { if case .string = self { return true } else { return false } }
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    /// Edits the object at `path` (the root for []) with `edit`, if it is an object.
    mutating func editMembers(at path: Path, _ edit: (inout [(key: String, value: JSONTree)]) -> Void) {
        guard case var .object(o)? = self[path] else { return }
        edit(&o)
        self[path] = .object(o)
    }

    /// JSON text, one object member per line (so line numbers in messages mean something).
    func text(indent: String = "") -> String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .number(x): return Self.format(x)
        case let .string(s): return Self.quote(s)
        case let .raw(r): return r
        case let .array(a): return "[" + a.map { $0.text(indent: indent) }.joined(separator: ", ") + "]"
        case let .object(o):
            if o.isEmpty { return "{}" }
            let inner = indent + "  "
            return "{\n" + o.map { inner + Self.quote($0.key) + ": " + $0.value.text(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func format(_ x: Double) -> String {
        if !x.isFinite { return x.isNaN ? "NaN" : (x > 0 ? "1e999" : "-1e999") }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
