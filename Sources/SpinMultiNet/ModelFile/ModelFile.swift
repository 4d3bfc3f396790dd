import Foundation
import SpinMD

/// SpinMultiNet model files: a `SafetensorsFile` whose tensors are the weights by name and whose
/// metadata holds format, version, configuration (JSON), units and `provenance.*` entries.
public enum ModelFile {
    public static let format = "spinmd-spinmultinet"
    public static let formatVersion = 1

    /// Writes `model` atomically.
    /// - Parameter provenance: free-form facts (how the weights were made), stored in the metadata.
    public static func write(_ model: SpinMultiNetModel, to path: String, provenance: [String: String] = [:]) throws {
        let configuration = String(decoding: try JSONEncoder.sorted.encode(model.configuration), as: UTF8.self)
        var metadata: [String: String] = [
            "format": format, "format_version": "\(formatVersion)", "configuration": configuration,
            "units": "energy eV, length Å, magnetic moment μB", "program": "spinmd \(SpinMDVersion.string)",
        ]
        for (k, v) in provenance { metadata["provenance." + k] = v }
        try SafetensorsFile.write(tensors: model.weights, metadata: metadata, to: path)
    }

    /// Reads a model; every problem is an error naming the file.
    public static func read(path: String) throws -> (model: SpinMultiNetModel, metadata: [String: String]) {
        let (weights, metadata) = try SafetensorsFile.read(path: path, role: "SpinMultiNet model")
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid SpinMultiNet model file: \(why)") }
        guard metadata["format"] == format else { throw bad("no '\(format)' metadata (is it a model of another program?)") }
        guard metadata["format_version"] == "\(formatVersion)" else {
            throw bad("format version \(metadata["format_version"] ?? "?"); this spinmd reads version \(formatVersion)")
        }
        guard let configText = metadata["configuration"],
              let configuration = try? JSONDecoder().decode(ModelConfiguration.self, from: Data(configText.utf8)) else {
            throw bad("unreadable configuration")
        }
        do {
            return (try SpinMultiNetModel(configuration: configuration, weights: weights), metadata)
        } catch let e as SpinMDError {
            throw bad(e.description)
        }
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys (stable files).
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
