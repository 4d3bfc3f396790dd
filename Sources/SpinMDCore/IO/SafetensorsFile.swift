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

    /// Largest header accepted [bytes] (the format's own limit, 100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// Bytes per element of every dtype the format defines; spinmd reads F64 only.
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    /// Reads every tensor and the metadata; `role` ("model", "checkpoint") names the file in
    /// errors, each of which names the tensor or header entry at fault.
    ///
    /// The header is checked against the data as the format requires: the header length fits the
    /// file; every tensor has a known dtype (F64 here), a shape of non-negative integers whose
    /// product × 8 bytes is its byte length, and `data_offsets` [begin, end) inside the data;
    /// the tensors, in offset order, cover the data exactly, without gaps or overlaps;
    /// `__metadata__`, if present, maps strings to strings.
    public static func read(path: String, role: String) throws -> (tensors: [String: [Double]], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: role) }
        let bytes = [UInt8](data)
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid \(role) file: \(why)") }
        guard bytes.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        let announced = LittleEndian.uint64(bytes, at: 0)
        guard announced > 0, announced <= UInt64(min(maximumHeaderLength, bytes.count - 8)) else {
            throw bad("header length \(announced) bytes does not fit (the file holds \(bytes.count - 8) bytes after it; at most \(maximumHeaderLength))")
        }
        let length = Int(announced)
        guard let text = String(validating: bytes[8..<(8 + length)], as: UTF8.self) else { throw bad("header is not UTF-8 text") }
        let root: JSONValue.Located
        do { root = try JSONValue.parse(text, file: path) } catch let e as SpinMDError {
            throw bad("header is not valid JSON (\(e.description))")
        }
        guard case let .object(entries) = root.value else { throw bad("header is \(root.value.typeName), not an object") }
        let dataStart = 8 + length, dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var spans: [(name: String, begin: Int, end: Int)] = []
        for (name, entry) in entries {
            let label = name.abbreviated()
            if name == "__metadata__" {
                guard case let .object(pairs) = entry.value else { throw bad("'__metadata__' is \(entry.value.typeName), not an object of strings") }
                for (key, value) in pairs {
                    guard case let .string(text) = value.value else {
                        throw bad("metadata '\(key.abbreviated())' is \(value.value.typeName), not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard case let .object(fields) = entry.value else { throw bad("tensor '\(label)' is described by \(entry.value.typeName), not an object") }
            func field(_ key: String) -> JSONValue? { fields.first { $0.key == key }?.value.value }
            if let extra = fields.first(where: { !["dtype", "shape", "data_offsets"].contains($0.key) }) {
                throw bad("tensor '\(label)' has an unknown entry '\(extra.key.abbreviated())'")
            }
            guard case let .string(dtype)? = field("dtype") else { throw bad("tensor '\(label)' has no 'dtype'") }
            guard let size = dtypeSizes[dtype] else { throw bad("tensor '\(label)' has the unknown dtype '\(dtype.abbreviated())'") }
            guard dtype == "F64" else { throw bad("tensor '\(label)' has dtype \(dtype); spinmd reads F64 only") }
            /// A JSON array of non-negative integers below 2⁵³, nil otherwise.
            func integers(_ v: JSONValue?) -> [Int]? {
                guard case let .array(items)? = v else { return nil }
                var out: [Int] = []
                for item in items {
                    guard case let .number(x) = item.value, x >= 0, x < 0x1p53, x == x.rounded() else { return nil }
                    out.append(Int(x))
                }
                return out
            }
            guard let shape = integers(field("shape")) else { throw bad("tensor '\(label)' has no 'shape' of non-negative integers") }
            guard let offsets = integers(field("data_offsets")), offsets.count == 2, offsets[0] <= offsets[1] else {
                throw bad("tensor '\(label)' needs 'data_offsets' [begin, end] with 0 ≤ begin ≤ end")
            }
            guard offsets[1] <= dataLength else {
                throw bad("tensor '\(label)' runs past the end of the file (truncated?): it ends at byte \(offsets[1]) of the data, which holds \(dataLength)")
            }
            // Elements = product of the shape; bounded by the data length, so no overflow.
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataLength else { throw bad("tensor '\(label)' has the shape \(shape), larger than the file") }
                elements = product
            }
            guard elements * size == offsets[1] - offsets[0] else {
                throw bad("tensor '\(label)' has the shape \(shape) (\(elements * size) bytes of \(dtype)) but data_offsets span \(offsets[1] - offsets[0]) bytes")
            }
            spans.append((name, offsets[0], offsets[1]))
        }
        // The tensors must tile the data: sorted by offset, each starts where the previous ends.
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for s in spans {
            guard s.begin == position else {
                throw bad(s.begin < position ? "tensor '\(s.name.abbreviated())' overlaps the tensor before it in the data (its data starts at byte \(s.begin), before byte \(position))"
                                             : "the data has a gap before tensor '\(s.name.abbreviated())' (bytes \(position)..<\(s.begin) belong to no tensor)")
            }
            position = s.end
        }
        guard position == dataLength else { throw bad("the last \(dataLength - position) bytes of the data belong to no tensor") }
        var tensors: [String: [Double]] = [:]
        for s in spans { tensors[s.name] = LittleEndian.doubles(bytes, (dataStart + s.begin)..<(dataStart + s.end)) }
        return (tensors, metadata)
    }
}
