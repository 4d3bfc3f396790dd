import Foundation
import SpinMDCore

/// What a checkpoint records of the input that wrote it, so that `--resume` continues the run
/// that input started and nothing else: every setting of the input file (dotted key → canonical
/// value), except the few a resumed run may change (`resumable`). A string in the `potential` or
/// `structure` section that names an existing file (the model, the structure) stands for that
/// file's contents (its size and CRC-64), so moving such a file is allowed and editing it is not.
///
/// NOTE: the fingerprint is of the input as written, not of the values after defaults: writing a
/// key out with its default value where it was omitted before counts as a change. The refusal
/// names the key, so the fix is to resume with the input that started the run.
public struct RunFingerprint: Equatable, Sendable {
    /// Dotted key → canonical value text.
    public var settings: [String: String]

    /// Keys (and whole sections) a resumed run may change: the step count (to extend a run), the
    /// thread count, where and whether to overwrite, progress and checkpoint frequency, and the
    /// start-only overlap check.
    public static let resumable = [
        "md.steps", "threads", "min_distance_A",
        "output.directory", "output.overwrite", "output.progress_every", "output.checkpoint.every",
    ]

    public init(settings: [String: String]) { self.settings = settings }

    /// The fingerprint of `configuration`'s input file.
    public init(_ configuration: RunConfiguration) {
        var settings: [String: String] = [:]
        let base = configuration.baseDirectory
        func visit(_ value: JSONValue, _ key: String) {
            guard !Self.resumable.contains(where: { key == $0 || key.hasPrefix($0 + ".") }) else { return }
            if case let .object(members) = value, !members.isEmpty {
                for m in members { visit(m.value.value, key.isEmpty ? m.key : key + "." + m.key) }
            } else {
                settings[key] = Self.text(value, fileBase: key.hasPrefix("potential.") || key.hasPrefix("structure.") ? base : nil)
            }
        }
        visit(.object(configuration.root.members), "")
        self.settings = settings
    }

    /// "key: old → new" for every setting that differs from `recorded`, sorted by key.
    public func changes(since recorded: RunFingerprint) -> [String] {
        Set(settings.keys).union(recorded.settings.keys).sorted().compactMap { key in
            let old = recorded.settings[key], new = settings[key]
            guard old != new else { return nil }
            return "\(key): \((old ?? "absent").abbreviated()) → \((new ?? "absent").abbreviated())"
        }
    }

    /// Canonical text of a value: numbers as Doubles (1 and 1.0 agree), strings quoted, arrays
    /// element by element; with `fileBase`, a string naming an existing file is its contents.
    static func text(_ value: JSONValue, fileBase: String?) -> String {
        switch value {
        case .null: return "null"
        case let .bool(b): return "\(b)"
        case let .number(x): return "\(x)"
        case let .string(s):
            if let base = fileBase {
                let path = s.hasPrefix("/") ? s : (base as NSString).appendingPathComponent(s)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   let data = FileManager.default.contents(atPath: path) {
                    return "a file of \(data.count) bytes with CRC-64 \(String(CRC64.checksum(data), radix: 16))"
                }
            }
            return "\"\(s)\""
        case let .array(items): return "[" + items.map { text($0.value, fileBase: fileBase) }.joined(separator: ", ") + "]"
        case let .object(members):
            return "{" + members.map { "\"\($0.key)\": " + text($0.value.value, fileBase: fileBase) }.joined(separator: ", ") + "}"
        }
    }
}
