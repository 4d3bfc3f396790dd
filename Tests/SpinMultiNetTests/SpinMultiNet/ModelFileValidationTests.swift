import Foundation
import XCTest
import SpinMDCore
import SpinMultiNet

/// Regression tests for hostile model files (issue 24): the shipped committee
/// (inputs/models/tmo-pbeu.safetensors), corrupted in memory and written to a temporary file,
/// must be refused with a message naming the file and the problem.
final class ModelFileValidationTests: XCTestCase {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("inputs/models/tmo-pbeu.safetensors")

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-model-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A safetensors file taken apart: the JSON header (tensors and `__metadata__`) and the data
    /// after it, whose offsets the header counts from 0.
    struct Parts {
        var header: [String: Any]
        var data: [UInt8]

        /// The metadata entry `key` (a string).
        func metadata(_ key: String) -> String? { (header["__metadata__"] as? [String: String])?[key] }

        /// Edits every model configuration in the metadata (`configuration` and, in a committee,
        /// `member<k>.configuration`), each a JSON object stored as a string.
        mutating func editConfigurations(_ edit: (inout [String: Any]) -> Void) throws {
            var metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
            let keys = metadata.keys.filter { $0 == "configuration" || $0.hasSuffix(".configuration") }
            XCTAssertGreaterThan(keys.count, 0, "the shipped model has a configuration")
            for key in keys {
                var configuration = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(metadata[key]!.utf8)) as? [String: Any])
                edit(&configuration)
                metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys]), as: UTF8.self)
            }
            header["__metadata__"] = metadata
        }

        /// The `data_offsets` [begin, end) of tensor `name`.
        func offsets(_ name: String) throws -> [Int] {
            try XCTUnwrap((header[name] as? [String: Any])?["data_offsets"] as? [Int], "tensor '\(name)'")
        }

        mutating func setOffsets(_ name: String, _ offsets: [Int]) throws {
            var entry = try XCTUnwrap(header[name] as? [String: Any])
            entry["data_offsets"] = offsets
            header[name] = entry
        }
    }

    /// Reads the shipped model's header (8-byte little-endian length, then JSON) and data.
    func shippedParts() throws -> Parts {
        let bytes = [UInt8](try Data(contentsOf: Self.shipped))
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        return Parts(header: header, data: Array(bytes[(8 + length)...]))
    }

    /// Writes `parts` as a safetensors file: the header re-serialised and padded with spaces to
    /// a multiple of 8 bytes, then the data unchanged.
    func write(_ parts: Parts, name: String) throws -> String {
        var json = [UInt8](try JSONSerialization.data(withJSONObject: parts.header, options: [.sortedKeys, .withoutEscapingSlashes]))
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * $0)) }
        bytes += json
        bytes += parts.data
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Asserts that the shipped model, edited by `edit`, is refused with a message that names the
    /// file and contains every one of `expected`.
    func assertRefused(_ expected: [String], file: StaticString = #filePath, line: UInt = #line, edit: (inout Parts) throws -> Void) throws {
        var parts = try shippedParts()
        try edit(&parts)
        let path = try write(parts, name: "corrupted.safetensors")
        XCTAssertThrowsError(try ModelFile.readCommittee(path: path), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is SpinMDError, "a SpinMDError, not \(type(of: error))", file: file, line: line)
            XCTAssertTrue(message.hasPrefix(path + ": "), "names the file: \(message)", file: file, line: line)
            for text in expected { XCTAssertTrue(message.contains(text), "'\(text)' in: \(message)", file: file, line: line) }
        }
    }

    /// The rewriting itself is harmless: the shipped model, taken apart and written again
    /// unchanged, loads (so every refusal below is due to its corruption).
    func testRewrittenShippedModelLoads() throws {
        let path = try write(try shippedParts(), name: "unchanged.safetensors")
        XCTAssertEqual(try ModelFile.readCommittee(path: path).committee.members.count, 3)
    }

    func testModelWithOverlappingOffsetsIsRefused() throws {
        try assertRefused(["not a valid SpinMultiNet model file", "tensor 'member1/embedding.weight' overlaps the tensor before it"]) { parts in
            // Moved 8 bytes (one weight) back: same length, so only the overlap is wrong.
            let bias = try parts.offsets("member1/embedding.bias"), weight = try parts.offsets("member1/embedding.weight")
            XCTAssertEqual(bias[1], weight[0], "the weights follow the bias in the data")
            try parts.setOffsets("member1/embedding.weight", [weight[0] - 8, weight[1] - 8])
        }
    }

    func testModelWithNaNWeightsIsRefused() throws {
        try assertRefused(["not a valid SpinMultiNet model file", "tensor 'member2/layer0.linear.weight' holds the non-finite value nan at element 5"]) { parts in
            let begin = try parts.offsets("member2/layer0.linear.weight")[0] + 8 * 5
            let nan = Double.nan.bitPattern
            for b in 0..<8 { parts.data[begin + b] = UInt8(truncatingIfNeeded: nan >> (8 * UInt64(b))) }
        }
    }

    func testModelWithTooFewReferenceEnergiesIsRefused() throws {
        try assertRefused(["not a valid SpinMultiNet model file", "key 'referenceEnergies' holds 2 energies for 3 species; one per species is needed"]) { parts in
            try parts.editConfigurations { c in c["referenceEnergies"] = (c["referenceEnergies"] as! [Double]).dropLast().map { $0 } }
        }
        // The committee's `configuration` repeats member 1's: shortened there alone, it is refused too.
        try assertRefused(["metadata 'configuration'", "key 'referenceEnergies' holds 2 energies for 3 species"]) { parts in
            var metadata = parts.header["__metadata__"] as! [String: String]
            var configuration = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(metadata["configuration"]!.utf8)) as? [String: Any])
            configuration["referenceEnergies"] = (configuration["referenceEnergies"] as! [Double]).dropLast().map { $0 }
            metadata["configuration"] = String(decoding: try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys]), as: UTF8.self)
            parts.header["__metadata__"] = metadata
        }
    }

    func testModelWithZeroCutoffIsRefused() throws {
        try assertRefused(["not a valid SpinMultiNet model file", "metadata 'member1.configuration': key 'cutoff' is 0.0; expected a finite number > 0"]) { parts in
            try parts.editConfigurations { c in c["cutoff"] = 0 }
        }
    }
}
