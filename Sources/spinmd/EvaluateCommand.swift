import ArgumentParser
import Foundation
import SpinMD
import SpinMultiNet
import SpinMultiNetPotential
import SpinMultiNetTraining
import SpinMDCore

/// `spinmd eval model data...`: errors of a model on labelled frames, by species and ordering.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a SpinMultiNet model on extxyz DFT data: MAE/RMSE overall, by species and by magnetic ordering.")

    @Argument(help: "Model file (safetensors): one model or a committee.")
    var model: String

    @Argument(help: "One or more extxyz files with energy, forces, magmoms and/or stress.")
    var data: [String]

    @Option(name: .long, help: "Spin input: 'fixed' (initial_magmoms, as in training) or 'self-consistent' (m* = S(R, m*), as in `run`).")
    var spins: String = "fixed"

    @Option(name: .customLong("initial-magmoms"), help: "Spin input for frames without initial_magmoms, e.g. 'Ni=2,Mn=5,O=0' (signs from magmoms).")
    var initialMagmoms: String?

    @Option(name: .customLong("energy-key"), help: "Comment-line key of the DFT energy (default 'energy'); frames without it are an error.")
    var energyKey: String?

    @Option(name: .customLong("forces-key"), help: "Column of the DFT forces (default 'forces'); frames without it are an error.")
    var forcesKey: String?

    @Option(name: .customLong("stress-key"), help: "Comment-line key of the DFT stress (default 'stress'); frames without it are an error.")
    var stressKey: String?

    @Option(name: .customLong("magmoms-key"), help: "Column of the DFT moments (default 'magmoms'); frames without it are an error.")
    var magmomsKey: String?

    @Option(name: .customLong("initial-magmoms-key"), help: "Column of the spin input (default 'initial_magmoms'); frames without it are an error.")
    var initialMagmomsKey: String?

    @Option(name: .long, help: "Write one row per frame to this CSV file.")
    var csv: String?

    @Option(name: .long, help: "Write every frame with its predicted energy, forces, stress and moments (extxyz, full precision) to this file.")
    var predictions: String?

    @Option(name: .long, help: "Evaluate only these members of a committee file, 1-based, e.g. '1,3'.")
    var members: String?

    @Option(name: .long, help: "Write parity plots (energy, forces, moments) as PNG into this directory.")
    var plots: String?

    @Option(name: .customLong("group-by"), help: "Info key whose values group frames in the table.")
    var groupBy: String = "order"

    @OptionGroup var common: CommonOptions

    func run() throws {
        try ExitStatus.reporting {
            guard ["fixed", "self-consistent"].contains(spins) else {
                throw SpinMDError.invalidInput(location: "--spins", message: "expected 'fixed' or 'self-consistent', got '\(spins)'")
            }
            let loaded: SpinMultiNetCommittee
            do {
                loaded = try SpinMultiNetPotential.committee(path: model, members: try members.map(Self.parseMembers))
            } catch let e as SpinMultiNetPotential.MemberSelectionError {
                throw SpinMDError.invalidInput(location: "--members", message: e.message)
            }
            var evaluation = ModelEvaluation(committee: loaded, mode: spins == "fixed" ? .fixed : .defaultSelfConsistent)
            evaluation.executor = ParallelExecutor(threads: try common.checkedThreads())
            if let text = initialMagmoms { evaluation.defaultInitialMoments = try Self.parseDefaults(text) }
            for (label, key) in zip(LabelKeys.labels, [energyKey, forcesKey, stressKey, magmomsKey, initialMagmomsKey]) {
                guard let key else { continue }
                guard !key.isEmpty else { throw SpinMDError.invalidInput(location: "--\(label.replacingOccurrences(of: "_", with: "-"))-key", message: "expected the name of a key or column") }
                evaluation.labelKeys.set(label, to: key)
            }
            let result = try evaluation.evaluate(files: data)
            let what = loaded.members.count > 1 ? " (committee of \(loaded.members.count) models)" : ""
            print("\(model)\(what) on \(data.joined(separator: ", ")): \(result.frames.count) frames, spins \(spins)")
            print("")
            print(MetricsTable.format([("all", result.overall)]), terminator: "")
            print("\nby species (forces and moments of its atoms)")
            print(MetricsTable.format(result.bySpecies.map { ($0.key, $0.errors) }), terminator: "")
            let groups = result.groups(by: groupBy)
            if !groups.isEmpty {
                print("\nby \(groupBy)")
                print(MetricsTable.format(groups.map { ($0.key, $0.errors) }), terminator: "")
            }
            if let csv {
                try AtomicFile.write(Array(result.csv(groupBy: groupBy).utf8), to: csv)
                print("\nper-frame errors: \(csv)")
            }
            if let predictions {
                try AtomicFile.write(result.predictionsExtendedXYZ(), to: predictions)
                print("predictions: \(predictions)")
            }
            if let plots {
                try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)
                let written = try result.writeParityPlots(directory: plots, groupBy: groupBy)
                print("parity plots: " + written.joined(separator: ", "))
            }
        }
    }

    static func parseMembers(_ text: String) throws -> [Int] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            guard let k = Int(item.trimmingCharacters(in: .whitespaces)) else {
                throw SpinMDError.invalidInput(location: "--members", message: "expected member numbers separated by commas, e.g. '1,3', got '\(text)'")
            }
            return k
        }
    }

    static func parseDefaults(_ text: String) throws -> [Element: Double] {
        var d: [Element: Double] = [:]
        for item in text.split(separator: ",") {
            let kv = item.split(separator: "=")
            guard kv.count == 2, let e = Element(symbol: kv[0].trimmingCharacters(in: .whitespaces)),
                  let v = Double(kv[1].trimmingCharacters(in: .whitespaces)) else {
                throw SpinMDError.invalidInput(location: "--initial-magmoms", message: "expected Element=value pairs separated by commas, e.g. 'Ni=2,O=0', got '\(item)'")
            }
            d[e] = v
        }
        return d
    }
}
