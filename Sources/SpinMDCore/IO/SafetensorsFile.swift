import Foundation

/// The safetensors layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header naming every tensor (dtype, shape, byte offsets) plus
/// `__metadata__` (string → string), then the raw little-endian data. spinmd stores F64 vectors
/// only; Python reads the files with `safetensors.numpy.load_file`.
public enum SafetensorsFile {
    /// Writes `tensors` (sorted by name) and `metadata` atomically.
    public static func write(tensors: [String: [Double]], metadata: [String: String], to path: String) throws {
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let count = tensors[name]!.count
            header[name] = ["dtype": "F64", "shape": [count], "data_offsets": [offset, offset + 8 * count]]
            offset += 8 * count
        }
        header["__metadata__"] = metadata
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }  // align the data
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        LittleEndian.append(UInt64(json.count), to: &bytes)
        bytes += json
        for name in names { LittleEndian.append(tensors[name]!, to: &bytes) }
        try AtomicFile.write(bytes, to: path)
    }

    /// Reads every tensor and the metadata; `role` ("model", "checkpoint") names the file in errors.
    public static func read(path: String, role: String) throws -> (tensors: [String: [Double]], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: role) }
        let bytes = [UInt8](data)
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid \(role) file: \(why)") }
        guard bytes.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        let length = Int(LittleEndian.uint64(bytes, at: 0))
        guard length > 0, 8 + length <= bytes.count else { throw bad("truncated header (\(length) bytes announced, \(bytes.count - 8) present)") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any] else { throw bad("header is not JSON") }
        let metadata = header["__metadata__"] as? [String: String] ?? [:]
        let dataStart = 8 + length
        var tensors: [String: [Double]] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], info["dtype"] as? String == "F64", let offsets = info["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[1] >= offsets[0], (offsets[1] - offsets[0]) % 8 == 0 else {
                throw bad("tensor '\(name)' has no F64 dtype or valid data_offsets")
            }
            let start = dataStart + offsets[0], end = dataStart + offsets[1]
            guard end <= bytes.count else { throw bad("tensor '\(name)' runs past the end of the file (truncated?)") }
            tensors[name] = LittleEndian.doubles(bytes, start..<end)
        }
        return (tensors, metadata)
    }
}
