import ArgumentParser
import Foundation
import SpinMD
import SpinMultiNet
import SpinMDCore

/// `spinmd model init|committee|inspect`: make and look at SpinMultiNet model files.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, combine or inspect SpinMultiNet model files (safetensors).",
        subcommands: [Init.self, Committee.self, Inspect.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a randomly initialised model (seeded) from a model configuration JSON.")
        @Option(help: "Model configuration JSON (see docs/spinmultinet.md).") var config: String
        @Option(help: "Output model file.") var out: String
        @Option(help: "Seed of the random weights.") var seed: UInt64 = 0
        @Flag(help: "Replace the output file if it exists.") var overwrite = false

        func run() throws {
            try ExitStatus.reporting {
                let c = try ModelConfiguration(input: ConfigObject.load(path: config))
                if !overwrite && FileManager.default.fileExists(atPath: out) {
                    throw SpinMDError.io(path: out, message: "exists; pass --overwrite to replace it")
                }
                let model = try SpinMultiNetModel(configuration: c, seed: seed)
                try ModelFile.write(model, to: out, provenance: ["created_by": "spinmd model init", "seed": "\(seed)", "configuration_file": config,
                                                                "trained": "no (random initialisation)"])
                print("wrote \(out): \(model.parameterCount) parameters, species \(c.species.compactMap { Element(atomicNumber: $0)?.symbol }.joined(separator: " ")), cutoff \(c.cutoff) Å")
            }
        }
    }

    struct Committee: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine models or committees (same species and cutoff) into one committee file, evaluated as the members' mean.")
        @Argument(help: "Model files holding two or more models in all, e.g. the same training recipe with different seeds; a committee file adds all its members (to grow a committee).") var members: [String]
        @Option(help: "Output committee file.") var out: String
        @Flag(help: "Replace the output file if it exists.") var overwrite = false

        func run() throws {
            try ExitStatus.reporting {
                if !overwrite && FileManager.default.fileExists(atPath: out) {
                    throw SpinMDError.io(path: out, message: "exists; pass --overwrite to replace it")
                }
                var models: [SpinMultiNetModel] = []
                var provenance = ["created_by": "spinmd model committee"]
                // Members are numbered in the order of the arguments; a committee file contributes
                // all its members, in its own order.
                for path in members {
                    let (committee, metadata) = try ModelFile.readCommittee(path: path)
                    let file = (path as NSString).lastPathComponent
                    for (j, model) in committee.members.enumerated() {
                        models.append(model)
                        let n = "member\(models.count)."
                        let own = committee.members.count > 1 ? "provenance.member\(j + 1)." : "provenance."
                        for (key, value) in metadata where key.hasPrefix(own) { provenance[n + key.dropFirst(own.count)] = value }
                        provenance[n + "file"] = committee.members.count == 1 ? file
                            : "\(metadata[own + "file"] ?? "?") (member \(j + 1) of \(file))"
                    }
                }
                guard models.count >= 2 else { throw SpinMDError.invalidInput(location: "members", message: "the files hold \(models.count) model in all; a committee needs two or more") }
                let committee = try SpinMultiNetCommittee(members: models)
                try ModelFile.write(committee, to: out, provenance: provenance)
                print("wrote \(out): a committee of \(models.count) models, \(models.map(\.parameterCount).reduce(0, +)) parameters")
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a model file's architecture, species, cutoff, reference energies and provenance.")
        @Argument(help: "Model file.") var file: String

        func run() throws {
            try ExitStatus.reporting {
                let (committee, metadata) = try ModelFile.readCommittee(path: file)
                let model = committee.members[0], c = model.configuration
                let what = committee.members.count > 1 ? "committee of \(committee.members.count) models (member 1 below; evaluated as their mean)" : "model"
                print("\(file): SpinMultiNet \(what), format version \(metadata["format_version"] ?? "?") (\(metadata["program"] ?? "?"))")
                print("species: " + zip(c.species, c.referenceEnergies).map { "\(Element(atomicNumber: $0)?.symbol ?? "?") (E_ref \($1) eV)" }.joined(separator: ", "))
                print("cutoff: \(c.cutoff) Å; layers: \(c.layers); channels: \(c.channels) per irrep; l_max: \(c.lMax)")
                print("hidden irreps: " + model.blocks.map(\.description).joined(separator: " "))
                let pair = c.coupling == .dot ? "mᵢ·mⱼ on ±\(c.momentRange * c.momentRange) μB²" : "normalized mᵢ·mⱼ on [−1, 1]"
                print("radial basis: \(c.radialBasis) Bessel; moment basis: \(c.momentBasis) Gaussians of |m| up to \(c.momentRange) μB and of \(pair); MLP width \(c.hidden)")
                print("tensor-product paths per layer: \(model.pathCount) (\(model.nonZeroCouplings) non-zero coupling coefficients)")
                print("parameters: \(model.parameterCount)" + (committee.members.count > 1 ? " per member" : ""))
                print("units: \(metadata["units"] ?? "?")")
                for (k, v) in metadata.sorted(by: { $0.key < $1.key }) where k.hasPrefix("provenance.") {
                    // Multi-line values (a configuration file's text) on one line.
                    print("\(k.dropFirst("provenance.".count)): " + v.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
                }
            }
        }
    }
}
