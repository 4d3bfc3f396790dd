import Foundation
import SpinMDCore

/// SpinMultiNet model files: a `SafetensorsFile` whose tensors are the weights by name and whose
/// metadata holds format, version, configuration (JSON), units and `provenance.*` entries; or a
/// committee of such models in one file.
public enum ModelFile {
    public static let format = "spinmd-spinmultinet"
    public static let formatVersion = 1

    /// Writes `model` atomically.
    /// - Parameter provenance: free-form facts (how the weights were made), stored in the metadata.
    public static func write(_ model: SpinMultiNetModel, to path: String, provenance: [String: String] = [:]) throws {
        var metadata = header(provenance: provenance)
        metadata["configuration"] = try configurationText(model)
        try SafetensorsFile.write(tensors: model.weights, metadata: metadata, to: path)
    }

    /// Format, version, units, program and `provenance.*`: the metadata every model file has.
    static func header(provenance: [String: String]) -> [String: String] {
        var metadata = [
            "format": format, "format_version": "\(formatVersion)",
            "units": "energy eV, length Å, magnetic moment μB", "program": "spinmd \(SpinMDVersion.string)",
        ]
        for (k, v) in provenance { metadata["provenance." + k] = v }
        return metadata
    }

    static func configurationText(_ model: SpinMultiNetModel) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(model.configuration), as: UTF8.self)
    }

    /// Writes a committee atomically: one member is the single-model file above; K > 1 members
    /// store member k's tensors as `member<k>/<name>` and its configuration as
    /// `member<k>.configuration` (k = 1…K), with `committee_members` = K and the first member's
    /// configuration also as `configuration`.
    public static func write(_ committee: SpinMultiNetCommittee, to path: String, provenance: [String: String] = [:]) throws {
        guard committee.members.count > 1 else { return try write(committee.members[0], to: path, provenance: provenance) }
        var tensors: [String: [Double]] = [:]
        var metadata = header(provenance: provenance)
        metadata["committee_members"] = "\(committee.members.count)"
        for (k, m) in committee.members.enumerated() {
            for (name, w) in m.weights { tensors["member\(k + 1)/\(name)"] = w }
            metadata["member\(k + 1).configuration"] = try configurationText(m)
        }
        metadata["configuration"] = metadata["member1.configuration"]
        try SafetensorsFile.write(tensors: tensors, metadata: metadata, to: path)
    }

    /// Reads a single model; every problem is an error naming the file. A committee file is an
    /// error here (use `readCommittee`).
    public static func read(path: String) throws -> (model: SpinMultiNetModel, metadata: [String: String]) {
        let (committee, metadata) = try readCommittee(path: path)
        guard committee.members.count == 1 else {
            throw SpinMDError.io(path: path, message: "is a committee of \(committee.members.count) models; this needs a single model (`spinmd model inspect` lists the members' provenance)")
        }
        return (committee.members[0], metadata)
    }

    /// Most members a committee file may announce.
    public static let maximumCommitteeMembers = 1000

    /// Reads a single-model or committee file as a committee; every problem is an error naming
    /// the file and the tensor or metadata key at fault. Beyond the layout checks of
    /// `SafetensorsFile.read`: the configuration must be valid (`invalidHyperParameter`), the
    /// tensors must be exactly the weights it implies with their sizes, and every weight finite;
    /// a committee's `configuration`, when present, must be valid and equal member 1's.
    public static func readCommittee(path: String) throws -> (committee: SpinMultiNetCommittee, metadata: [String: String]) {
        let (weights, metadata) = try SafetensorsFile.read(path: path, role: "SpinMultiNet model")
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "not a valid SpinMultiNet model file: \(why)") }
        guard metadata["format"] == format else { throw bad("no '\(format)' metadata (is it a model of another program?)") }
        guard metadata["format_version"] == "\(formatVersion)" else {
            throw bad("format version \(metadata["format_version"]?.abbreviated() ?? "?"); this spinmd reads version \(formatVersion)")
        }
        /// The valid configuration stored as metadata `key`.
        func configuration(_ key: String) throws -> ModelConfiguration {
            guard let configText = metadata[key] else { throw bad("no metadata '\(key)'") }
            let configuration: ModelConfiguration
            do { configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(configText.utf8)) } catch {
                throw bad("unreadable metadata '\(key)' (\(Self.reason(error)))")
            }
            if let problem = configuration.invalidHyperParameter { throw bad("metadata '\(key)': \(problem)") }
            return configuration
        }
        func model(configurationKey: String, weights: [String: [Double]], prefix: String) throws -> SpinMultiNetModel {
            let configuration = try configuration(configurationKey)
            // Every tensor finite (a NaN weight makes every evaluation NaN).
            for name in weights.keys.sorted() {
                if let k = weights[name]!.firstIndex(where: { !$0.isFinite }) {
                    throw bad("tensor '\(prefix)\(name.abbreviated())' holds the non-finite value \(weights[name]![k]) at element \(k)")
                }
            }
            let model: SpinMultiNetModel
            do {
                model = try SpinMultiNetModel(configuration: configuration, weights: weights)
            } catch let e as SpinMDError {
                throw bad("\(configurationKey): \(e.description)")
            }
            let expected = Set(SpinMultiNetModel.weightShapes(configuration, pathCount: model.pathCount, blocks: model.blocks.count).map(\.0))
            if let stray = weights.keys.sorted().first(where: { !expected.contains($0) }) {
                throw bad("tensor '\(prefix)\(stray.abbreviated())' is no weight of the model that '\(configurationKey)' describes")
            }
            return model
        }
        guard let count = metadata["committee_members"] else {
            return (SpinMultiNetCommittee(try model(configurationKey: "configuration", weights: weights, prefix: "")), metadata)
        }
        guard let k = Int(count), k > 1, k <= maximumCommitteeMembers else {
            throw bad("metadata 'committee_members' is '\(count.abbreviated())', expected an integer from 2 to \(maximumCommitteeMembers)")
        }
        var members: [SpinMultiNetModel] = []
        for j in 1...k {
            let prefix = "member\(j)/"
            let own = Dictionary(uniqueKeysWithValues: weights.compactMap { $0.key.hasPrefix(prefix) ? (String($0.key.dropFirst(prefix.count)), $0.value) : nil })
            members.append(try model(configurationKey: "member\(j).configuration", weights: own, prefix: prefix))
        }
        if let stray = weights.keys.first(where: { name in !(1...k).contains { name.hasPrefix("member\($0)/") } }) {
            throw bad("tensor '\(stray.abbreviated())' belongs to no member of \(k)")
        }
        // NOTE: spinmd reads the members' own configurations; `configuration`, which tools may
        // read instead, must still be valid and repeat member 1's.
        if metadata["configuration"] != nil, try configuration("configuration") != members[0].configuration {
            throw bad("metadata 'configuration' differs from 'member1.configuration'; a committee file repeats its first member's configuration there")
        }
        do {
            return (try SpinMultiNetCommittee(members: members), metadata)
        } catch let e as SpinMDError {
            throw bad(e.description)
        }
    }

    /// A one-line reason for a configuration that does not decode: the key at fault.
    static func reason(_ error: Error) -> String {
        func path(_ codingPath: [CodingKey]) -> String { codingPath.map(\.stringValue).joined(separator: ".") }
        switch error as? DecodingError {
        case let .keyNotFound(key, _)?: return "no key '\(key.stringValue)'"
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?: return "key '\(path(context.codingPath))' has the wrong type"
        case let .dataCorrupted(context)?: return context.codingPath.isEmpty ? "not valid JSON" : "key '\(path(context.codingPath))' has an invalid value"
        default: return "not a model configuration"
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
