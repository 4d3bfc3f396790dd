import Foundation
import SpinMD

/// SpinMultiNet model files in the safetensors layout: an 8-byte little-endian header length,
/// a JSON header naming every tensor (dtype F64, shape, byte offsets) plus `__metadata__`
/// (string → string: format, version, configuration, units, provenance), then the raw
/// little-endian data. Python reads them with `safetensors.numpy.load_file`.
public enum ModelFile {
    public static let format = "spinmd-spinmultinet"
    public static let formatVersion = 1

    /// Writes `model` atomically.
    /// - Parameter provenance: free-form facts (how the weights were made), stored in the metadata.
    public static func write(_ model: SpinMultiNetModel, to path: String, provenance: [String: String] = [:]) throws {
        let names = model.weights.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let count = model.weights[name]!.count
            header[name] = ["dtype": "F64", "shape": [count], "data_offsets": [offset, offset + 8 * count]]
            offset += 8 * count
        }
        let configuration = String(decoding: try JSONEncoder.sorted.encode(model.configuration), as: UTF8.self)
        var metadata: [String: String] = [
            "format": format, "format_version": "\(formatVersion)", "configuration": configuration,
            "units": "energy eV, length Å, magnetic moment μB", "program": "spinmd \(SpinMDVersion.string)",
        ]
        for (k, v) in provenance { metadata["provenance." + k] = v }
        header["__metadata__"] = metadata
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }  // align the data
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        LittleEndian.append(UInt64(json.count), to: &bytes)
        bytes += json
        for name in names { LittleEndian.append(model.weights[name]!, to: &bytes) }
        try AtomicFile.write(bytes, to: path)
    }

    /// Reads a model; every problem is an error naming the file.
    public static func read(path: String) throws -> (model: SpinMultiNetModel, metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "model") }
        let bytes = [UInt8](data)
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid SpinMultiNet model file: \(why)") }
        guard bytes.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        let length = Int(LittleEndian.uint64(bytes, at: 0))
        guard length > 0, 8 + length <= bytes.count else { throw bad("truncated header (\(length) bytes announced, \(bytes.count - 8) present)") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any] else { throw bad("header is not JSON") }
        guard let metadata = header["__metadata__"] as? [String: String], metadata["format"] == format else {
            throw bad("no '\(format)' metadata (is it a model of another program?)")
        }
        guard metadata["format_version"] == "\(formatVersion)" else {
            throw bad("format version \(metadata["format_version"] ?? "?"); this spinmd reads version \(formatVersion)")
        }
        guard let configText = metadata["configuration"],
              let configuration = try? JSONDecoder().decode(ModelConfiguration.self, from: Data(configText.utf8)) else {
            throw bad("unreadable configuration")
        }
        let dataStart = 8 + length
        var weights: [String: [Double]] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], info["dtype"] as? String == "F64", let offsets = info["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[1] >= offsets[0], (offsets[1] - offsets[0]) % 8 == 0 else {
                throw bad("tensor '\(name)' has no F64 dtype or valid data_offsets")
            }
            let start = dataStart + offsets[0], end = dataStart + offsets[1]
            guard end <= bytes.count else { throw bad("tensor '\(name)' runs past the end of the file (truncated?)") }
            weights[name] = LittleEndian.doubles(bytes, start..<end)
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
